/** Anything with SignalWire's `list(params)`: it resolves to one page as the API sends it. */
export interface ListableResource<Params extends object, RawPage> {
  list(params?: Params): Promise<RawPage>;
}

/**
 * Every item of a list, page after page, following each page's `next_page_uri` (compatibility
 * lists) or `links.next` (native lists) until there is none:
 * `for await (const account of paginate(client.compat.accounts, { PageSize: 100 }))`.
 * `dataKey` names the page's item list (`tokens`, `accounts`, `data`); by default it is the
 * page's one list.
 */
export async function* paginate<Item, Params extends object = object, RawPage = unknown>(
  resource: ListableResource<Params, RawPage>,
  params?: Params,
  dataKey?: string,
): AsyncGenerator<Item> {
  let query: Params | undefined = params;
  for (;;) {
    const page = (await resource.list(query)) as Record<string, unknown>;
    const items = dataKey === undefined ? Object.values(page).find(Array.isArray) : page[dataKey];
    if (Array.isArray(items)) yield* items as Item[];
    const next = nextPageUri(page);
    if (next === undefined) return;
    query = { ...query, ...queryOf(next) } as Params;
  }
}

/** Every item of a list in one array: `await paginateAll(client.compat.tokens)`. */
export async function paginateAll<Item, Params extends object = object, RawPage = unknown>(
  resource: ListableResource<Params, RawPage>,
  params?: Params,
  dataKey?: string,
): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of paginate<Item, Params, RawPage>(resource, params, dataKey)) {
    items.push(item);
  }
  return items;
}

function nextPageUri(page: Record<string, unknown>): string | undefined {
  const links = page.links as { next?: unknown } | undefined;
  const next = page.next_page_uri ?? links?.next;
  return typeof next === "string" && next !== "" ? next : undefined;
}

function queryOf(uri: string): Record<string, string> {
  const query: Record<string, string> = {};
  const at = uri.indexOf("?");
  if (at !== -1) {
    new URLSearchParams(uri.slice(at + 1)).forEach((value, key) => {
      query[key] = value;
    });
  }
  return query;
}
