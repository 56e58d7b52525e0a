import { createServer, type Server } from "node:http";

/** Node's incoming headers as the verifier takes them: one string each. */
export function normalizedHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(", ") : (value ?? ""),
    ]),
  );
}

export interface Delivery {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A real HTTP receiver that refuses the first `failures` deliveries with 503 (all, if Infinity). */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  attempts = 0;
  failures = 0;
  readonly #server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      this.attempts++;
      if (this.failures > 0) {
        this.failures--;
        response.writeHead(503).end();
        return;
      }
      this.deliveries.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });

  /** Listens on `port` (a free one by default); resolves to the URL to deliver to. */
  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(port, "127.0.0.1", resolve));
    const address = this.#server.address();
    return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/hook`;
  }

  async waitFor(count: number): Promise<Delivery[]> {
    for (let waited = 0; this.deliveries.length < count && waited < 10_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.deliveries;
  }

  /** The first delivery `matches` accepts, once it has arrived (undefined after 10 s). */
  async waitForOne(matches: (delivery: Delivery) => boolean): Promise<Delivery | undefined> {
    for (let waited = 0; waited < 10_000; waited += 20) {
      const found = this.deliveries.find(matches);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.deliveries.find(matches);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
