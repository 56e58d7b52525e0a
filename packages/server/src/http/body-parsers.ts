import type { FastifyInstance, FastifyRequest } from "fastify";
import { MAX_JSON_DEPTH, nestsDeeperThan, tooDeep } from "./body-limits.js";

export const BODY_LIMIT_BYTES = 1024 * 1024;
export const SUPPORTED_CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded"];

type FormValue = string | string[];

interface BodySchema {
  readonly properties?: Record<string, { readonly type?: string }>;
}

/**
 * Both content types every write accepts. Form bodies follow the conventions SignalWire's
 * clients use: a repeated key or a `key[]` key is a list, and a single key is a list of one
 * where the route's schema expects a list.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit: BODY_LIMIT_BYTES },
    (request, body, done) => {
      const text = String(body);
      if (text === "") {
        done(null, undefined);
        return;
      }
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
        done(tooDeep(), undefined);
        return;
      }
      parseJson(request, text, done);
    },
  );
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: BODY_LIMIT_BYTES },
    (request, body, done) => {
      done(null, parseForm(String(body), listFields(request)));
    },
  );
}

function listFields(request: FastifyRequest): ReadonlySet<string> {
  const properties =
    (request.routeOptions.schema?.body as BodySchema | undefined)?.properties ?? {};
  return new Set(
    Object.entries(properties)
      .filter(([, schema]) => schema.type === "array")
      .map(([name]) => name),
  );
}

function parseForm(body: string, listFieldNames: ReadonlySet<string>): Record<string, FormValue> {
  const fields: Record<string, FormValue> = Object.create(null);
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const bracketed = rawKey.endsWith("[]");
    const key = bracketed ? rawKey.slice(0, -2) : rawKey;
    const existing = fields[key];
    if (existing === undefined) {
      fields[key] = bracketed || listFieldNames.has(key) ? [value] : value;
    } else if (Array.isArray(existing)) {
      existing.push(value);
    } else {
      fields[key] = [existing, value];
    }
  }
  return fields;
}
