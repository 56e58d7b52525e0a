/**
 * A value now, or a promise of it. The hot paths (a cached credential, a cached token) answer
 * without waiting on anything, and a promise at every layer of them was a measurable share of
 * each request; so they give values, and only what needs the store gives a promise.
 */
export type MaybeAsync<T> = T | Promise<T>;

/** `next` applied to a value: at once when it is here, once it is when it is a promise. */
export function whenReady<T, U>(
  value: MaybeAsync<T>,
  next: (ready: T) => MaybeAsync<U>,
): MaybeAsync<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
