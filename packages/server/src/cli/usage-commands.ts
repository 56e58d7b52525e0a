import type { TokenLimitParams, Usage, UsageGranularity } from "@tokenspace/contract";
import { UsageError } from "../domain/errors.js";
import { type Flags, print } from "./cli-flags.js";
import { describeManaged } from "./lifecycle-commands.js";
import { client, remote } from "./remote-commands.js";

/** `--rate 100/1m`, `--refill 1000/30d`: a count and a duration; `none` removes it. */
function countPer(
  flag: string,
  value: string,
  names: readonly [count: string, per: string],
): Record<string, number | string> | null {
  if (value === "none") return null;
  const match = /^(\d{1,13})\/(\w{1,16})$/.exec(value.trim());
  if (!match) {
    throw new UsageError(
      `--${flag} must be COUNT/DURATION (such as ${flag === "rate" ? "100/1m" : "1000/30d"}) or none.`,
    );
  }
  return { [names[0]]: Number(match[1]), [names[1]]: match[2] ?? "" };
}

/**
 * `tokenspace tokens limit TOKEN_ID [--rate 100/1m|none] [--uses N|unlimited]
 * [--refill 1000/30d|none]`: a token's limits, through the extension surface (which checks
 * their ranges).
 */
export async function setLimits(flags: Flags, tokenId: string | undefined): Promise<void> {
  if (!tokenId) throw new UsageError("tokens limit needs TOKEN_ID");
  const { rate, uses, refill } = flags;
  if (rate === undefined && uses === undefined && refill === undefined) {
    throw new UsageError("tokens limit needs at least one of --rate, --uses and --refill");
  }
  if (uses !== undefined && uses !== "unlimited" && !/^\d{1,13}$/.test(uses)) {
    throw new UsageError("--uses must be a whole number, or unlimited.");
  }
  const changes = {
    ...(rate !== undefined && { rate_limit: countPer("rate", rate, ["limit", "window"]) }),
    ...(uses !== undefined && { uses_remaining: uses === "unlimited" ? null : Number(uses) }),
    ...(refill !== undefined && {
      uses_refill: countPer("refill", refill, ["amount", "every"]),
    }),
  } as TokenLimitParams;
  const token = await remote(() => client(flags).tokenspace.tokens.update(tokenId, changes));
  print(flags, token, describeManaged(token));
}

/** The usage flags as the API takes them. */
function usageParams(flags: Flags) {
  return {
    ...(flags.since !== undefined && { since: flags.since }),
    ...(flags.granularity !== undefined && {
      granularity: flags.granularity as UsageGranularity,
    }),
  };
}

/** Totals, then the buckets that counted anything (--json prints every bucket). */
function describeUsage(usage: Usage): string {
  const counted = usage.buckets.filter((bucket) => bucket.allowed + bucket.refused > 0);
  return [
    `Since ${usage.since}, by the ${usage.granularity}: ${usage.allowed} allowed, ${usage.refused} refused.`,
    ...counted.map(
      (bucket) =>
        `  ${bucket.start}  ${String(bucket.allowed).padStart(8)} allowed  ${String(bucket.refused).padStart(8)} refused`,
    ),
  ].join("\n");
}

/** `tokenspace tokens usage TOKEN_ID [--since 7d] [--granularity hour]`. */
export async function showTokenUsage(flags: Flags, tokenId: string | undefined): Promise<void> {
  if (!tokenId) throw new UsageError("tokens usage needs TOKEN_ID");
  const usage = await remote(() =>
    client(flags).tokenspace.tokens.usage(tokenId, usageParams(flags)),
  );
  print(flags, usage, describeUsage(usage));
}

/** `tokenspace usage [--since 7d] [--granularity hour]`: every token of the project's family. */
export async function showUsage(flags: Flags): Promise<void> {
  const usage = await remote(() => client(flags).tokenspace.usage(usageParams(flags)));
  print(flags, usage, describeUsage(usage));
}
