import { beforeAll, describe, expect, test } from "vitest";
import { useTestServer } from "./support/fixtures.js";

describe("GET /Accounts/{AccountSid}/tokens and /tokens/{token_id}", () => {
  const fixture = useTestServer();

  beforeAll(async () => {
    for (let index = 0; index < 6; index++)
      await fixture.api.createToken(`token ${index}`, ["chat"]);
  });

  const list = (query: string) =>
    fixture.api.http.request("GET", `${fixture.api.tokens()}${query}`);

  test("get returns the token with its secret", async () => {
    const created = await fixture.api.createToken("fetch me", ["fax", "calling"]);
    const response = await fixture.api.http.request("GET", fixture.api.token(created.id));
    expect(response.status).toBe(200);
    expect(response.body).toEqual(created);
  });

  test("get accepts a trailing .json", async () => {
    const created = await fixture.api.createToken("fetch me", ["fax"]);
    const response = await fixture.api.http.request("GET", `${fixture.api.token(created.id)}.json`);
    expect(response.body).toEqual(created);
  });

  test("get accepts the token id in upper case", async () => {
    const created = await fixture.api.createToken("fetch me", ["fax"]);
    const response = await fixture.api.http.request(
      "GET",
      fixture.api.token(created.id.toUpperCase()),
    );
    expect(response.body).toEqual(created);
  });

  test("a list page has the compatibility envelope and never a secret", async () => {
    const response = await list("?PageSize=2");
    expect(response.status).toBe(200);
    const base = fixture.api.tokens();
    expect(response.body).toMatchObject({
      uri: `${base}?Page=0&PageSize=2`,
      first_page_uri: `${base}?Page=0&PageSize=2`,
      previous_page_uri: null,
      page: 0,
      page_size: 2,
    });
    expect(response.body.next_page_uri).toMatch(/Page=1&PageSize=2&PageToken=/);
    expect(response.body.tokens).toHaveLength(2);
    for (const token of response.body.tokens) {
      expect(Object.keys(token).sort()).toEqual(["id", "name", "permissions"]);
    }
    expect(response.text).not.toMatch(/PT[0-9a-f]{48}/);
  });

  test("following next_page_uri visits every token once, oldest first", async () => {
    const all = (await list("?PageSize=1000")).body.tokens.map((token: { id: string }) => token.id);
    const seen: string[] = [];
    let uri: string | null = `${fixture.api.tokens()}?PageSize=2`;
    let pages = 0;
    while (uri) {
      const response = await fixture.api.http.request("GET", uri);
      expect(response.body.page).toBe(pages);
      seen.push(...response.body.tokens.map((token: { id: string }) => token.id));
      uri = response.body.next_page_uri;
      pages++;
    }
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
  });

  test("previous_page_uri leads back to the page before", async () => {
    const first = await list("?PageSize=2");
    const second = await fixture.api.http.request("GET", first.body.next_page_uri);
    const back = await fixture.api.http.request("GET", second.body.previous_page_uri);
    expect(back.body.page).toBe(0);
    expect(back.body.tokens).toEqual(first.body.tokens);
  });

  test("the default page size is 50", async () => {
    expect((await list("")).body.page_size).toBe(50);
  });

  test("a page size over 1000 is a 400 that says the range", async () => {
    const response = await list("?PageSize=1001");
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 10000, status: 400 });
    expect(response.body.message).toContain("from 1 to 1000");
  });

  test("a page size that is not a number is a 400", async () => {
    expect((await list("?PageSize=ten")).status).toBe(400);
  });

  test("a forged PageToken is a 400, not a 500", async () => {
    for (const forged of ["zzz", "PA", "PAbm9wZQ", "PA%00%01"]) {
      const response = await list(`?PageToken=${forged}`);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain("PageToken");
    }
  });
});
