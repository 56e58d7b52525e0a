import type { RestClient } from "@tokenspace/sdk";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Problem } from "./failure.js";
import type { Credentials } from "./session.js";

/** The signed-in session, for every screen. */
export interface Session {
  readonly client: RestClient;
  readonly credentials: Credentials;
  /**
   * Describes a failed request (see describeFailure); one that ends the session signs out,
   * with its message.
   */
  readonly report: (error: unknown, soleField?: string) => Problem;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession is for screens shown after sign-in");
  return session;
}
