import { useEffect, useState } from "preact/hooks";

/**
 * Where the console is, kept in the URL's fragment so that reloading and the back button work
 * and the server serves one page. `projectId` is the project being looked at: the signed-in
 * one or one of its subprojects.
 */
export type Route =
  | { readonly screen: "tokens"; readonly projectId: string }
  | { readonly screen: "create"; readonly projectId: string }
  | { readonly screen: "token"; readonly projectId: string; readonly tokenId: string }
  | { readonly screen: "audit"; readonly projectId: string }
  | { readonly screen: "subprojects"; readonly projectId: string };

const ID = "[0-9A-Za-z-]{1,64}";
const PATTERN = new RegExp(
  `^#/projects/(${ID})/(tokens|tokens/new|audit|subprojects|tokens/(${ID}))$`,
);

function parseRoute(hash: string, home: string): Route {
  const match = PATTERN.exec(hash);
  const projectId = match?.[1] ?? home;
  const tokenId = match?.[3];
  if (tokenId !== undefined && tokenId !== "new") return { screen: "token", projectId, tokenId };
  switch (match?.[2]) {
    case "tokens/new":
      return { screen: "create", projectId };
    case "audit":
      return { screen: "audit", projectId };
    case "subprojects":
      return { screen: "subprojects", projectId };
    default:
      return { screen: "tokens", projectId };
  }
}

export function href(route: Route): string {
  const base = `#/projects/${route.projectId}`;
  switch (route.screen) {
    case "tokens":
      return `${base}/tokens`;
    case "create":
      return `${base}/tokens/new`;
    case "token":
      return `${base}/tokens/${route.tokenId}`;
    case "audit":
      return `${base}/audit`;
    case "subprojects":
      return `${base}/subprojects`;
  }
}

export function useRoute(home: string): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return parseRoute(hash, home);
}
