import type { FastifyInstance, FastifyReply } from "fastify";
import type { MockJournal } from "./mock-journal.js";
import { MAX_QUEUED_SCENARIOS, type MockScenarios, type Scenario } from "./mock-scenarios.js";

interface ControlOptions {
  readonly journal: MockJournal;
  readonly scenarios: MockScenarios;
  /** Every endpoint id the server answers, known once the routes are registered. */
  readonly endpoints: ReadonlySet<string>;
  /** Puts the store back to the fixtures; resolves to what they hold. */
  readonly resetState: () => Promise<{ readonly projects: number; readonly tokens: number }>;
}

const MAX_DELAY_MS = 60_000;
/** An HTTP header name (RFC 9110 token), and the headers the server frames the answer with. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FRAMING_HEADERS = new Set(["content-length", "transfer-encoding", "connection"]);

type Parsed =
  | { readonly scenario: Scenario }
  | { readonly error: string; readonly message?: string };

/** A scenario body as SignalWire's harnesses send it: `{status, response, headers?, delay_ms?}`. */
function parseScenario(text: string): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: "invalid_json" };
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { error: "body_must_be_object" };
  }
  const { status, response = null, headers = {}, delay_ms = 0 } = body as Record<string, unknown>;
  const invalid = (message: string) => ({ error: "invalid_scenario", message });
  if (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599) {
    return invalid("status must be an HTTP status code, an integer from 200 to 599.");
  }
  if (
    headers === null ||
    typeof headers !== "object" ||
    Array.isArray(headers) ||
    !Object.entries(headers).every(
      ([name, value]) =>
        HEADER_NAME.test(name) &&
        !FRAMING_HEADERS.has(name.toLowerCase()) &&
        typeof value === "string" &&
        !/[\r\n\0]/.test(value),
    )
  ) {
    return invalid(
      "headers must be an object of header names to string values (no Content-Length, Transfer-Encoding or Connection, no line breaks).",
    );
  }
  if (
    !Number.isInteger(delay_ms) ||
    (delay_ms as number) < 0 ||
    (delay_ms as number) > MAX_DELAY_MS
  ) {
    return invalid(`delay_ms must be an integer from 0 to ${MAX_DELAY_MS}.`);
  }
  return {
    scenario: {
      status: status as number,
      response,
      headers: headers as Record<string, string>,
      delay_ms: delay_ms as number,
    },
  };
}

const sessionOf = (query: unknown) => {
  const session = (query as { session_id?: unknown }).session_id;
  return typeof session === "string" && session !== "" ? session : undefined;
};

/** The control API of mock mode, in the shapes of SignalWire's test harnesses. */
export async function mockControlRoutes(app: FastifyInstance, options: ControlOptions) {
  const { journal, scenarios, endpoints } = options;
  // Scenario bodies are read as text and judged here, for the harnesses' own error bodies.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
  const hidden = { schema: { hide: true } };
  const known = () => [...endpoints].sort();

  app.get("/health", hidden, async () => {
    const specs = new Set(known().map((endpoint) => endpoint.split(".")[0]));
    return { status: "ok", specs_loaded: specs.size, total_routes: endpoints.size };
  });

  app.get("/journal", hidden, async (request) => journal.entries(sessionOf(request.query)));
  app.post("/journal/reset", hidden, async () => {
    journal.reset();
    return { status: "ok" };
  });

  app.post("/state/reset", hidden, async () => ({
    status: "ok",
    ...(await options.resetState()),
  }));

  app.get("/scenarios", hidden, async () => ({ scenarios: scenarios.list(), endpoints: known() }));
  app.post("/scenarios/reset", hidden, async () => {
    scenarios.reset();
    return { status: "ok" };
  });
  app.post<{ Params: { endpoint_id: string } }>(
    "/scenarios/:endpoint_id",
    hidden,
    async (request, reply: FastifyReply) => {
      const endpointId = request.params.endpoint_id;
      if (!endpoints.has(endpointId)) {
        return reply.code(404).send({
          error: "unknown_endpoint",
          message: `No endpoint is called "${endpointId}".`,
          endpoints: known(),
        });
      }
      const parsed = parseScenario(typeof request.body === "string" ? request.body : "");
      if ("error" in parsed) return reply.code(400).send(parsed);
      const queued = scenarios.push(endpointId, parsed.scenario, sessionOf(request.query));
      if (queued === undefined) {
        return reply.code(400).send({
          error: "too_many_scenarios",
          message: `${MAX_QUEUED_SCENARIOS} scenarios are waiting already; reset them or use some first.`,
        });
      }
      return { status: "ok", endpoint_id: endpointId, queued };
    },
  );
}
