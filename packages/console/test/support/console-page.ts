import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";

const ARTEFACTS = fileURLToPath(new URL("../../../../test-artifacts/console/", import.meta.url));

/** What went wrong in the page: console errors, uncaught exceptions, failed requests. */
export interface PageTrouble {
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly failedRequests: string[];
}

/**
 * The console in a browser context of its own, driven the way a person would: by labels and
 * roles, never by CSS classes. One page serves a whole block of tests, each starting from
 * `firstVisit()`: a new Chromium context costs a renderer process, about a second of CPU here.
 */
export class ConsolePage {
  readonly trouble: PageTrouble = { consoleErrors: [], pageErrors: [], failedRequests: [] };

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    this.#watchTrouble();
  }

  #watchTrouble(): void {
    this.page.on("console", (message) => {
      if (message.type() === "error") this.trouble.consoleErrors.push(message.text());
    });
    this.page.on("pageerror", (error) => this.trouble.pageErrors.push(error.message));
    this.page.on("requestfailed", (request) =>
      this.trouble.failedRequests.push(`${request.method()} ${request.url()}`),
    );
  }

  static async open(browser: Browser, baseUrl: string): Promise<ConsolePage> {
    const context = await browser.newContext({ baseURL: baseUrl, colorScheme: "light" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
    const page = await context.newPage();
    return new ConsolePage(context, page, baseUrl);
  }

  /**
   * Back to a person's first visit: nothing stored, cached or remembered from earlier tests, the
   * light theme, no trouble recorded and no listener an earlier test added; the page is on a
   * response of the server's origin that runs no script (its storage is cleared from there).
   */
  async firstVisit(): Promise<void> {
    await this.page.goto("/healthz");
    this.page.removeAllListeners();
    this.#watchTrouble();
    await this.page.evaluate("sessionStorage.clear(); localStorage.clear()");
    await this.context.clearCookies();
    const devtools = await this.context.newCDPSession(this.page);
    await devtools.send("Network.clearBrowserCache");
    await devtools.detach();
    await this.colorScheme("light");
    for (const kind of Object.values(this.trouble)) kind.length = 0;
  }

  /** The theme the system asks for, which the page follows as it changes. */
  colorScheme(scheme: "light" | "dark"): Promise<void> {
    return this.page.emulateMedia({ colorScheme: scheme });
  }

  async signIn(projectId: string, token: string): Promise<void> {
    await this.page.goto("/console");
    await this.page.getByLabel("Project ID").fill(projectId);
    await this.page.getByLabel("API token").fill(token);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  /**
   * Signs in and waits for the tokens screen and its first page, so that what a test does next
   * does not cancel that page's request (the console cancels a list request it no longer needs).
   */
  async signedIn(projectId: string, token: string): Promise<void> {
    await this.signIn(projectId, token);
    await this.page.getByRole("heading", { name: "API tokens" }).waitFor();
    await this.page.getByRole("table").or(this.page.getByText("No tokens yet.")).waitFor();
  }

  async tab(name: string): Promise<void> {
    await this.page
      .getByRole("navigation", { name: "Console" })
      .getByRole("link", { name })
      .click();
  }

  /** What the page keeps: sessionStorage, localStorage and cookies. */
  async storage(): Promise<{ session: Record<string, string>; local: number; cookies: number }> {
    // Plain text: the test's own TypeScript has no DOM types, the page does.
    const stored = (await this.page.evaluate(
      "({ session: Object.fromEntries(Object.entries(sessionStorage)), local: localStorage.length })",
    )) as { session: Record<string, string>; local: number };
    return { ...stored, cookies: (await this.context.cookies()).length };
  }

  /** Form controls and buttons with no accessible name: there should be none. */
  async unlabelledControls(): Promise<string[]> {
    return (await this.page.evaluate(
      `[...document.querySelectorAll("input, select, textarea, button")]
        .filter((element) => !(element.labels?.length > 0
          || element.getAttribute("aria-label")
          || (element.tagName === "BUTTON" && element.textContent.trim())))
        .map((element) => element.outerHTML.slice(0, 120))`,
    )) as string[];
  }

  /** The page's background colour, as the browser computed it. */
  async background(): Promise<string> {
    return (await this.page.evaluate(
      "getComputedStyle(document.documentElement).backgroundColor",
    )) as string;
  }

  async clipboardText(): Promise<string> {
    return (await this.page.evaluate("navigator.clipboard.readText()")) as string;
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTEFACTS, { recursive: true });
    await this.page.screenshot({
      path: join(ARTEFACTS, `${process.env.TOKENSPACE_TEST_STORE ?? "sqlite"}-${name}.png`),
      fullPage: true,
    });
  }

  expectNoTrouble(): void {
    expect(this.trouble).toEqual({ consoleErrors: [], pageErrors: [], failedRequests: [] });
  }

  close(): Promise<void> {
    return this.context.close();
  }
}
