import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { FAILURES, type Failure, failure } from "./failure.js";

/**
 * Answers the failures Node's HTTP server finds before Fastify sees a request (headers or a
 * whole request too slow, headers too large, broken framing) in the shape of the surface the
 * request was addressed to, and closes the connection as Node would. The path comes from the
 * request in flight on the connection (a slow body) or from the bytes Node hands over (headers
 * too large, broken framing); a request whose headers never completed has no known path, and
 * its 408 takes the plain `{"error": …}` shape of paths outside every surface.
 */
export class ParserFailures {
  /** The URL each connection is serving now, for a timeout that strikes during its body. */
  readonly #inFlight = new WeakMap<Socket, string>();

  constructor(private readonly render: (url: string, failed: Failure) => object) {}

  /** Called when a request's headers are in; the connection serves that URL until it ends. */
  started(socket: Socket, url: string): void {
    this.#inFlight.set(socket, url);
  }

  finished(socket: Socket): void {
    this.#inFlight.delete(socket);
  }

  /** A Fastify `clientErrorHandler`. */
  readonly handle = (error: Error & { code?: string; rawPacket?: unknown }, socket: Socket) => {
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    const failed = classify(error.code);
    const raw = Buffer.isBuffer(error.rawPacket) ? error.rawPacket : undefined;
    const url = this.#inFlight.get(socket) ?? requestLine(raw) ?? "";
    const body = JSON.stringify(this.render(url, failed));
    const status = FAILURES[failed.kind].status;
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

function classify(code: string | undefined): Failure {
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return failure(
      "request_timeout",
      "The request was not received in time (headers and body must arrive within the server's limits); send it again, whole.",
    );
  }
  if (code === "HPE_HEADER_OVERFLOW") {
    return failure(
      "headers_too_large",
      "The request line and headers are larger than the server accepts (16 KiB); send a shorter URL or fewer headers.",
    );
  }
  return failure("bad_request", "The request is not valid HTTP and cannot be processed.");
}

/** The path of the request line in the bytes received so far, if they hold one. */
function requestLine(raw: Buffer | undefined): string | undefined {
  if (!raw) return undefined;
  return /^[A-Z]+ (\/\S*)/.exec(raw.subarray(0, 16_384).toString("latin1"))?.[1];
}
