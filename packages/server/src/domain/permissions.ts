import { PERMISSIONS, type Permission } from "@tokenspace/contract";

/**
 * The permission list is defined once, in the contract the server and the SDK share; the
 * server's rules about permissions live here.
 */
export { PERMISSIONS, type Permission };

const PERMISSION_SET: ReadonlySet<string> = new Set(PERMISSIONS);

/** Names people reach for that SignalWire spells differently (its own SDK example uses `voice`). */
const ALIASES: Readonly<Record<string, Permission>> = {
  voice: "calling",
  call: "calling",
  calls: "calling",
  sms: "messaging",
  mms: "messaging",
  message: "messaging",
  messages: "messaging",
  number: "numbers",
  phone_numbers: "numbers",
  admin: "management",
  manage: "management",
  task: "tasking",
  tasks: "tasking",
  faxes: "fax",
};

export function isPermission(value: unknown): value is Permission {
  return typeof value === "string" && PERMISSION_SET.has(value);
}

/**
 * Removes duplicates and sorts into canonical order. A list holds at most a few dozen items
 * (PERMISSION_LIST_MAX_ITEMS), so each permission is looked for in it rather than in a set
 * made for it on every create.
 */
export function canonicalPermissions(permissions: readonly Permission[]): Permission[] {
  return PERMISSIONS.filter((permission) => permissions.includes(permission));
}

/** The valid permission a person most likely meant, if any is close enough to suggest. */
export function suggestPermission(input: string): Permission | undefined {
  const normalized = input.trim().toLowerCase();
  if (isPermission(normalized)) return normalized;
  const alias = ALIASES[normalized];
  if (alias) return alias;
  let best: Permission | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const permission of PERMISSIONS) {
    const distance = editDistance(normalized, permission);
    if (distance < bestDistance) {
      best = permission;
      bestDistance = distance;
    }
  }
  return bestDistance <= 2 ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
