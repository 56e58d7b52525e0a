import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * The installed command's own entry, on the build vitest.config.ts makes from the current
 * sources before the suite starts: a process starts in a fraction of the time a TypeScript
 * loader takes, and runs what users run.
 */
export const TOKENSPACE_BIN = fileURLToPath(new URL("../../bin/tokenspace.js", import.meta.url));
const NODE_ARGS = [TOKENSPACE_BIN];

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of Object.keys(base)) {
    if (
      key.startsWith("TOKENSPACE_") ||
      ["PORT", "HOST", "DATABASE_URL", "LOG_LEVEL"].includes(key)
    ) {
      delete base[key];
    }
  }
  return { ...base, ...env };
}

/** Runs `tokenspace ARGS` as a real process and collects what it printed. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  return new Promise<CliResult>((resolve) => {
    execFile(
      process.execPath,
      [...NODE_ARGS, ...args],
      { env: cliEnv(options.env ?? {}), cwd: options.cwd },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

export interface ServeProcess {
  readonly url: string;
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** Starts `tokenspace serve` on a free port and waits until it listens. */
export function serve(options: { env?: NodeJS.ProcessEnv; cwd?: string; args?: string[] } = {}) {
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, "serve", "--port", "0", ...(options.args ?? [])],
    {
      env: cliEnv(options.env ?? {}),
      cwd: options.cwd,
    },
  );
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else {
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
      }
    });
  return new Promise<ServeProcess>((resolve, reject) => {
    let url: string | undefined;
    let bannerExpected = false;
    // The banner (stderr) and the log (stdout) are separate pipes: wait for both.
    const settle = () => {
      if (url && (!bannerExpected || stderr.includes("API token"))) {
        resolve({ url, process: child, stdout: () => stdout, stderr: () => stderr, stop });
      }
    };
    child.stderr.on("data", settle);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const listening = stdout.split("\n").find((line) => line.includes("Tokenspace is listening"));
      if (listening && !url) {
        const entry = JSON.parse(listening);
        url = entry.url;
        bannerExpected = entry.bootstrapTokenPrinted;
        settle();
      }
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

/** The flags that point a remote command at a test server, as its bootstrap token. */
export function remoteFlags(server: {
  readonly url: string;
  readonly projectId: string;
  readonly token: string;
}): string[] {
  return ["--url", server.url, "--project", server.projectId, "--token", server.token];
}
