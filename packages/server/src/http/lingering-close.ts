import type { IncomingMessage } from "node:http";

/** The longest the rest of a request is read and dropped after an early answer, in all… */
const LINGER_MS = 5_000;
/** …and with nothing arriving (nginx's lingering_timeout), and how much of it at most. */
const LINGER_IDLE_MS = 1_000;
const LINGER_BYTES = 16 * 1024 * 1024;

/**
 * nginx's lingering close, for an answer sent before the request's body has arrived (413, 415,
 * 401, 429, …): the answer says `Connection: close`, and the connection is not closed the moment
 * the answer is out but once the client has finished sending or stopped, or after LINGER_MS or
 * LINGER_BYTES more, whichever comes first. Closing at once would leave unread bytes in the
 * socket, which makes the operating system answer the client's next packet with a reset, and
 * many clients (Node's fetch among them) then report the reset instead of the answer.
 */
export function lingerBeforeClosing(request: IncomingMessage): void {
  if (request.complete) return;
  const socket = request.socket;
  socket.destroySoon = () => {
    if (socket.writable) socket.end();
    let dropped = 0;
    const close = () => {
      clearTimeout(deadline);
      clearTimeout(idle);
      socket.destroy();
    };
    const deadline = setTimeout(close, LINGER_MS);
    let idle = setTimeout(close, LINGER_IDLE_MS);
    // The rest of the body keeps flowing through the HTTP parser into the request, which no
    // one reads any more; counting it here bounds how much is taken.
    socket.on("data", (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) return close();
      clearTimeout(idle);
      idle = setTimeout(close, LINGER_IDLE_MS);
    });
    request.once("end", close);
    socket.once("end", close);
    socket.once("close", () => {
      clearTimeout(deadline);
      clearTimeout(idle);
    });
    request.resume();
  };
}
