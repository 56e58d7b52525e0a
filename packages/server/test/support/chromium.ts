import { type Browser, chromium } from "playwright-core";
import { inject } from "vitest";

/**
 * Debian's Chromium, which .ci/run installs (playwright-core downloads no browser), or null
 * where the suite found none: the browser tests are then skipped, and CI fails instead.
 */
export const CHROMIUM = inject("chromium");

/**
 * Headless Chromium that stays off the network: without these flags it keeps trying to reach
 * Google's services, which this machine refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM ?? undefined,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
