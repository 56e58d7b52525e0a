import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FixtureRestorer } from "../../domain/fixtures.js";
import type { ProjectService } from "../../domain/project-service.js";
import type { TokenService } from "../../domain/token-service.js";
import { BODY_LIMIT_BYTES } from "../body-parsers.js";
import { HarnessCredentials } from "./harness-credentials.js";
import { mockControlRoutes } from "./mock-control-routes.js";
import { journalBody, MockJournal, queryParams } from "./mock-journal.js";
import { MockScenarios } from "./mock-scenarios.js";
import { wireViolations } from "./wire-violations.js";

/** Where mock mode's control API lives; requests to it are not journaled. */
const MOCK_PREFIX = "/__mock__";

/** What mock mode notes about a request when it arrives, for its journal entry. */
interface Arrival {
  readonly startedAt: number;
  readonly headers: Record<string, string>;
  readonly endpointId: string | null;
  raw: Buffer | undefined;
}

declare module "fastify" {
  interface FastifyRequest {
    mockArrival: Arrival | null;
  }
}

interface MockModeOptions {
  readonly projects: ProjectService;
  readonly tokens: TokenService;
  readonly fixtures: FixtureRestorer;
  /** The spec name of the surface a URL is on (`compatibility`), if it is on one. */
  readonly specOf: (url: string) => string | undefined;
}

function headersOf(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/**
 * The body as sent, read before anything else runs so the journal has it whatever the answer;
 * only a body of declared length within the API's limit (the API itself refuses the others).
 */
async function readDeclaredBody(request: FastifyRequest): Promise<Buffer | undefined> {
  const declared = Number(request.headers["content-length"]);
  if (!(declared > 0) || declared > BODY_LIMIT_BYTES) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of request.raw) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sendScenario(
  reply: FastifyReply,
  scenario: {
    status: number;
    response: unknown;
    headers: Record<string, string>;
    delay_ms: number;
  },
) {
  if (scenario.delay_ms > 0) await new Promise((resolve) => setTimeout(resolve, scenario.delay_ms));
  reply.code(scenario.status).headers(scenario.headers);
  if (scenario.status === 204 || scenario.status === 304 || scenario.response === null) {
    return reply.send();
  }
  return typeof scenario.response === "string"
    ? reply.type("text/plain; charset=utf-8").send(scenario.response)
    : reply.type("application/json; charset=utf-8").send(JSON.stringify(scenario.response));
}

/**
 * Mock mode: SignalWire's test-harness control API beside the real API. Every request outside
 * the control API is journaled; a staged scenario answers in the real API's place (nothing is
 * read or written); a project id the store does not know is provisioned with the token shown.
 */
export async function registerMockMode(
  app: FastifyInstance,
  options: MockModeOptions,
): Promise<void> {
  const journal = new MockJournal();
  const scenarios = new MockScenarios();
  const credentials = new HarnessCredentials(options.projects, options.tokens);
  const endpoints = new Set<string>();
  const endpointOf = (url: string, operation: string | undefined) => {
    const spec = operation === undefined ? undefined : options.specOf(url);
    return spec === undefined ? null : `${spec}.${operation}`;
  };

  app.decorateRequest("mockArrival", null);
  app.addHook("onRoute", (route) => {
    const endpoint = endpointOf(route.url, route.config?.operation);
    if (endpoint) endpoints.add(endpoint);
  });

  app.addHook("onRequest", async (request, reply) => {
    if (request.url.startsWith(MOCK_PREFIX)) return;
    const arrival: Arrival = {
      startedAt: Date.now(),
      headers: headersOf(request),
      endpointId: endpointOf(request.url, request.routeOptions.config?.operation),
      raw: await readDeclaredBody(request),
    };
    request.mockArrival = arrival;
    const scenario = arrival.endpointId
      ? scenarios.take(arrival.endpointId, arrival.headers.authorization)
      : undefined;
    if (scenario) return sendScenario(reply, scenario);
    const admitted = await credentials.admit(request.headers.authorization);
    if (admitted !== undefined) request.headers.authorization = admitted;
  });

  app.addHook("preParsing", async (request, _reply, payload) => {
    const raw = request.mockArrival?.raw;
    if (raw === undefined) return payload;
    return Object.assign(Readable.from([raw]), { receivedEncodedLength: raw.length });
  });

  // Journaled as the answer is sent, before its bytes leave: a client that has its answer finds
  // the call in the journal. Once the answer was written (onResponse), a journal read on another
  // connection could be handled first.
  app.addHook("onSend", (request, reply, payload, done) => {
    const arrival = request.mockArrival;
    if (!arrival) return done(null, payload);
    const rawUrl = request.raw.url ?? request.url;
    const query = queryParams(rawUrl);
    const contentType = arrival.headers["content-type"];
    const body = journalBody(arrival.raw, contentType);
    journal.record({
      timestamp: arrival.startedAt / 1000,
      method: request.method,
      path: rawUrl.split("?")[0] ?? rawUrl,
      query_params: query,
      headers: arrival.headers,
      body,
      matched_route: arrival.endpointId,
      response_status: reply.statusCode,
      wire_violations: arrival.endpointId
        ? wireViolations(
            request.routeOptions.schema,
            query,
            body,
            contentType?.includes("json") ? "json" : "text",
          )
        : [],
    });
    done(null, payload);
  });

  await app.register(mockControlRoutes, {
    prefix: MOCK_PREFIX,
    journal,
    scenarios,
    endpoints,
    resetState: async () => {
      const restored = await options.fixtures.restore();
      credentials.forget();
      return restored;
    },
  });
}
