import type { Account } from "@tokenspace/contract";
import type { ProjectRecord } from "../domain/store.js";

/** RFC 2822, as the compatibility API writes dates: `Sat, 15 Sep 2018 10:00:00 +0000`. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

const SUBRESOURCES = {
  available_phone_numbers: "AvailablePhoneNumbers",
  applications: "Applications",
  calls: "Calls",
  conferences: "Conferences",
  incoming_phone_numbers: "IncomingPhoneNumbers",
  queues: "Queues",
  recordings: "Recordings",
  messages: "Messages",
  transcriptions: "Transcriptions",
} as const;

/**
 * The compatibility account object for a project, with URIs under the surface's prefix. The
 * signing key is given only when the project was just created: every later read shows null.
 */
export function toCompatAccount(
  project: ProjectRecord,
  prefix: string,
  signingKey: string | null = null,
): Account {
  const uri = `${prefix}/Accounts/${project.id}`;
  const linked = Object.fromEntries(
    Object.entries(SUBRESOURCES).map(([key, resource]) => [key, `${uri}/${resource}`]),
  ) as Record<keyof typeof SUBRESOURCES, string>;
  return {
    sid: project.id,
    friendly_name: project.friendlyName,
    status: "active",
    auth_token: "redacted",
    date_created: rfc2822(project.createdAt),
    date_updated: rfc2822(project.updatedAt),
    type: "Full",
    owner_account_sid: project.parentId ?? project.id,
    region_preference: "us-east",
    uri,
    subproject: project.parentId !== null,
    signing_key: signingKey,
    subresource_uris: {
      addresses: null,
      authorized_connect_apps: null,
      connect_apps: null,
      keys: null,
      notifications: null,
      outgoing_caller_ids: null,
      sandbox: null,
      sip: null,
      short_codes: null,
      usage: null,
      ...linked,
    },
  };
}
