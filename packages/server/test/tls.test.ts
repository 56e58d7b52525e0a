import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { loadConfig } from "../src/runtime/config.js";
import { loadTlsCredentials } from "../src/runtime/tls-certificates.js";
import { runCli, serve } from "./support/cli.js";
import { basic } from "./support/http-client.js";
import { createTestDatabase, TEST_STORE } from "./support/test-database.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
}

/** One GET over HTTPS, trusting exactly the CA given (or only the system's, without one). */
function httpsGet(url: string, options: { ca?: string; authorization?: string } = {}) {
  return new Promise<HttpsAnswer>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        ...(options.ca !== undefined && { ca: options.ca }),
        headers: options.authorization ? { authorization: options.authorization } : {},
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end();
  });
}

/**
 * A SQLite store keeps the local CA beside its file; a PostgreSQL store has no such place, so
 * the tests name one (TOKENSPACE_TLS_DIR) instead of letting it default to ./data.
 */
function tlsDirectory(directory: string): Record<string, string> {
  return TEST_STORE === "postgres" ? { TOKENSPACE_TLS_DIR: directory } : {};
}

const tokensPath = (server: TestServer) =>
  `/api/laml/2010-04-01/Accounts/${server.projectId}/tokens`;

describe("HTTPS", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const selfSigned = (hosts = "") => {
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-tls-"));
    return startTestServer({
      directory,
      env: {
        TOKENSPACE_TLS: "self-signed",
        TOKENSPACE_TLS_HOSTS: hosts,
        ...tlsDirectory(directory),
      },
    });
  };

  test("plain HTTP stays the default", async () => {
    server = await startTestServer();
    expect(server.url).toMatch(/^http:\/\//);
    expect(server.server.tls).toBeUndefined();
  });

  test("TOKENSPACE_TLS=self-signed serves the API over HTTPS to a client that trusts the local CA", async () => {
    server = await selfSigned();
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const caFile = server.server.tls?.caFile ?? "";
    const answer = await httpsGet(server.url + tokensPath(server), {
      ca: readFileSync(caFile, "utf8"),
      authorization: basic(server.projectId, server.token),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).tokens).toHaveLength(1);
  });

  test("a client that does not trust the local CA refuses the connection", async () => {
    server = await selfSigned();
    await expect(httpsGet(server.url + tokensPath(server))).rejects.toMatchObject({
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
  });

  test("the local CA and server certificate go beside the database, private keys mode 0600", async () => {
    server = await selfSigned();
    const caFile = server.server.tls?.caFile ?? "";
    expect(caFile).toBe(join(server.directory, "tokenspace-ca.pem"));
    for (const key of ["tokenspace-ca-key.pem", "tokenspace-server-key.pem"]) {
      expect(statSync(join(server.directory, key)).mode & 0o777).toBe(0o600);
    }
    const ca = new X509Certificate(readFileSync(caFile));
    expect(ca.ca).toBe(true);
    const leaf = new X509Certificate(readFileSync(join(server.directory, "tokenspace-server.pem")));
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.ca).toBe(false);
  });

  test("the server certificate names localhost, 127.0.0.1, ::1 and every TOKENSPACE_TLS_HOSTS entry", async () => {
    server = await selfSigned("tokenspace.test, 10.1.2.3");
    const leaf = new X509Certificate(readFileSync(join(server.directory, "tokenspace-server.pem")));
    expect(leaf.checkHost("localhost")).toBe("localhost");
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(leaf.checkIP("::1")).toBe("::1");
    expect(leaf.checkHost("tokenspace.test")).toBe("tokenspace.test");
    expect(leaf.checkIP("10.1.2.3")).toBe("10.1.2.3");
  });

  test("a restart keeps the CA, so clients trusting it keep working", async () => {
    server = await selfSigned();
    const caFile = server.server.tls?.caFile ?? "";
    const before = readFileSync(caFile, "utf8");
    server = await server.restart();
    expect(readFileSync(caFile, "utf8")).toBe(before);
    const answer = await httpsGet(server.url + tokensPath(server), {
      ca: before,
      authorization: basic(server.projectId, server.token),
    });
    expect(answer.status).toBe(200);
  });

  test("a new name in TOKENSPACE_TLS_HOSTS gets a new server certificate from the same CA", async () => {
    server = await selfSigned();
    const ca = readFileSync(join(server.directory, "tokenspace-ca.pem"), "utf8");
    await server.close();
    server = await startTestServer({
      directory: server.directory,
      database: server.database,
      env: {
        TOKENSPACE_TLS: "self-signed",
        TOKENSPACE_TLS_HOSTS: "added.test",
        ...tlsDirectory(server.directory),
      },
    });
    expect(readFileSync(join(server.directory, "tokenspace-ca.pem"), "utf8")).toBe(ca);
    const leaf = new X509Certificate(readFileSync(join(server.directory, "tokenspace-server.pem")));
    expect(leaf.checkHost("added.test")).toBe("added.test");
  });

  test("TOKENSPACE_TLS_CERT and TOKENSPACE_TLS_KEY serve HTTPS with the operator's files", async () => {
    const issuer = await selfSigned();
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-own-cert-"));
    copyFileSync(join(issuer.directory, "tokenspace-server.pem"), join(directory, "cert.pem"));
    copyFileSync(join(issuer.directory, "tokenspace-server-key.pem"), join(directory, "key.pem"));
    const ca = readFileSync(join(issuer.directory, "tokenspace-ca.pem"), "utf8");
    await issuer.close();
    server = await startTestServer({
      env: {
        TOKENSPACE_TLS_CERT: join(directory, "cert.pem"),
        TOKENSPACE_TLS_KEY: join(directory, "key.pem"),
      },
    });
    expect(server.server.tls?.caFile).toBeUndefined();
    const answer = await httpsGet(server.url + tokensPath(server), {
      ca,
      authorization: basic(server.projectId, server.token),
    });
    expect(answer.status).toBe(200);
  });
});

describe("certificate problems stop the start with one line naming the file", () => {
  let files: { directory: string; cert: string; key: string; otherKey: string };

  const prepare = async () => {
    const issued = mkdtempSync(join(tmpdir(), "tokenspace-issuer-"));
    const issuer = await startTestServer({
      directory: issued,
      env: { TOKENSPACE_TLS: "self-signed", ...tlsDirectory(issued) },
    });
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-bad-cert-"));
    files = {
      directory,
      cert: join(issuer.directory, "tokenspace-server.pem"),
      key: join(issuer.directory, "tokenspace-server-key.pem"),
      otherKey: join(issuer.directory, "tokenspace-ca-key.pem"),
    };
    for (const [name, from] of Object.entries({
      "cert.pem": files.cert,
      "key.pem": files.key,
      "other-key.pem": files.otherKey,
    })) {
      copyFileSync(from, join(directory, name));
    }
    files = {
      directory,
      cert: join(directory, "cert.pem"),
      key: join(directory, "key.pem"),
      otherKey: join(directory, "other-key.pem"),
    };
    await issuer.close();
  };

  const start = async (env: Record<string, string>) => {
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-tls-start-"));
    const database = await createTestDatabase(directory);
    const result = await runCli(["serve", "--port", "0"], {
      env: { ...database.env, DATABASE_URL: database.url, ...env },
    });
    return { ...result, database };
  };

  const expectRefused = (
    result: { code: number; stderr: string; stdout: string },
    fragment: string,
  ) => {
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain("Tokenspace is listening");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(fragment);
  };

  /**
   * What a start with these settings is refused with, found in this process: the message the
   * CLI prints as its one line (the test above proves that line and the exit code end to end).
   */
  const refusal = async (env: Record<string, string>) => {
    try {
      await loadTlsCredentials(loadConfig(env).tls, files.directory);
    } catch (error) {
      return (error as Error).message;
    }
    return "started";
  };

  test("a missing certificate file stops the start: exit code 1, one line, nothing written", async () => {
    await prepare();
    const missing = join(files.directory, "missing.pem");
    const result = await start({ TOKENSPACE_TLS_CERT: missing, TOKENSPACE_TLS_KEY: files.key });
    expectRefused(result, `${missing} does not exist`);
    expect(await result.database.countRows("projects")).toBe(0);
  });

  test("a key file that is not PEM", async () => {
    await prepare();
    const garbage = join(files.directory, "garbage.pem");
    writeFileSync(garbage, "not a key at all\n");
    expect(
      await refusal({ TOKENSPACE_TLS_CERT: files.cert, TOKENSPACE_TLS_KEY: garbage }),
    ).toContain(`TOKENSPACE_TLS_KEY ${garbage} is not a PEM private key`);
  });

  test("a certificate file that is not a certificate", async () => {
    await prepare();
    expect(
      await refusal({ TOKENSPACE_TLS_CERT: files.key, TOKENSPACE_TLS_KEY: files.key }),
    ).toContain(`TOKENSPACE_TLS_CERT ${files.key} is not a PEM certificate`);
  });

  test("a key that does not belong to the certificate", async () => {
    await prepare();
    expect(
      await refusal({ TOKENSPACE_TLS_CERT: files.cert, TOKENSPACE_TLS_KEY: files.otherKey }),
    ).toContain(`${files.otherKey} is not the private key of the certificate in ${files.cert}`);
  });

  test("an unreadable key file", async () => {
    await prepare();
    expect(
      await refusal({ TOKENSPACE_TLS_CERT: files.cert, TOKENSPACE_TLS_KEY: files.directory }),
    ).toContain(`${files.directory} is a directory`);
  });

  test("a certificate without its key", async () => {
    await prepare();
    expect(await refusal({ TOKENSPACE_TLS_CERT: files.cert })).toContain(
      "Set TOKENSPACE_TLS_CERT and TOKENSPACE_TLS_KEY together",
    );
  });

  test("serve --tls self-signed prints where the CA is and how each ecosystem trusts it", async () => {
    const directory = mkdtempSync(join(tmpdir(), "tokenspace-tls-banner-"));
    const database = await createTestDatabase(directory);
    const running = await serve({
      env: { ...database.env, DATABASE_URL: database.url, ...tlsDirectory(directory) },
      args: ["--tls", "self-signed"],
    });
    try {
      expect(running.url).toMatch(/^https:/);
      const caFile = running
        .stderr()
        .split("\n")
        .map((line) => line.trim())
        .find((line) => line.endsWith("tokenspace-ca.pem"));
      expect(caFile).toBeDefined();
      for (const line of [
        `NODE_EXTRA_CA_CERTS=${caFile}`,
        `REQUESTS_CA_BUNDLE=${caFile}`,
        `SSL_CERT_FILE=${caFile}`,
      ]) {
        expect(running.stderr()).toContain(line);
      }
    } finally {
      await running.stop();
    }
  });
});
