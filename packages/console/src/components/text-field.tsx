import type { ComponentChildren } from "preact";

interface TextFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
  /** The server's message about this field, shown beside it. */
  readonly error?: string | undefined;
  readonly type?: "text" | "password" | "search" | "datetime-local";
  readonly required?: boolean;
  readonly autoComplete?: string;
  readonly hint?: ComponentChildren;
}

/** A labelled input with its hint and its error, both tied to it for assistive technology. */
export function TextField(props: TextFieldProps) {
  const described = [props.hint ? `${props.id}-hint` : "", props.error ? `${props.id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        // Preact types `type` per value (tying `role` to it); a union of them does not narrow.
        type={(props.type ?? "text") as "text"}
        value={props.value}
        required={props.required}
        autoComplete={props.autoComplete ?? "off"}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described || undefined}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}
