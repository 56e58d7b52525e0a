import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { COMMANDS } from "../src/cli/commands.js";
import { commandHelp } from "../src/cli/help.js";
import { runCli } from "./support/cli.js";

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

describe("the CLI says its version and how each command is used", () => {
  test("--version and -v print the package's version and exit 0", async () => {
    for (const flag of ["--version", "-v"]) {
      const result = await runCli([flag]);
      expect(result).toEqual({ code: 0, stdout: `tokenspace ${manifest.version}\n`, stderr: "" });
    }
  });

  test("the overview lists every command and the exit codes", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(`  ${command.name} `);
    expect(result.stdout).toContain("Exit codes:\n  0  success\n  1  ");
    expect(result.stdout).toContain("  2  the command line is wrong");
  });

  test("help COMMAND and COMMAND --help print the same usage, with its flags and variables", async () => {
    const viaHelp = await runCli(["help", "tokens", "create"]);
    const viaFlag = await runCli(["tokens", "create", "--help"]);
    expect(viaHelp.code).toBe(0);
    expect(viaFlag).toEqual(viaHelp);
    expect(viaHelp.stdout).toMatch(/^Usage: tokenspace tokens create --project ID /);
    for (const text of ["--permissions LIST", "--url URL", "env TOKENSPACE_TOKEN", "Exit codes"]) {
      expect(viaHelp.stdout).toContain(text);
    }
  });

  test("every command's help names each of its flags", () => {
    for (const command of COMMANDS) {
      const help = commandHelp(command);
      expect(help, command.name).toMatch(new RegExp(`^Usage: tokenspace ${command.name}`));
      for (const flag of command.flags) expect(help, command.name).toContain(`--${flag}`);
    }
  });

  test("serve --help names every environment variable the server reads", async () => {
    const config = readFileSync(new URL("../src/runtime/config.ts", import.meta.url), "utf8");
    const read = new Set([...config.matchAll(/env\.([A-Z_]+)/g)].map((match) => match[1]));
    expect(read.size).toBeGreaterThan(20);
    const help = (await runCli(["serve", "--help"])).stdout;
    for (const variable of read) expect(help, variable).toContain(variable);
  });

  test("a command given the wrong arguments prints its own usage and exits 2", async () => {
    const result = await runCli(["subprojects", "create", "Orphan"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("tokenspace: Name the parent and the subproject");
    expect(result.stderr).toContain("Usage: tokenspace subprojects create --parent ID NAME");
  });

  test("help for an unknown command exits 2 and names it", async () => {
    const result = await runCli(["help", "tokens", "frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "tokens frobnicate"');
  });
});
