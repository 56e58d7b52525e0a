import { beforeAll, describe, expect, test } from "vitest";
import { useTestServer } from "./support/fixtures.js";
import type { ApiResponse } from "./support/http-client.js";

describe("keyset paging", () => {
  const fixture = useTestServer();

  beforeAll(async () => {
    for (let index = 0; index < 30; index++)
      await fixture.api.createToken(`before ${index}`, ["chat"]);
  });

  const ids = (tokens: Array<{ id: string }>) => tokens.map((token) => token.id);

  test("walking the pages while tokens are being created sees every earlier token exactly once", async () => {
    const existing = ids(
      (await fixture.api.http.request("GET", `${fixture.api.tokens()}?PageSize=1000`)).body.tokens,
    );
    const seen: string[] = [];
    let uri: string | null = `${fixture.api.tokens()}?PageSize=7`;
    let created = 0;
    while (uri) {
      const [page]: [ApiResponse, ...unknown[]] = await Promise.all([
        fixture.api.http.request("GET", uri),
        ...Array.from({ length: 3 }, () =>
          fixture.api.createToken(`during ${created++}`, ["chat"]),
        ),
      ]);
      seen.push(...ids(page.body.tokens));
      uri = page.body.next_page_uri;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of existing) expect(seen).toContain(id);
  });

  test("on the native surface too", async () => {
    const existing = ids(
      (await fixture.api.http.request("GET", "/api/project/tokens?page_size=1000")).body.data,
    );
    const seen: string[] = [];
    let link: string | null = "/api/project/tokens?page_size=5";
    while (link) {
      const [page]: [ApiResponse, ...unknown[]] = await Promise.all([
        fixture.api.http.request("GET", link),
        fixture.api.createToken("during native", ["chat"]),
      ]);
      seen.push(...ids(page.body.data));
      link = page.body.links.next;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of existing) expect(seen).toContain(id);
  });

  test("a deleted token does not break the walk", async () => {
    const first = await fixture.api.http.request("GET", `${fixture.api.tokens()}?PageSize=3`);
    const last = first.body.tokens.at(-1);
    await fixture.api.http.request("DELETE", fixture.api.token(last.id));
    const second = await fixture.api.http.request("GET", first.body.next_page_uri);
    expect(second.status).toBe(200);
    expect(ids(second.body.tokens)).not.toContain(last.id);
    expect(second.body.tokens).toHaveLength(3);
  });
});
