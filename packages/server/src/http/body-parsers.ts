import type { FastifyInstance, FastifyRequest } from "fastify";
import { JsonShapeScanner } from "./body-limits.js";

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
  // JSON is read as it arrives and scanned on the way: a body that cannot be valid is refused
  // after its first chunk, before the rest is read or anything is parsed.
  app.addContentTypeParser("application/json", (request, payload, done) => {
    const declared = Number(request.headers["content-length"]);
    if (declared > BODY_LIMIT_BYTES) {
      leaveUnread(request);
      done(tooLarge(), undefined);
      return;
    }
    const scanner = new JsonShapeScanner();
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) return refuse(tooLarge());
      chunks.push(chunk);
      const refusal = scanner.feed(chunk);
      if (refusal) refuse(refusal);
    };
    // A refused body is not read on: it stops being listened to. A body read to its end needs
    // nothing undone (removing a listener turns the stream's listener table into a slow one).
    const refuse = (error: Error) => {
      if (settled) return;
      settled = true;
      payload.removeListener("data", onData);
      leaveUnread(request);
      done(error, undefined);
    };
    payload.on("data", onData);
    payload.on("error", refuse);
    payload.on("end", () => {
      if (settled) return;
      settled = true;
      const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString(
        "utf8",
      );
      if (text === "") return done(null, undefined);
      parseJson(request, text, (error, body) => {
        if (error) leaveUnread(request);
        done(error, body);
      });
    });
  });
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: BODY_LIMIT_BYTES },
    (request, body, done) => {
      done(null, parseForm(String(body), listFields(request)));
    },
  );
}

/**
 * A refused body is not read to its end: the answer closes the connection instead, so the
 * rest of the body costs nothing.
 */
function leaveUnread(request: FastifyRequest): void {
  request.bodyLeftUnread = true;
}

function tooLarge(): Error {
  return Object.assign(
    new Error(`The request body is larger than the ${BODY_LIMIT_BYTES / 1024 / 1024} MiB limit.`),
    { code: "FST_ERR_CTP_BODY_TOO_LARGE", statusCode: 413 },
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
