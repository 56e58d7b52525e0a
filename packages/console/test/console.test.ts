import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CHROMIUM } from "../../server/test/support/chromium.js";
import { compatClient } from "../../server/test/support/compat.js";
import type { HttpClient } from "../../server/test/support/http-client.js";
import { newSecret, type TestServer } from "../../server/test/support/test-server.js";
import { ConsolePage } from "./support/console-page.js";
import { useChromium, useConsoleServer } from "./support/console-server.js";

const EXT = "/api/tokenspace";
const COMPAT = "/api/laml/2010-04-01";
const available = CHROMIUM !== null;

/** The admin console, built from source, served by a real server, used in real Chromium. */
describe.skipIf(!available)("the admin console", () => {
  const running = useConsoleServer();
  const chromium = useChromium();
  let server: TestServer;
  let http: HttpClient;
  let shared: ConsolePage;

  beforeAll(async () => {
    server = running.server;
    http = compatClient(server).http;
    shared = await ConsolePage.open(chromium.browser, server.url);
  });
  afterAll(() => shared.close());

  const openConsole = async () => {
    await shared.firstVisit();
    return shared;
  };
  const signedInConsole = async () => {
    const consolePage = await openConsole();
    await consolePage.signedIn(server.projectId, server.token);
    return consolePage;
  };
  const createToken = async (json: Record<string, unknown>) => {
    const created = await http.request("POST", `${EXT}/tokens`, { json });
    expect(created.status, created.text).toBe(201);
    return created.body as { id: string; token: string; name: string; project_id: string };
  };
  /** Whether a secret authenticates as its project, asked from outside the browser. */
  const authenticates = async (projectId: string, secret: string) => {
    const response = await http.withCredentials(projectId, secret).request("GET", "/auth/verify");
    expect([200, 401]).toContain(response.status);
    return response.status === 200;
  };

  test("/ redirects to the console, whose first load transfers under 150 KB with no errors", async () => {
    const consolePage = await openConsole();
    const transferred: number[] = [];
    consolePage.page.on("requestfinished", async (request) => {
      transferred.push((await request.sizes()).responseBodySize);
    });
    const response = await consolePage.page.goto("/");
    expect(consolePage.page.url()).toBe(`${server.url}/console`);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await consolePage.page.getByRole("button", { name: "Sign in" }).waitFor();
    await consolePage.page.waitForLoadState("networkidle");
    const total = transferred.reduce((sum, size) => sum + size, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(150 * 1024);
    await consolePage.screenshot("sign-in");
    consolePage.expectNoTrouble();
  });

  test("signing in works from the keyboard alone", async () => {
    const consolePage = await openConsole();
    const { page } = consolePage;
    await page.goto("/console");
    await page.keyboard.press("Tab");
    await page.keyboard.type(server.projectId);
    await page.keyboard.press("Tab");
    await page.keyboard.type(server.token);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "API tokens" }).waitFor();
    expect(await page.title()).toBe("API tokens · Tokenspace console");
    await page.getByRole("table").waitFor();
    // Focus moved to the new screen, so the next Tab reaches its first control.
    await expect.poll(() => page.evaluate("document.activeElement.tagName")).toBe("MAIN");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Create an API token" }).waitFor();
    await expect.poll(() => page.evaluate("document.activeElement.tagName")).toBe("MAIN");
    await page.keyboard.press("Tab");
    await page.keyboard.type("typed, not clicked");
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("typed, not clicked");
    consolePage.expectNoTrouble();
  });

  test("every control on every screen has a label", async () => {
    const token = await createToken({ name: "labelled", permissions: ["chat"] });
    const consolePage = await openConsole();
    expect(await consolePage.unlabelledControls()).toEqual([]);
    await consolePage.signedIn(server.projectId, server.token);
    for (const screen of ["tokens", "tokens/new", `tokens/${token.id}`, "subprojects", "audit"]) {
      await consolePage.page.goto(`/console#/projects/${server.projectId}/${screen}`);
      await consolePage.page.getByRole("heading", { level: 1 }).waitFor();
      await consolePage.page.waitForLoadState("networkidle");
      expect(await consolePage.unlabelledControls(), screen).toEqual([]);
    }
  });

  test("the console follows the system's light or dark theme", async () => {
    const consolePage = await openConsole();
    await consolePage.page.goto("/console");
    expect(await consolePage.background()).toBe("rgb(255, 255, 255)");
    await consolePage.colorScheme("dark");
    expect(await consolePage.background()).toBe("rgb(15, 20, 25)");
    await consolePage.signedIn(server.projectId, server.token);
    await consolePage.screenshot("tokens-dark");
  });

  test("the tokens screen shows permissions as chips, last use, expiry and status", async () => {
    const used = await createToken({ name: "shows last use", permissions: ["calling", "video"] });
    const expiresAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    await createToken({ name: "shows expiry", permissions: ["fax"], expires_at: expiresAt });
    await createToken({ name: "shows disabled", permissions: ["chat"], enabled: false });
    expect(await authenticates(server.projectId, used.token)).toBe(true);
    await expect
      .poll(async () => (await http.request("GET", `${EXT}/tokens/${used.id}`)).body.last_used_at)
      .not.toBeNull();
    const consolePage = await signedInConsole();
    const row = (name: string) => consolePage.page.getByRole("row").filter({ hasText: name });
    await row("shows last use").waitFor();
    expect(await row("shows last use").getByRole("listitem").allTextContents()).toEqual([
      "calling",
      "video",
    ]);
    const cells = async (name: string) => row(name).getByRole("cell").allTextContents();
    const [, , lastUsed, expires, status] = await cells("shows last use");
    expect([lastUsed, expires, status]).toEqual(["now", "Never", "Enabled"]);
    expect((await cells("shows expiry")).slice(2)).toEqual(["Never", "in 3 days", "Enabled"]);
    expect((await cells("shows disabled")).at(-1)).toBe("Disabled");
    await consolePage.screenshot("tokens");
    consolePage.expectNoTrouble();
  });

  test("a wrong token shows an error and stores nothing", async () => {
    const consolePage = await openConsole();
    await consolePage.signIn(server.projectId, newSecret());
    await expect
      .poll(() => consolePage.page.getByRole("alert").textContent())
      .toContain("do not sign in");
    expect(await consolePage.storage()).toEqual({ session: {}, local: 0, cookies: 0 });
  });

  test("a token without the management permission cannot sign in, and is told why", async () => {
    const chat = await createToken({ name: "chat only", permissions: ["chat"] });
    const consolePage = await openConsole();
    await consolePage.signIn(server.projectId, chat.token);
    await expect
      .poll(() => consolePage.page.getByRole("alert").textContent())
      .toContain("lacks the management permission");
    expect(await consolePage.storage()).toEqual({ session: {}, local: 0, cookies: 0 });
  });

  test("the token is kept in sessionStorage only, and signing out forgets it", async () => {
    const consolePage = await signedInConsole();
    const stored = await consolePage.storage();
    expect(Object.values(stored.session).join()).toContain(server.token);
    expect(stored.local).toBe(0);
    expect(stored.cookies).toBe(0);
    await consolePage.page.getByRole("button", { name: "Sign out" }).click();
    await consolePage.page.getByLabel("Project ID").waitFor();
    expect(await consolePage.storage()).toEqual({ session: {}, local: 0, cookies: 0 });
  });

  test("a token created in the console, its secret copied, authenticates outside the browser", async () => {
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    await consolePage.tab("Create token");
    await page.getByLabel("Name", { exact: true }).fill("made in the console");
    await page.getByRole("checkbox", { name: "management" }).check();
    await page.getByRole("checkbox", { name: "chat" }).check();
    await consolePage.screenshot("create");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByRole("heading", { name: "Copy the secret now" }).waitFor();
    await page.getByRole("button", { name: "Copy secret" }).click();
    await page.getByText("Copied to the clipboard.").waitFor();
    const copied = await consolePage.clipboardText();
    expect(copied).toBe(await page.getByLabel("Secret", { exact: true }).inputValue());
    expect(copied).toMatch(/^PT[0-9a-f]{48}$/);
    await consolePage.screenshot("secret-once");
    expect(await authenticates(server.projectId, copied)).toBe(true);
    consolePage.expectNoTrouble();
  });

  test("renaming, changing permissions and deleting in the console: the token then stops authenticating", async () => {
    const token = await createToken({ name: "to change", permissions: ["chat"] });
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    await page.getByRole("link", { name: "to change" }).click();
    await page.getByRole("heading", { name: "to change" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("changed");
    await page.getByRole("checkbox", { name: "chat" }).uncheck();
    await page.getByRole("checkbox", { name: "video" }).check();
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Changes saved.").waitFor();
    const changed = await http.request("GET", `${EXT}/tokens/${token.id}`);
    expect(changed.body).toMatchObject({ name: "changed", permissions: ["video"] });
    const updated = await http.request(
      "GET",
      `${EXT}/audit?target=${token.id}&action=token.updated`,
    );
    expect(updated.body.data.map((entry: { details: unknown }) => entry.details)).toEqual([
      { fields: ["name", "permissions"] },
    ]);
    await consolePage.screenshot("token");
    expect(await authenticates(server.projectId, token.token)).toBe(true);
    await page.getByRole("button", { name: "Delete token" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete “changed”?" });
    await dialog.getByRole("button", { name: "Delete for good" }).click();
    await page.getByRole("heading", { name: "Token “changed” deleted" }).waitFor();
    expect(await authenticates(server.projectId, token.token)).toBe(false);
    consolePage.expectNoTrouble();
  });

  test("disabling, enabling and rerolling with an overlap in the console", async () => {
    const token = await createToken({ name: "lifecycle in the console", permissions: ["chat"] });
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    await page.goto(`/console#/projects/${server.projectId}/tokens/${token.id}`);
    await page.getByRole("button", { name: "Disable token" }).click();
    await page.getByRole("button", { name: "Enable token" }).waitFor();
    expect(await authenticates(server.projectId, token.token)).toBe(false);
    await page.getByRole("button", { name: "Enable token" }).click();
    await page.getByRole("button", { name: "Disable token" }).waitFor();
    expect(await authenticates(server.projectId, token.token)).toBe(true);
    await page.getByLabel("The old secret").selectOption("1h");
    await page.getByRole("button", { name: "Reroll secret" }).click();
    const rerolled = await page.getByLabel("Secret", { exact: true }).inputValue();
    expect(rerolled).toMatch(/^PT[0-9a-f]{48}$/);
    expect(rerolled).not.toBe(token.token);
    expect(await authenticates(server.projectId, rerolled)).toBe(true);
    expect(await authenticates(server.projectId, token.token)).toBe(true);
    await page.getByText("Previous secret works until").waitFor();
  });

  test("limits set in the console are enforced, and the last 7 days of verifications show as a chart", async () => {
    const token = await createToken({ name: "limited in the console", permissions: ["chat"] });
    for (let call = 0; call < 3; call++) await authenticates(server.projectId, token.token);
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    await page.goto(`/console#/projects/${server.projectId}/tokens/${token.id}`);
    await page.getByLabel("Verifications allowed").fill("1");
    await page.getByLabel("per (1s to 1d)").fill("1h");
    await page.getByLabel("Uses left").fill("50");
    await page.getByRole("button", { name: "Save limits" }).click();
    await page.getByText("Limits saved.").waitFor();
    await page.getByText("1 verifications per 1h").waitFor();
    const verify = () =>
      http.withCredentials(server.projectId, token.token).request("GET", "/auth/verify");
    expect((await verify()).status).toBe(200);
    const limited = await verify();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-tokenspace-reason")).toBe("rate_limited");
    // The chart reads what was counted: reload once the counts are written (within seconds).
    await expect
      .poll(
        async () => {
          await page.reload();
          const chart = page.getByRole("img", { name: /allowed and \d+ refused verifications/ });
          await chart.waitFor();
          return chart.getAttribute("aria-label");
        },
        { timeout: 8000, interval: 500 },
      )
      .toMatch(/^4 allowed and 1 refused/);
    expect(await page.locator(".usage-chart rect.allowed").count()).toBeGreaterThanOrEqual(7 * 24);
  });

  test("a limit the server refuses shows its message next to the field", async () => {
    const token = await createToken({ name: "badly limited", permissions: ["chat"] });
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    await page.goto(`/console#/projects/${server.projectId}/tokens/${token.id}`);
    await page.getByLabel("Uses left").fill("-3");
    await page.getByRole("button", { name: "Save limits" }).click();
    await page.locator("#uses-remaining-error").waitFor();
    expect(await page.locator("#uses-remaining-error").textContent()).toContain("uses_remaining");
  });

  test("a subproject created in the console gets a token of its own", async () => {
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    await consolePage.tab("Subprojects");
    await page.getByLabel("Subproject name").fill("Console child");
    await page.getByRole("button", { name: "Create subproject" }).click();
    await page.getByText("Subproject “Console child” created.").waitFor();
    await consolePage.screenshot("subprojects");
    await page.getByRole("link", { name: "Open Console child" }).click();
    await page.getByText("Subproject Console child").waitFor();
    await page.getByText("No tokens yet.").waitFor();
    await consolePage.tab("Create token");
    await page.getByLabel("Name", { exact: true }).fill("child's token");
    await page.getByRole("checkbox", { name: "messaging" }).check();
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = await page.getByLabel("Secret", { exact: true }).inputValue();
    const listed = await http.request(
      "GET",
      `${EXT}/tokens?name=${encodeURIComponent("child's token")}`,
    );
    const [created] = listed.body.data;
    expect(created.project_id).not.toBe(server.projectId);
    const subproject = await http.request("GET", `${COMPAT}/Accounts/${created.project_id}`);
    expect(subproject.body.friendly_name).toBe("Console child");
    expect(await authenticates(created.project_id, secret)).toBe(true);
    consolePage.expectNoTrouble();
  });

  test("renaming a subproject in the console", async () => {
    const created = await http.request("POST", `${COMPAT}/Accounts`, {
      form: "FriendlyName=Before",
    });
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    await consolePage.tab("Subprojects");
    await page.getByRole("button", { name: "Rename Before" }).click();
    await page.getByLabel("New name for Before").fill("After");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByRole("cell", { name: "After", exact: true }).waitFor();
    const renamed = await http.request("GET", `${COMPAT}/Accounts/${created.body.sid}`);
    expect(renamed.body.friendly_name).toBe("After");
  });

  test("each action shows in the audit log, which filters by action and time", async () => {
    const token = await createToken({ name: "audited in the console", permissions: ["chat"] });
    await http.request("PATCH", `${EXT}/tokens/${token.id}`, {
      json: { name: "audited, renamed" },
    });
    await http.request("DELETE", `${EXT}/tokens/${token.id}`);
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    await consolePage.tab("Audit log");
    const rows = page.getByRole("row").filter({ hasText: token.id.slice(-8) });
    await expect.poll(() => rows.count()).toBe(3);
    for (const action of ["token.created", "token.updated", "token.deleted"]) {
      await expect.poll(() => rows.filter({ hasText: action }).count()).toBe(1);
    }
    await consolePage.screenshot("audit");
    await page.getByLabel("Action").selectOption("token.deleted");
    await expect.poll(() => rows.count()).toBe(1);
    await expect
      .poll(() => page.getByRole("row").filter({ hasText: "token.created" }).count())
      .toBe(0);
    await page.getByLabel("Time").selectOption("1h");
    await expect.poll(() => rows.count()).toBe(1);
    consolePage.expectNoTrouble();
  });

  test("1 000 tokens page 25 at a time, never all at once, and search finds one", async () => {
    const child = await http.request("POST", `${COMPAT}/Accounts`, {
      form: "FriendlyName=Crowded",
    });
    const sid = child.body.sid;
    await server.server.tokenspace.tokens.importTokens(
      sid,
      Array.from({ length: 1000 }, (_, index) => ({
        name: `crowd ${String(index).padStart(4, "0")}`,
        permissions: ["chat"],
        secret: newSecret(),
      })),
    );
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    const listed: { url: string; items: number }[] = [];
    page.on("response", async (response) => {
      if (!response.url().includes(`${EXT}/tokens?`)) return;
      listed.push({ url: response.url(), items: (await response.json()).data.length });
    });
    await page.goto(`/console#/projects/${sid}/tokens`);
    await page.getByRole("cell", { name: "crowd 0000" }).waitFor();
    for (const shown of ["crowd 0025", "crowd 0050", "crowd 0075"]) {
      await page.getByRole("button", { name: "Next page" }).click();
      await page.getByRole("cell", { name: shown }).waitFor();
    }
    await page.getByText("Page 4", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.getByRole("cell", { name: "crowd 0050" }).waitFor();
    await consolePage.screenshot("tokens-paged");
    await page.getByLabel("Search by name").fill("crowd 0999");
    await page.getByRole("cell", { name: "crowd 0999" }).waitFor();
    await expect.poll(() => page.getByRole("row").count()).toBe(2);
    await expect.poll(() => listed.length).toBeGreaterThanOrEqual(6);
    expect(listed.every((request) => request.url.includes("page_size=25"))).toBe(true);
    expect(Math.max(...listed.map((request) => request.items))).toBe(25);
    consolePage.expectNoTrouble();
  });

  test("a search that matches nothing in the first stretch of a long list says the next page searches further, and finds the match there", async () => {
    const child = await http.request("POST", `${COMPAT}/Accounts`, {
      form: "FriendlyName=Haystack",
    });
    const sid = child.body.sid;
    const { tokens } = server.server.tokenspace;
    await tokens.importTokens(
      sid,
      Array.from({ length: 10_500 }, (_, index) => ({
        name: `hay ${index}`,
        permissions: ["chat"],
        secret: newSecret(),
      })),
    );
    await tokens.importTokens(sid, [
      { name: "Needle", permissions: ["chat"], secret: newSecret() },
    ]);
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    await page.goto(`/console#/projects/${sid}/tokens`);
    await page.getByRole("cell", { name: "hay 0", exact: true }).waitFor();
    await page.getByLabel("Search by name").fill("needle");
    await page.getByText("The next page searches further on.").waitFor();
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByRole("cell", { name: "Needle" }).waitFor();
    consolePage.expectNoTrouble();
  });

  test("a form shows the server's 422 message next to the field it names", async () => {
    const consolePage = await signedInConsole();
    const { page } = consolePage;
    await consolePage.tab("Create token");
    await page.getByRole("checkbox", { name: "chat" }).check();
    await page.getByRole("button", { name: "Create token" }).click();
    const name = page.getByLabel("Name", { exact: true });
    await expect.poll(() => name.getAttribute("aria-invalid")).toBe("true");
    const nameError = page.locator(
      `#${await name.getAttribute("aria-describedby").then((ids) => ids?.split(" ").at(-1))}`,
    );
    expect(await nameError.textContent()).toMatch(/name/i);
    // Told once, beside the field; the alert only points there.
    expect(await page.getByRole("alert").textContent()).toBe(
      "The server refused this: see the message beside the field.",
    );
    await name.fill("has a name");
    await page.getByRole("checkbox", { name: "chat" }).uncheck();
    await page.getByRole("button", { name: "Create token" }).click();
    await expect.poll(() => page.locator("#permissions-error").textContent()).toMatch(/permission/);
    await consolePage.screenshot("validation");
    await consolePage.tab("Subprojects");
    await page.getByRole("button", { name: "Create subproject" }).click();
    const subprojectName = page.getByLabel("Subproject name");
    await expect.poll(() => subprojectName.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#subproject-name-error").textContent()).toMatch(/FriendlyName/);
  });

  test("a 401 mid-session returns to sign-in with a message", async () => {
    const own = await createToken({ name: "short-lived session", permissions: ["management"] });
    const consolePage = await openConsole();
    await consolePage.signedIn(server.projectId, own.token);
    // Nothing in flight when the token goes (the list and the project's name have arrived):
    // the next request, the tab's, is the one refused.
    await consolePage.page.getByRole("link", { name: "short-lived session" }).waitFor();
    await consolePage.page.getByText("Default Project").waitFor();
    await http.request("DELETE", `${EXT}/tokens/${own.id}`);
    await consolePage.tab("Audit log");
    await consolePage.page.getByLabel("Project ID").waitFor();
    expect(await consolePage.page.getByRole("status").textContent()).toContain(
      "Your session has ended",
    );
    expect(await consolePage.storage()).toEqual({ session: {}, local: 0, cookies: 0 });
  });

  describe("under a request budget", () => {
    const budgeted = useConsoleServer({ env: { TOKENSPACE_RATE_LIMIT_PER_MINUTE: "4" } });

    test("a 429 says when to try again", async () => {
      const { server } = budgeted;
      const consolePage = await ConsolePage.open(chromium.browser, server.url);
      await consolePage.signedIn(server.projectId, server.token);
      const { page } = consolePage;
      for (let attempt = 0; attempt < 6; attempt++) {
        await consolePage.tab(attempt % 2 === 0 ? "Audit log" : "Tokens");
        if ((await page.getByRole("alert").count()) > 0) break;
      }
      await expect
        .poll(() => page.getByRole("alert").first().textContent())
        .toMatch(/Too many requests\. Try again in \d+ seconds?\./);
      await consolePage.close();
    });
  });
});
