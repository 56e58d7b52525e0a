/**
 * The most of an error answer's body (or of a retried one's) the SDK reads. Tokenspace's and
 * SignalWire's error bodies are a few hundred bytes; a server that sends more is cut off there,
 * so one misbehaving server cannot cost its client unbounded memory or a read that never ends.
 */
export const ERROR_BODY_LIMIT = 64 * 1024;

/** The body as text, up to `limit` bytes; the rest is cancelled unread. */
export async function readTextUpTo(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const decoder = new TextDecoder();
  let text = "";
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    const room = limit - read;
    read += value.byteLength;
    if (read > limit) {
      await reader.cancel();
      return text + decoder.decode(value.subarray(0, room));
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** JSON when the text is JSON, the text itself otherwise, undefined when empty. */
export function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
