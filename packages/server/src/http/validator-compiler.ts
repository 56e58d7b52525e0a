import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats.default(ajv, ["uuid"]);
  return ajv;
}

/**
 * Bodies are validated exactly as sent (no coercion, no silently dropped fields, every problem
 * reported), while path and query strings, which are text by nature, are coerced to the
 * schema's types.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = createAjv({ coerceTypes: false, removeAdditional: false, useDefaults: false });
  const coercing = createAjv({ coerceTypes: true, removeAdditional: false, useDefaults: true });
  return ({ schema, httpPart }) =>
    (httpPart === "body" ? strict : coercing).compile(schema as object) as ReturnType<
      FastifySchemaCompiler<unknown>
    >;
}
