import { describe, expect, test } from "vitest";
import type { PageQuery } from "../../src/domain/keyset-page.js";
import { TokenListCache } from "../../src/domain/token-list-cache.js";

const FIRST_PAGE: PageQuery = { pageSize: 50, cursor: undefined };
const page = (name: string) => ({
  items: [{ id: "01a23b71-0853-77cc-8a1f-596d3025c4cd", name, permissions: ["chat" as const] }],
  page: 0,
  next: undefined,
  previous: undefined,
});

describe("TokenListCache", () => {
  test("gives a page again under the version it was read at", () => {
    const cache = new TokenListCache();
    const held = page("held");
    cache.remember("project", FIRST_PAGE, "v1", held);
    expect(cache.get("project", FIRST_PAGE, "v1")).toBe(held);
  });

  test("gives nothing once the list's version has moved on", () => {
    const cache = new TokenListCache();
    cache.remember("project", FIRST_PAGE, "v1", page("held"));
    expect(cache.get("project", FIRST_PAGE, "v2")).toBeUndefined();
  });

  test("holds nothing for a list that has no version", () => {
    const cache = new TokenListCache();
    cache.remember("project", FIRST_PAGE, undefined, page("held"));
    expect(cache.get("project", FIRST_PAGE, undefined)).toBeUndefined();
  });

  test("keeps pages of other projects, sizes, orders and cursors apart", () => {
    const cache = new TokenListCache();
    const held = page("held");
    cache.remember("project", FIRST_PAGE, "v1", held);
    expect(cache.get("other", FIRST_PAGE, "v1")).toBeUndefined();
    expect(cache.get("project", { pageSize: 10, cursor: undefined }, "v1")).toBeUndefined();
    expect(cache.get("project", { ...FIRST_PAGE, order: "newest_first" }, "v1")).toBeUndefined();
    const later = { direction: "after" as const, position: 51, page: 1 };
    expect(cache.get("project", { pageSize: 50, cursor: later }, "v1")).toBeUndefined();
  });

  test("holds a bounded number of tokens, however large the pages asked for", () => {
    const cache = new TokenListCache();
    const large = (index: number) => ({
      ...page(`large ${index}`),
      items: Array.from({ length: 1000 }, () => ({ id: "id", name: "item", permissions: [] })),
    });
    const query = (index: number) => ({
      pageSize: 1000,
      cursor: { direction: "after" as const, position: index * 1000, page: index },
    });
    for (let index = 0; index < 26; index++)
      cache.remember("project", query(index), "v1", large(index));
    expect(cache.get("project", query(0), "v1")).toBeUndefined();
    expect(cache.get("project", query(25), "v1")).toBeDefined();
  });
});
