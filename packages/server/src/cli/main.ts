import { parseArgs } from "node:util";
import { TokenspaceError, UsageError } from "../domain/errors.js";
import { PACKAGE_VERSION } from "../runtime/package-version.js";
import { OPTIONS } from "./cli-flags.js";
import { findCommand } from "./commands.js";
import { commandHelp, overview } from "./help.js";

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Runs the command line; returns the exit code (0, 1 or 2, as the help says). */
async function main(argv: string[]): Promise<number> {
  let usage = overview();
  try {
    const { values: flags, positionals } = parseCommandLine(argv);
    if (flags.version) {
      process.stdout.write(`tokenspace ${PACKAGE_VERSION}\n`);
      return 0;
    }
    const asksHelp = positionals[0] === "help";
    const words = asksHelp ? positionals.slice(1) : positionals;
    if (words.length === 0) {
      process.stdout.write(usage);
      return 0;
    }
    const found = findCommand(words);
    if (!found) throw new UsageError(`Unknown command "${words.join(" ")}".`);
    usage = commandHelp(found.command);
    if (asksHelp || flags.help) {
      process.stdout.write(usage);
      return 0;
    }
    await found.command.run(flags, found.rest);
    return 0;
  } catch (error) {
    // Expected failures are Tokenspace's own errors: one line, no stack. Anything else is a bug.
    if (error instanceof UsageError) {
      process.stderr.write(`tokenspace: ${error.message}\n\n${usage}`);
      return 2;
    }
    if (error instanceof TokenspaceError) {
      process.stderr.write(`tokenspace: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(
      `tokenspace: unexpected failure: ${(error as Error).stack ?? String(error)}\n`,
    );
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// A failure ends the process even if a connection it opened is still closing.
if (code !== 0) process.exit(code);
