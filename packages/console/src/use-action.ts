import { useState } from "preact/hooks";
import type { Problem } from "./failure.js";
import { useSession } from "./session-context.js";

/**
 * A request a person starts (a form's submit, a button): whether it runs, and what went wrong
 * the last time, told for people. A failure that ends the session signs out. `soleField` names
 * a form's only field (see describeFailure).
 */
export function useAction(soleField?: string) {
  const { report } = useSession();
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    try {
      await action();
      setProblem(undefined);
    } catch (error) {
      setProblem(report(error, soleField));
    } finally {
      setBusy(false);
    }
  };
  return { problem, busy, run };
}
