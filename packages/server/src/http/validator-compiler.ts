import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";

function createAjv(options: Options, ids: RegExp | undefined): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  if (ids) ajv.addFormat("uuid", ids);
  else addFormats.default(ajv, ["uuid"]);
  return ajv;
}

/**
 * One compiler per id format, for the life of the process: Ajv keeps what it compiled by schema,
 * and the schemas are the same objects in every server built here (tests build hundreds), so a
 * route's validator is compiled once, not once per server.
 */
const compilers = new Map<string, FastifySchemaCompiler<unknown>>();

/**
 * Bodies are validated exactly as sent (no coercion, no silently dropped fields, every problem
 * reported), while path and query strings, which are text by nature, are coerced to the
 * schema's types. `ids`, when given, is what an id must look like instead of a UUID (mock mode
 * takes the ids test harnesses invent).
 */
export function createValidatorCompiler(ids?: RegExp): FastifySchemaCompiler<unknown> {
  const key = ids?.source ?? "uuid";
  let compiler = compilers.get(key);
  if (!compiler) {
    const strict = createAjv(
      { coerceTypes: false, removeAdditional: false, useDefaults: false },
      ids,
    );
    const coercing = createAjv(
      { coerceTypes: true, removeAdditional: false, useDefaults: true },
      ids,
    );
    compiler = ({ schema, httpPart }) =>
      (httpPart === "body" ? strict : coercing).compile(schema as object) as ReturnType<
        FastifySchemaCompiler<unknown>
      >;
    compilers.set(key, compiler);
  }
  return compiler;
}
