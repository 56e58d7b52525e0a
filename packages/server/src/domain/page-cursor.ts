import { MalformedRequestError } from "./errors.js";

/**
 * Where a page starts: after (or before) a position in a list, and the page's number. Encoded
 * as an opaque PageToken; a cursor pages by key, so its cost does not grow with the page number.
 */
export interface PageCursor {
  readonly direction: "after" | "before";
  readonly position: number;
  readonly page: number;
}

const PREFIX = "PA";

export function encodePageToken(cursor: PageCursor): string {
  const payload = [cursor.direction === "after" ? "a" : "b", cursor.position, cursor.page].join(
    ".",
  );
  return PREFIX + Buffer.from(payload, "utf8").toString("base64url");
}

export function decodePageToken(token: string): PageCursor {
  const payload = token.startsWith(PREFIX)
    ? Buffer.from(token.slice(PREFIX.length), "base64url").toString("utf8")
    : "";
  const match = /^([ab])\.(\d{1,16})\.(\d{1,9})$/.exec(payload);
  if (!match || !Number.isSafeInteger(Number(match[2]))) {
    throw new MalformedRequestError(
      "PageToken is not one this server issued. Follow next_page_uri or previous_page_uri from a list response, or start again without PageToken.",
    );
  }
  return {
    direction: match[1] === "a" ? "after" : "before",
    position: Number(match[2]),
    page: Number(match[3]),
  };
}
