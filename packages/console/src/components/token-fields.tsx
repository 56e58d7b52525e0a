import type { Permission } from "@tokenspace/sdk";
import type { Problem } from "../failure.js";
import { PermissionPicker } from "./permission-picker.js";
import { TextField } from "./text-field.js";

/** The request fields TokenFields shows messages beside. */
export const TOKEN_FIELDS = ["name", "permissions", "expires_at"] as const;

/** A token's editable fields as a form shows them. */
export interface TokenFieldValues {
  readonly name: string;
  readonly permissions: Permission[];
  /** As a datetime-local input holds it; empty for none. */
  readonly expiresAt: string;
}

interface TokenFieldsProps {
  readonly values: TokenFieldValues;
  readonly onChange: (values: TokenFieldValues) => void;
  readonly problem: Problem | undefined;
  readonly nameHint?: string;
}

/** Name, permissions and expiry, each with the server's message about it beside it. */
export function TokenFields({ values, onChange, problem, nameHint }: TokenFieldsProps) {
  const change = (changes: Partial<TokenFieldValues>) => onChange({ ...values, ...changes });
  return (
    <>
      <TextField
        id="name"
        label="Name"
        value={values.name}
        onInput={(name) => change({ name })}
        error={problem?.fields.name}
        hint={nameHint}
      />
      <PermissionPicker
        selected={values.permissions}
        onChange={(permissions) => change({ permissions })}
        error={problem?.fields.permissions}
      />
      <TextField
        id="expires-at"
        label="Expires"
        type="datetime-local"
        value={values.expiresAt}
        onInput={(expiresAt) => change({ expiresAt })}
        error={problem?.fields.expires_at}
        hint="Empty: the token does not expire."
      />
    </>
  );
}
