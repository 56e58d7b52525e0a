import { RestClient } from "@tokenspace/sdk";
import { beforeAll, describe, expect, test } from "vitest";
import { generateSecret } from "../src/domain/token-secret.js";
import { AUDIT } from "../src/store/sql/tables.js";
import { useTestServer } from "./support/fixtures.js";

const EXT = "/api/tokenspace";
/** What one filtered page request looks at, at most (EXAMINED_ROWS_PER_PAGE). */
const EXAMINED = 10_000;
const FILLER = 12_000;
/** Audit entries after the one the audit tests look for: more than a request examines. */
const LOGGED_AFTER = EXAMINED + 500;

interface ListPage<T> {
  readonly data: T[];
  readonly links: { readonly next: string | null; readonly prev: string | null };
}

describe("a filtered list looks at a bounded number of rows per request", () => {
  const fixture = useTestServer();
  const needles: string[] = [];
  let auditedToken = "";

  const filler = (count: number) =>
    Array.from({ length: count }, (_, index) => ({
      name: `filler ${index}`,
      permissions: ["chat"],
      secret: generateSecret(),
    }));

  /** Every page from `first`, following `next` (or `prev`) links to the end. */
  async function walk<T>(first: string, link: "next" | "prev" = "next") {
    const pages: ListPage<T>[] = [];
    for (let uri: string | null = first; uri; ) {
      const response = await fixture.http.request("GET", uri);
      expect(response.status, response.text).toBe(200);
      pages.push(response.body);
      uri = response.body.links[link];
    }
    return pages;
  }

  beforeAll(async () => {
    const { tokens } = fixture.server.server.tokenspace;
    const { projectId } = fixture.server;
    // A needle at the start, then one after each stretch longer than a request examines.
    for (const stretch of [0, FILLER, FILLER]) {
      if (stretch > 0) await tokens.importTokens(projectId, filler(stretch));
      const [id] = await tokens.importTokens(projectId, [
        { name: `Needle ${needles.length}`, permissions: ["chat"], secret: generateSecret() },
      ]);
      needles.push(id ?? "");
    }
    const created = await fixture.http.request("POST", `${EXT}/tokens`, {
      json: { name: "audited early", permissions: ["chat"] },
    });
    auditedToken = created.body.id;
    // A long audit log after it: one import, its entry then copied in the database, as a
    // store that has served a while holds it (an import each would take a transaction each).
    await tokens.importTokens(projectId, filler(1));
    const columns = AUDIT.written.join(", ");
    await fixture.server.database.execute(`
      WITH RECURSIVE copies(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM copies WHERE n < ${LOGGED_AFTER - 1})
      INSERT INTO audit_events (${columns})
      SELECT ${columns} FROM copies
        CROSS JOIN (SELECT * FROM audit_events ORDER BY position DESC LIMIT 1) AS latest`);
  }, 120_000);

  test("a name search that matches little answers with what it found and a next link past what it examined", async () => {
    const response = await fixture.http.request("GET", `${EXT}/tokens?name=needle&page_size=10`);
    expect(response.status, response.text).toBe(200);
    expect(response.body.data.map((token: { id: string }) => token.id)).toEqual([needles[0]]);
    expect(response.body.links.next).toContain("name=needle");
  });

  test("following next links finds every match once, in order, each page from a bounded stretch", async () => {
    const pages = await walk<{ id: string }>(`${EXT}/tokens?name=NEEDLE&page_size=10`);
    expect(pages.flatMap((page) => page.data.map((token) => token.id))).toEqual(needles);
    const tokensInStore = 1 + 3 + 2 * FILLER + 1 + 1;
    expect(pages.length).toBeLessThanOrEqual(Math.ceil(tokensInStore / EXAMINED) + 1);
  });

  test("prev links walk the same matches back from the last page", async () => {
    const forward = await walk<{ id: string }>(`${EXT}/tokens?name=needle&page_size=10`);
    const last = forward.at(-1);
    expect(last?.links.prev).toBeTruthy();
    const backward = await walk<{ id: string }>(last?.links.prev ?? "", "prev");
    const found = backward.reverse().flatMap((page) => page.data.map((token) => token.id));
    expect([...found, ...(last?.data.map((token) => token.id) ?? [])]).toEqual(needles);
  });

  test("the SDK's list walks the short pages to every match", async () => {
    const { projectId, token, url } = fixture.server;
    const client = new RestClient({ project: projectId, token, host: url });
    const found = await client.tokenspace.tokens.list({ name: "needle", pageSize: 10 }).all();
    expect(found.map((managed) => managed.id)).toEqual(needles);
  });

  test("a search that fills its page answers it whole, from the first rows", async () => {
    const response = await fixture.http.request("GET", `${EXT}/tokens?name=filler&page_size=50`);
    expect(response.body.data).toHaveLength(50);
    expect(response.body.links.next).toContain("name=filler");
  });

  test("choosing one project reads only its tokens, so a subproject's few after many of its parent's fill its first page", async () => {
    const { tokens, projects } = fixture.server.server.tokenspace;
    const child = await projects.createSubproject(fixture.server.projectId, "Late subproject");
    const ids = await tokens.importTokens(child.project.id, filler(3));
    const response = await fixture.http.request(
      "GET",
      `${EXT}/tokens?project_id=${child.project.id}&page_size=1000`,
    );
    expect(response.status, response.text).toBe(200);
    expect(response.body.data.map((token: { id: string }) => token.id)).toEqual(ids);
    expect(response.body.links.next).toBeNull();
  });

  test("an unfiltered list answers full pages", async () => {
    const response = await fixture.http.request("GET", `${EXT}/tokens?page_size=1000`);
    expect(response.body.data).toHaveLength(1000);
  });

  test("an action filter over a long audit log pages past what each request examined to every match", async () => {
    const pages = await walk<{ action: string; target: { id: string } }>(
      `${EXT}/audit?action=token.created&order=newest_first&page_size=5`,
    );
    const found = pages.flatMap((page) => page.data);
    expect(found.every((entry) => entry.action === "token.created")).toBe(true);
    expect(found.map((entry) => entry.target.id)).toContain(auditedToken);
    expect(pages.some((page) => page.data.length === 0 && page.links.next)).toBe(true);
  });

  test("one token's activity is on the first page however much was logged after it", async () => {
    const response = await fixture.http.request(
      "GET",
      `${EXT}/audit?target=${auditedToken}&order=newest_first&page_size=10`,
    );
    expect(response.status, response.text).toBe(200);
    expect(response.body.data.map((entry: { action: string }) => entry.action)).toEqual([
      "token.created",
    ]);
    expect(response.body.links.next).toBeNull();
  });
});
