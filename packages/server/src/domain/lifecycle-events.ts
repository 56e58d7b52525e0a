/** A change other systems may want to hear of at once: a token gone, expired or rerolled. */
export interface LifecycleEvent {
  readonly type: "token.deleted" | "token.expired" | "token.rerolled";
  readonly token: { readonly id: string; readonly projectId: string; readonly name: string };
  readonly occurredAt: Date;
}

/**
 * Where lifecycle events go (the webhook, when one is configured). Publishing never blocks
 * or fails the change: delivery happens afterwards, with its own retries.
 */
export interface LifecycleEvents {
  publish(event: LifecycleEvent): void;
}

export const NO_LIFECYCLE_EVENTS: LifecycleEvents = { publish: () => {} };
