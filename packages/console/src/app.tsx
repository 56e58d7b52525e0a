import type { Account } from "@tokenspace/sdk";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { describeFailure } from "./failure.js";
import { href, type Route, useRoute } from "./route.js";
import { AuditScreen } from "./screens/audit-screen.js";
import { CreateTokenScreen } from "./screens/create-token-screen.js";
import { SignInScreen } from "./screens/sign-in-screen.js";
import { SubprojectsScreen } from "./screens/subprojects-screen.js";
import { TokenScreen } from "./screens/token-screen.js";
import { TokensScreen } from "./screens/tokens-screen.js";
import {
  type Credentials,
  clientFor,
  forgetCredentials,
  saveCredentials,
  savedCredentials,
} from "./session.js";
import { type Session, SessionContext } from "./session-context.js";

const SCREEN_TITLES: Readonly<Record<Route["screen"], string>> = {
  tokens: "API tokens",
  create: "Create a token",
  token: "Token",
  subprojects: "Subprojects",
  audit: "Audit log",
};

export function App() {
  const [credentials, setCredentials] = useState(savedCredentials);
  const [farewell, setFarewell] = useState<string>();

  const signOut = useCallback((message?: string) => {
    forgetCredentials();
    setCredentials(undefined);
    setFarewell(message);
    window.location.hash = "";
  }, []);

  const signIn = useCallback((signedIn: Credentials) => {
    saveCredentials(signedIn);
    setFarewell(undefined);
    setCredentials(signedIn);
  }, []);

  const session = useMemo<Session | undefined>(
    () =>
      credentials && {
        client: clientFor(credentials),
        credentials,
        report: (error, soleField) => {
          const problem = describeFailure(error, soleField);
          if (problem.endsSession) signOut(problem.message);
          return problem;
        },
      },
    [credentials, signOut],
  );

  if (!session) return <SignInScreen onSignedIn={signIn} farewell={farewell} />;
  return (
    <SessionContext.Provider value={session}>
      <SignedIn session={session} onSignOut={() => signOut("You have signed out.")} />
    </SessionContext.Provider>
  );
}

function SignedIn({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const home = session.credentials.projectId;
  const route = useRoute(home);
  const [projects, setProjects] = useState<Readonly<Record<string, Account>>>({});
  const { client, report } = session;

  // The names of the signed-in project and of the one in view, for the header.
  useEffect(() => {
    for (const id of new Set([home, route.projectId])) {
      if (projects[id]) continue;
      client.compat.accounts
        .get(id)
        .then((account) => setProjects((known) => ({ ...known, [id]: account })))
        .catch(report);
    }
  }, [client, report, home, route.projectId, projects]);

  // A new screen gets its title, and keyboard and screen-reader focus moves to it, as a page
  // load would do.
  const main = useRef<HTMLElement>(null);
  const where = href(route);
  useEffect(() => {
    document.title = `${SCREEN_TITLES[route.screen]} · Tokenspace console`;
    main.current?.focus();
  }, [where, route.screen]);

  const inSubproject = route.projectId !== home;
  const link = (screen: Exclude<Route["screen"], "token">, label: string) => (
    <a
      href={href({ screen, projectId: route.projectId })}
      aria-current={
        route.screen === screen || (route.screen === "token" && screen === "tokens")
          ? "page"
          : undefined
      }
    >
      {label}
    </a>
  );
  return (
    <div class="layout">
      <header class="top">
        <p class="brand">Tokenspace</p>
        <p class="scope">
          <span>
            Project <strong>{projects[home]?.friendly_name ?? home}</strong>
          </span>
          {inSubproject && (
            <>
              <span aria-hidden="true"> › </span>
              <span>
                Subproject{" "}
                <strong>{projects[route.projectId]?.friendly_name ?? route.projectId}</strong>
              </span>{" "}
              <a href={href({ screen: "tokens", projectId: home })}>Back to the project</a>
            </>
          )}
        </p>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav class="tabs" aria-label="Console">
        {link("tokens", "Tokens")}
        {link("create", "Create token")}
        {!inSubproject && link("subprojects", "Subprojects")}
        {link("audit", "Audit log")}
      </nav>
      <main ref={main} tabIndex={-1}>
        <Screen route={route} home={home} />
      </main>
    </div>
  );
}

function Screen({ route, home }: { route: Route; home: string }) {
  switch (route.screen) {
    case "tokens":
      return <TokensScreen key={route.projectId} projectId={route.projectId} />;
    case "create":
      return <CreateTokenScreen projectId={route.projectId} home={home} />;
    case "token":
      return (
        <TokenScreen key={route.tokenId} projectId={route.projectId} tokenId={route.tokenId} />
      );
    case "subprojects":
      return <SubprojectsScreen />;
    case "audit":
      return <AuditScreen key={route.projectId} projectId={route.projectId} home={home} />;
  }
}
