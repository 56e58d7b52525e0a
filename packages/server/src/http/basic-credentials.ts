import { boundedCache } from "../domain/bounded-cache.js";
import { AuthenticationError } from "../domain/errors.js";

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HOW_TO =
  "send HTTP Basic credentials: your project id as the username and an API token as the password";

/**
 * Headers read lately, and what they held. A client sends the same header with every request,
 * and reading it again (two patterns, base64, UTF-8) was a twentieth of a forward-auth check.
 * Like the credential cache, this memory holds secrets in clear. Only well-formed headers up
 * to REMEMBERED_HEADER_LENGTH are kept (a project id and a token make about 120 characters),
 * at most HEADERS_KEPT of them: a few megabytes, whatever clients send.
 */
const HEADERS_KEPT = 10_000;
const REMEMBERED_HEADER_LENGTH = 256;
const headersRead = boundedCache<string, BasicCredentials>(HEADERS_KEPT);

/** Reads `Authorization: Basic base64(project_id:api_token)`; any other shape is refused. */
export function parseBasicCredentials(header: string | undefined): BasicCredentials {
  if (header === undefined || header.length > REMEMBERED_HEADER_LENGTH) {
    return readBasicCredentials(header);
  }
  let credentials = headersRead.get(header);
  if (!credentials) {
    credentials = readBasicCredentials(header);
    headersRead.set(header, credentials);
  }
  return credentials;
}

/** The credentials of a well-formed header; undefined for any other, with nothing thrown. */
export function heldBasicCredentials(header: string | undefined): BasicCredentials | undefined {
  try {
    return parseBasicCredentials(header);
  } catch (error) {
    if (error instanceof AuthenticationError) return undefined;
    throw error;
  }
}

function readBasicCredentials(header: string | undefined): BasicCredentials {
  if (header === undefined || header.trim() === "") {
    throw new AuthenticationError(`Authentication required: ${HOW_TO}.`);
  }
  const match = /^Basic +(\S+)\s*$/i.exec(header);
  const encoded = match?.[1];
  if (!encoded) {
    throw new AuthenticationError(`The Authorization header must use the Basic scheme: ${HOW_TO}.`);
  }
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
    throw new AuthenticationError(
      "The Basic credentials are not valid base64 of project_id:api_token.",
    );
  }
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const username = colon === -1 ? "" : decoded.slice(0, colon);
  const password = colon === -1 ? "" : decoded.slice(colon + 1);
  if (username === "" || password === "") {
    throw new AuthenticationError(
      "The Basic credentials must be project_id:api_token, with both parts present.",
    );
  }
  return { username, password };
}
