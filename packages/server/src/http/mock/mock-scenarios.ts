/** An answer staged for the next request to an endpoint, as the control API takes it. */
export interface Scenario {
  readonly status: number;
  readonly response: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly delay_ms: number;
}

interface Queued extends Scenario {
  readonly endpoint_id: string;
  /** Only the client whose Authorization header this is gets it; anyone when null. */
  readonly session_id: string | null;
}

/** Scenarios waiting at once, at most: each holds an answer of up to the body limit. */
export const MAX_QUEUED_SCENARIOS = 1000;

/**
 * Staged answers per endpoint, each used once, in the order they were staged. A request takes
 * the first one staged for its own session, or else the first staged for anyone.
 */
export class MockScenarios {
  #queued: Queued[] = [];

  /** Queues the scenario; returns how many wait for its endpoint, or undefined when full. */
  push(endpointId: string, scenario: Scenario, session: string | undefined): number | undefined {
    if (this.#queued.length >= MAX_QUEUED_SCENARIOS) return undefined;
    this.#queued.push({ ...scenario, endpoint_id: endpointId, session_id: session ?? null });
    return this.#queued.filter((queued) => queued.endpoint_id === endpointId).length;
  }

  /** The scenario the request gets, removed from the queue; undefined when none waits. */
  take(endpointId: string, authorization: string | undefined): Scenario | undefined {
    const index =
      this.#find(endpointId, (session) => session !== null && session === authorization) ??
      this.#find(endpointId, (session) => session === null);
    if (index === undefined) return undefined;
    const [taken] = this.#queued.splice(index, 1);
    return taken;
  }

  list(): readonly Queued[] {
    return this.#queued;
  }

  reset(): void {
    this.#queued = [];
  }

  #find(endpointId: string, sessionMatches: (session: string | null) => boolean) {
    const index = this.#queued.findIndex(
      (queued) => queued.endpoint_id === endpointId && sessionMatches(queued.session_id),
    );
    return index === -1 ? undefined : index;
  }
}
