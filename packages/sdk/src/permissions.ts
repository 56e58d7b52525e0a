/**
 * The permissions an API token can hold, in SignalWire's canonical order. This is the one
 * definition: the Tokenspace server imports it from here.
 */
export const PERMISSIONS = [
  "calling",
  "chat",
  "datasphere",
  "fax",
  "management",
  "messaging",
  "numbers",
  "pubsub",
  "storage",
  "tasking",
  "video",
] as const;

export type Permission = (typeof PERMISSIONS)[number];
