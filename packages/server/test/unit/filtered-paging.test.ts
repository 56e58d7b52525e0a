import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type ListOrder, type Page, readFilteredPage } from "../../src/domain/keyset-page.js";
import type { PageCursor } from "../../src/domain/page-cursor.js";
import type { ListedTokenRecord } from "../../src/domain/store.js";
import { generateSecret } from "../../src/domain/token-secret.js";
import { loadConfig } from "../../src/runtime/config.js";
import { openTokenspace, type Tokenspace } from "../../src/runtime/tokenspace.js";

let directory: string;
let tokenspace: Tokenspace;
let projectId: string;
/** Every token of the family, oldest first. */
let family: ListedTokenRecord[] = [];

/** Names over a small alphabet, so that short searches match some tokens and not others. */
const NAMES = fc.sample(
  fc.string({ unit: fc.constantFrom("a", "b", "z"), minLength: 1, maxLength: 4 }),
  { seed: 11, numRuns: 60 },
);

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "tokenspace-paging-"));
  tokenspace = await openTokenspace(
    loadConfig({
      DATABASE_URL: `sqlite:${join(directory, "tokenspace.db")}`,
      TOKENSPACE_SECRET_KEY: randomBytes(32).toString("hex"),
    }),
  );
  projectId = (await tokenspace.projects.create("Paging", randomUUID())).project.id;
  const child = (await tokenspace.projects.createSubproject(projectId, "Paging child")).project;
  // Parent and subproject tokens interleaved, a few at a time.
  for (let start = 0; start < NAMES.length; start += 4) {
    const owner = (start / 4) % 2 === 0 ? projectId : child.id;
    await tokenspace.tokens.importTokens(
      owner,
      NAMES.slice(start, start + 4).map((name) => ({
        name,
        permissions: ["chat"],
        secret: generateSecret(),
      })),
    );
  }
  family = (await tokenspace.store.listFamilyTokens(projectId, { limit: 1000, examine: 1000 }))
    .rows;
});
afterAll(async () => {
  await tokenspace.close();
  rmSync(directory, { recursive: true, force: true });
});

const ids = (pages: Page<ListedTokenRecord>[]) =>
  pages.flatMap((page) => page.items.map((t) => t.id));

test("walking a filtered list by next links, then back by prev links, finds every match once, in order, whatever the page size and the rows examined per request", async () => {
  expect(family).toHaveLength(NAMES.length);
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("", "a", "b", "z", "ab", "ba", "zz", "abz", "q"),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom<ListOrder>("oldest_first", "newest_first"),
      async (search, pageSize, examine, order) => {
        const read = (cursor: PageCursor | undefined) =>
          readFilteredPage(
            (window) =>
              tokenspace.store.listFamilyTokens(
                projectId,
                window,
                search === "" ? {} : { nameContains: search },
              ),
            { pageSize, cursor, order },
            examine,
          );
        const matching = family.filter((token) => token.name.includes(search));
        const expected = (order === "newest_first" ? matching.reverse() : matching).map(
          (token) => token.id,
        );

        const forward = [await read(undefined)];
        for (let next = forward[0]?.next; next; next = forward.at(-1)?.next) {
          forward.push(await read(next));
          expect(forward.length).toBeLessThanOrEqual(family.length + 2);
        }
        expect(ids(forward)).toEqual(expected);
        expect(forward.every((page) => page.items.length <= pageSize)).toBe(true);

        const last = forward.at(-1);
        if (!last) throw new Error("no page");
        const backward = [last];
        for (let previous = last.previous; previous; previous = backward[0]?.previous) {
          backward.unshift(await read(previous));
          expect(backward.length).toBeLessThanOrEqual(family.length + 3);
        }
        expect(ids(backward)).toEqual(expected);
      },
    ),
    { numRuns: 150 },
  );
});
