import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium, which .ci/run installs; playwright-core downloads no browser. */
export const CHROMIUM = process.env.TOKENSPACE_TEST_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Whether the browser tests can run here. CI must run them, so there a missing Chromium is an
 * error rather than a skip.
 */
export function chromiumAvailable(suite: string): boolean {
  const available = existsSync(CHROMIUM);
  if (!available && process.env.CI) {
    throw new Error(`CI runs ${suite} and needs Chromium at ${CHROMIUM} (.ci/run installs it).`);
  }
  return available;
}

/**
 * Headless Chromium that stays off the network: without these flags it keeps trying to reach
 * Google's services, which this machine refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
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
