import fastJsonStringify from "fast-json-stringify";
import type { FastifySerializerCompiler } from "fastify/types/schema.js";

/** Each response schema's serializer, by the schema object, for the life of the process. */
const serializers = new WeakMap<object, (data: unknown) => string>();

/**
 * Fastify's own response serialization (fast-json-stringify, no shared schemas), built once per
 * schema rather than once per server: the schemas are the same objects in every server built in
 * one process, and building them was a third of a server's start.
 */
export const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  let serialize = serializers.get(schema as object);
  if (!serialize) {
    serialize = fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]);
    serializers.set(schema as object, serialize);
  }
  return serialize;
};
