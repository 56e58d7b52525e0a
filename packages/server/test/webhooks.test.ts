import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyWebhook, WebhookVerificationError } from "@tokenspace/sdk";
import { describe, expect, test } from "vitest";
import { freePort } from "../../../bench/processes.js";
import { signedHeaders } from "../src/runtime/webhook-deliverer.js";
import { runCli, serve } from "./support/cli.js";
import { COMPAT } from "./support/compat.js";
import { HttpClient } from "./support/http-client.js";
import { TEST_STORE } from "./support/test-database.js";
import { bootstrappedDatabase } from "./support/test-server.js";
import { normalizedHeaders, WebhookReceiver } from "./support/webhook-receiver.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("Standard Webhooks signatures, and the SDK's verifier for receivers", () => {
  const delivery = { id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", payload: '{"type":"token.deleted"}' };
  const now = 1_700_000_000;
  const signed = signedHeaders(SECRET, delivery, now);
  const at = (seconds: number) => ({ now: () => seconds * 1000 });

  test("a signed delivery verifies, and gives its event with the delivery id", async () => {
    expect(signed["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const event = await verifyWebhook(SECRET, signed, delivery.payload, at(now));
    expect(event).toEqual({ id: delivery.id, type: "token.deleted" });
  });

  test("a changed body, another secret or a timestamp past the tolerance is refused", async () => {
    const refusals = [
      () => verifyWebhook(SECRET, signed, '{"type":"token.expired"}', at(now)),
      () =>
        verifyWebhook("whsec_b3RoZXIgc2VjcmV0IGZvciB0ZXN0cw==", signed, delivery.payload, at(now)),
      () => verifyWebhook(SECRET, signed, delivery.payload, at(now + 301)),
      () =>
        verifyWebhook(SECRET, { ...signed, "webhook-id": "msg_other" }, delivery.payload, at(now)),
    ];
    for (const refusal of refusals) {
      await expect(refusal()).rejects.toBeInstanceOf(WebhookVerificationError);
    }
  });
});

/** A server process with the webhook pointed at `url`, on a database of its own. */
async function webhookServer(url: string, extra: Record<string, string> = {}) {
  const directory = mkdtempSync(join(tmpdir(), "tokenspace-webhooks-"));
  const prepared = await bootstrappedDatabase(directory);
  const { projectId, token } = prepared;
  const env = {
    ...prepared.env,
    TOKENSPACE_WEBHOOK_URL: url,
    TOKENSPACE_WEBHOOK_SECRET: SECRET,
    ...extra,
  };
  const api = (node: { url: string }) => {
    const http = new HttpClient(node.url, { username: projectId, password: token });
    const tokens = `${COMPAT}/Accounts/${projectId}/tokens`;
    return {
      http,
      /** Creates a token and deletes it: one token.deleted to announce. Resolves to its id. */
      createAndDelete: async () => {
        const created = await http.request("POST", tokens, {
          json: { name: "announced", permissions: ["fax"] },
        });
        expect((await http.request("DELETE", `${tokens}/${created.body.id}`)).status).toBe(204);
        return created.body.id as string;
      },
    };
  };
  return { env, api };
}

const tokenIdOf = (body: string) =>
  (JSON.parse(body) as { data: { token: { id: string } } }).data.token.id;

describe("webhook deliveries are durable", () => {
  test("a change made while the receiver is down reaches it after the server was killed -9 and restarted", async () => {
    const port = await freePort();
    const { env, api } = await webhookServer(`http://127.0.0.1:${port}/hook`, {
      TOKENSPACE_WEBHOOK_RETRY_BASE_MS: "100",
    });
    const first = await serve({ env });
    const deleted = await api(first).createAndDelete();
    // The first attempt fails at once (nothing listens) and is rescheduled half a second on.
    await new Promise((resolve) => setTimeout(resolve, 250));
    first.process.kill("SIGKILL");
    await new Promise((resolve) => first.process.once("exit", resolve));

    const receiver = new WebhookReceiver();
    await receiver.start(port);
    const second = await serve({ env });
    try {
      const [delivery] = await receiver.waitFor(1);
      expect(delivery && tokenIdOf(delivery.body)).toBe(deleted);
      const event = await verifyWebhook(
        SECRET,
        normalizedHeaders(delivery?.headers ?? {}),
        delivery?.body ?? "",
      );
      expect(event.type).toBe("token.deleted");
    } finally {
      await second.stop();
      await receiver.close();
    }
  }, 30_000);

  test("a delivery refused through the whole schedule is kept as failed, listed by the CLI and counted", async () => {
    const receiver = new WebhookReceiver();
    receiver.failures = Number.POSITIVE_INFINITY;
    const { env, api } = await webhookServer(await receiver.start(), {
      TOKENSPACE_WEBHOOK_RETRY_BASE_MS: "0",
      TOKENSPACE_METRICS: "1",
    });
    const node = await serve({ env });
    try {
      const deleted = await api(node).createAndDelete();
      let listed: { type: string; attempts: number; last_error: string; payload: unknown }[] = [];
      for (let waited = 0; listed.length === 0 && waited < 10_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        listed = JSON.parse((await runCli(["webhooks", "failed", "--json"], { env })).stdout);
      }
      expect(listed).toEqual([
        expect.objectContaining({
          type: "token.deleted",
          attempts: 8,
          last_error: "answered 503",
          payload: expect.objectContaining({
            data: { token: expect.objectContaining({ id: deleted }) },
          }),
        }),
      ]);
      expect(receiver.attempts).toBe(8);
      const metrics = (await api(node).http.request("GET", "/metrics", { auth: null })).text;
      expect(metrics).toContain('tokenspace_webhook_deliveries_total{outcome="failed"} 1');
      expect(metrics).toContain('tokenspace_webhook_deliveries_total{outcome="retried"} 7');
    } finally {
      await node.stop();
      await receiver.close();
    }
  }, 30_000);

  test.skipIf(TEST_STORE !== "postgres")(
    "two nodes on one PostgreSQL deliver every event, each once",
    async () => {
      const receiver = new WebhookReceiver();
      const { env, api } = await webhookServer(await receiver.start());
      const [a, b] = await Promise.all([serve({ env }), serve({ env })]);
      try {
        const deleted: string[] = [];
        for (let index = 0; index < 20; index++) {
          deleted.push(
            await api(
              index % 2 === 0 ? (a as { url: string }) : (b as { url: string }),
            ).createAndDelete(),
          );
        }
        const delivered = await receiver.waitFor(20);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(new Set(delivered.map((delivery) => tokenIdOf(delivery.body)))).toEqual(
          new Set(deleted),
        );
        const ids = delivered.map((delivery) => String(delivery.headers["webhook-id"]));
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(20);
      } finally {
        await Promise.all([a?.stop(), b?.stop()]);
        await receiver.close();
      }
    },
    30_000,
  );
});
