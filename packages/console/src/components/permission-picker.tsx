import { PERMISSION_DESCRIPTIONS, PERMISSIONS, type Permission } from "@tokenspace/sdk";

interface PermissionPickerProps {
  readonly selected: readonly Permission[];
  readonly onChange: (selected: Permission[]) => void;
  readonly error?: string | undefined;
}

/** The eleven permissions as checkboxes, each with what it allows. */
export function PermissionPicker({ selected, onChange, error }: PermissionPickerProps) {
  const toggle = (permission: Permission, on: boolean) =>
    onChange(PERMISSIONS.filter((each) => (each === permission ? on : selected.includes(each))));
  return (
    <fieldset class="permissions" aria-describedby={error ? "permissions-error" : undefined}>
      <legend>Permissions</legend>
      <ul>
        {PERMISSIONS.map((permission) => (
          <li key={permission}>
            <input
              type="checkbox"
              id={`permission-${permission}`}
              checked={selected.includes(permission)}
              aria-describedby={`permission-${permission}-description`}
              onChange={(event) => toggle(permission, event.currentTarget.checked)}
            />
            <label for={`permission-${permission}`}>{permission}</label>
            <span class="hint" id={`permission-${permission}-description`}>
              {PERMISSION_DESCRIPTIONS[permission]}
            </span>
          </li>
        ))}
      </ul>
      {error && (
        <p class="field-error" id="permissions-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
