import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type FrontBehaviour = (
  request: IncomingMessage,
  response: ServerResponse,
  forward: () => void,
) => void;

/**
 * A real HTTP server in front of Tokenspace whose answers the test decides: it can refuse,
 * stall, drop the connection, or forward the request to Tokenspace untouched.
 */
export class FrontServer {
  readonly #server: Server;
  readonly requests: string[] = [];
  #behaviour: FrontBehaviour = (_request, _response, forward) => forward();

  constructor(private readonly upstream: string) {
    this.#server = createServer((request, response) => {
      this.requests.push(`${request.method} ${request.url}`);
      this.#behaviour(request, response, () => this.#forward(request, response));
    });
  }

  get url(): string {
    const address = this.#server.address();
    return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  }

  behave(behaviour: FrontBehaviour): void {
    this.#behaviour = behaviour;
    this.requests.length = 0;
  }

  start(): Promise<void> {
    return new Promise((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(
        (entry): entry is [string, string] => typeof entry[1] === "string" && entry[0] !== "host",
      ),
    );
    const upstream = await fetch(this.upstream + (request.url ?? "/"), {
      method: request.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    response.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    response.end(Buffer.from(await upstream.arrayBuffer()));
  }
}
