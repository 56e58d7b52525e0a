import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/**
 * The console's page may load its own scripts, styles and data from this server and nothing
 * else: no inline script, no other origin, no framing.
 */
const CONSOLE_HEADERS = {
  "content-security-policy": [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

/** Built files carry a hash of their content in their name, so they never change. */
const HASHED_ASSET_CACHE = "public, max-age=31536000, immutable";
/** The page names the current hashed files, so it is checked on every load. */
const PAGE_CACHE = "no-cache";

/** The @tokenspace/console package's build directory; undefined when it is not installed. */
function packagedConsole(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve("@tokenspace/console/package.json");
    return join(dirname(manifest), "dist");
  } catch {
    return undefined;
  }
}

/**
 * The built console to serve: the given directory, or by default the @tokenspace/console
 * package's build (`npm run build` makes it); undefined when there is no build there.
 */
export function consoleDirectory(directory = packagedConsole()): string | undefined {
  return directory !== undefined && existsSync(join(directory, "index.html"))
    ? directory
    : undefined;
}

/**
 * The admin console at /console: the page, its hashed assets (sent Brotli- or gzip-compressed
 * as the browser accepts), and the security headers that bind it.
 */
export async function consoleRoutes(
  app: FastifyInstance,
  { directory }: { directory: string | undefined },
) {
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(CONSOLE_HEADERS);
    done();
  });
  if (directory === undefined) {
    app.get("/", { schema: { hide: true } }, (_request, reply) =>
      reply.code(503).send({
        error: "The console is not built here: run `npm run build`, then restart the server.",
      }),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: directory,
    prefix: "/",
    index: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (response, path) =>
      response.header(
        "cache-control",
        path.includes(`${sep}assets${sep}`) ? HASHED_ASSET_CACHE : PAGE_CACHE,
      ),
  });
  app.get("/", { schema: { hide: true } }, (_request, reply) => reply.sendFile("index.html"));
}
