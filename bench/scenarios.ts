import { randomUUID } from "node:crypto";
import type { SeededStore } from "./seed.js";

export interface Scenario {
  readonly name: string;
  /** The statuses a right answer has; anything else counts as an error. */
  readonly expectedStatuses: readonly number[];
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  readonly body?: string;
  /** Credentials to send (a wrong token for the rejection scenario). */
  readonly authorization: string;
  /**
   * The path of the next request. `consume` is false for the baseline, which answers anything
   * alike, so a scenario whose requests use something up (deletes) keeps it for the subject.
   */
  nextPath(consume: boolean): string;
}

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

/** The measured operations, for one seeded store. */
export function scenarios(store: SeededStore): Scenario[] {
  const tokens = `/api/laml/2010-04-01/Accounts/${store.projectId}/tokens`;
  const authorization = basic(store.projectId, store.token);
  const deletable = [...store.deletableIds];
  let updates = 0;
  return [
    {
      name: "GET one token (auth hot path)",
      expectedStatuses: [200],
      method: "GET",
      authorization,
      nextPath: () => `${tokens}/${store.readTokenId}`,
    },
    {
      name: "POST create (durable)",
      expectedStatuses: [200],
      method: "POST",
      body: JSON.stringify({ name: "bench", permissions: ["calling", "messaging"] }),
      authorization,
      nextPath: () => tokens,
    },
    {
      // Each request changes the next of the seeded tokens, as users' updates spread over tokens:
      // not one row every request waits on.
      name: "PATCH update (durable)",
      expectedStatuses: [200],
      method: "PATCH",
      body: JSON.stringify({ name: "bench renamed" }),
      authorization,
      nextPath: () =>
        `${tokens}/${store.updatableIds[updates++ % store.updatableIds.length] ?? store.readTokenId}`,
    },
    {
      name: "DELETE (durable)",
      expectedStatuses: [204],
      method: "DELETE",
      authorization,
      // Each request deletes a token of its own; once they run out the answers are 404s.
      nextPath: (consume) =>
        `${tokens}/${consume ? (deletable.pop() ?? randomUUID()) : store.readTokenId}`,
    },
    {
      name: "GET list page (50)",
      expectedStatuses: [200],
      method: "GET",
      authorization,
      nextPath: () => `${tokens}?PageSize=50`,
    },
    {
      name: "verify (valid, cached)",
      expectedStatuses: [200],
      method: "GET",
      authorization,
      nextPath: () => "/auth/verify?permission=management",
    },
    {
      // The same verification for a token with a rate limit and uses: what the limits cost.
      name: "verify (valid, with limits)",
      expectedStatuses: [200],
      method: "GET",
      authorization: basic(store.projectId, store.limitedToken),
      nextPath: () => "/auth/verify?permission=management",
    },
    {
      // Forward auth answers 401 even over the failed-authentication budget: proxies know no 429.
      name: "verify (wrong token)",
      expectedStatuses: [401],
      method: "GET",
      authorization: basic(store.projectId, `PT${"0".repeat(48)}`),
      nextPath: () => "/auth/verify",
    },
    {
      // Over the failed-authentication budget (on by default, as npm start runs) a wrong token is
      // answered 429 instead of 401: both are the refusal being measured.
      name: "wrong token (rejected)",
      expectedStatuses: [401, 429],
      method: "GET",
      authorization: basic(store.projectId, `PT${"0".repeat(48)}`),
      nextPath: () => `${tokens}/${store.readTokenId}`,
    },
  ];
}
