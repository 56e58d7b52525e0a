import http from "node:http";
import https from "node:https";
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read wire JSON of many shapes and assert it with expect
  readonly body: any;
}

export interface RequestOptions {
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as application/x-www-form-urlencoded, exactly as given. */
  readonly form?: string;
  /** Sent as is, with whatever content type `headers` names. */
  readonly raw?: string | Uint8Array;
  readonly headers?: Record<string, string>;
  /** `null` sends no Authorization header. */
  readonly auth?: { readonly username: string; readonly password: string } | null;
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/**
 * Connections kept open between requests, as a client library keeps them. node:http rather than
 * fetch: the suite sends tens of thousands of requests, and fetch costs its process several
 * times the CPU per request.
 */
const AGENTS = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

/** One request; resolves with the status, the headers and the body as text. */
function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
): Promise<{ status: number; headers: Headers; text: string }> {
  const transport = url.protocol === "https:" ? https : http;
  const agent = url.protocol === "https:" ? AGENTS["https:"] : AGENTS["http:"];
  return new Promise((resolve, reject) => {
    const request = transport.request(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const received = new Headers();
        const raw = response.rawHeaders;
        for (let index = 0; index + 1 < raw.length; index += 2) {
          received.append(raw[index] ?? "", raw[index + 1] ?? "");
        }
        resolve({
          status: response.statusCode ?? 0,
          headers: received,
          text: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** A thin HTTP client for one server and one set of default credentials. */
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    readonly credentials: { readonly username: string; readonly password: string },
  ) {}

  withCredentials(username: string, password: string): HttpClient {
    return new HttpClient(this.baseUrl, { username, password });
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    const auth = options.auth === undefined ? this.credentials : options.auth;
    if (auth) headers.authorization = basic(auth.username, auth.password);
    let body: string | Uint8Array | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = options.form;
    } else if (options.raw !== undefined) {
      body = options.raw;
    }
    const response = await send(
      new URL(this.baseUrl + path),
      method,
      {
        ...headers,
        ...options.headers,
      },
      body,
    );
    const text = response.text;
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  }
}
