import type { WebhookEventType, WebhookPayload } from "@tokenspace/contract";
import { newId } from "./identifiers.js";

/** The changes other systems may want to hear of at once: a token gone, expired or rerolled. */
export type LifecycleEventType = WebhookEventType;

/** The token an event is about, as its announcement shows it (never its secret). */
interface EventToken {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
}

/**
 * An event to deliver, written in the same transaction as the change it announces (the webhook
 * outbox), so that a change and its announcement are stored together or not at all.
 */
export interface Announcement {
  /** The delivery's id (`msg_…`), the same in every attempt: receivers deduplicate by it. */
  readonly id: string;
  readonly type: LifecycleEventType;
  readonly projectId: string;
  /** The body delivered: `{"type", "timestamp", "data": {"token": {…}}}` (Standard Webhooks). */
  readonly payload: string;
  readonly createdAt: Date;
}

export function announcement(
  type: LifecycleEventType,
  token: EventToken,
  occurredAt: Date,
): Announcement {
  return {
    id: `msg_${newId().replaceAll("-", "")}`,
    type,
    projectId: token.projectId,
    payload: JSON.stringify({
      type,
      timestamp: occurredAt.toISOString(),
      data: { token: { id: token.id, project_id: token.projectId, name: token.name } },
    } satisfies WebhookPayload),
    createdAt: occurredAt,
  };
}

/**
 * Where lifecycle events go (the webhook, when one is configured): whether changes should write
 * their announcements at all, and a nudge after one was written, so it is delivered at once
 * rather than at the deliverer's next look.
 */
export interface LifecycleEvents {
  readonly announcing: boolean;
  announced(): void;
}

export const NO_LIFECYCLE_EVENTS: LifecycleEvents = { announcing: false, announced: () => {} };
