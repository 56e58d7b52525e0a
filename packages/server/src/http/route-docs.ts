import type { TSchema } from "@sinclair/typebox";
import { BASIC_AUTH } from "./schemas.js";

/** A route's own part of its OpenAPI entry. */
interface RouteDocParts {
  readonly params?: TSchema;
  readonly querystring?: TSchema;
  readonly body?: TSchema;
  readonly response: Readonly<Record<number, TSchema | object>>;
}

/** A 204's entry: no body. */
export const NO_CONTENT = { 204: { type: "null", description: "Deleted." } };

/**
 * The OpenAPI entries of a group of routes: each route's schema gets the group's tags, Basic
 * auth, and the surface's error responses beside its own.
 */
export function routeDocs(tags: readonly string[], errors: Readonly<Record<number, TSchema>>) {
  /** `operation`: its operationId in SignalWire's spec, or a name in the same style. */
  return (operation: string, summary: string, { response, ...parts }: RouteDocParts) => ({
    config: { operation },
    schema: {
      summary,
      tags: [...tags],
      security: BASIC_AUTH,
      ...parts,
      response: { ...response, ...errors },
    },
  });
}
