import type { Permission } from "@tokenspace/sdk";

export function PermissionChips({ permissions }: { permissions: readonly Permission[] }) {
  return (
    <ul class="chips" aria-label="Permissions">
      {permissions.map((permission) => (
        <li key={permission} class="chip">
          {permission}
        </li>
      ))}
    </ul>
  );
}
