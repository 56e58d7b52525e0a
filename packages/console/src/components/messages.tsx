import type { Problem } from "../failure.js";

interface ProblemMessageProps {
  readonly problem: Problem | undefined;
  /** The request fields whose messages the form shows beside them, so not again here. */
  readonly besideFields?: readonly string[];
}

/** A failure the person must read: announced at once by screen readers. */
export function ProblemMessage({ problem, besideFields = [] }: ProblemMessageProps) {
  if (!problem) return null;
  const named = Object.keys(problem.fields);
  const allBeside = named.length > 0 && named.every((field) => besideFields.includes(field));
  return (
    <p class="problem" role="alert">
      {allBeside ? "The server refused this: see the message beside the field." : problem.message}
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
