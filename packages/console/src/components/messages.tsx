import type { Problem } from "../failure.js";

/** A failure the person must read: announced at once by screen readers. */
export function ProblemMessage({ problem }: { problem: Problem | undefined }) {
  if (!problem) return null;
  return (
    <p class="problem" role="alert">
      {problem.message}
    </p>
  );
}

/** Good news, announced politely. */
export function Notice({ text }: { text: string | undefined }) {
  return (
    <p class="notice" role="status">
      {text ?? ""}
    </p>
  );
}
