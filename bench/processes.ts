import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { constants } from "node:os";

export interface Target {
  readonly url: string;
  readonly process: ChildProcess;
  /**
   * User + system CPU time the process and the processes it started (workers) have used so
   * far, in microseconds (Linux: /proc).
   */
  cpuMicroseconds(): number;
  /** Peak resident set size of the process and its workers so far, summed, in MB (VmHWM). */
  peakRssMb(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 0;
}

/**
 * The CPU time a process's threads have used, in microseconds: the sum of each thread's
 * nanosecond run time (/proc/PID/task/TID/schedstat), so that a run of a few hundred requests
 * measures as precisely as a long one (/proc/PID/stat counts in 10 ms ticks).
 */
function cpuMicrosecondsOf(pid: number): number {
  let nanoseconds = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(
        readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ")[0],
      );
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return nanoseconds / 1000;
}

/** A process and every process it started, and they started (a server's workers). */
function processTree(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${thread}/children`, "utf8").trim();
      if (listed !== "") children.push(...listed.split(" ").map(Number));
    }
  } catch {
    // The process ended while it was being read.
  }
  return [pid, ...children.flatMap(processTree)];
}

function peakRssMbOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Servers started and not yet exited, stopped with the benchmark when a signal stops it. */
const running = new Set<ChildProcess>();

/**
 * Ties a server to the benchmark's life: a benchmark stopped by a signal (a `kill`, not only the
 * terminal's Ctrl-C, which reaches its children itself) would otherwise leave its servers
 * running, each holding its database and its memory beside the next run.
 */
function stoppedWithTheBenchmark(child: ChildProcess): void {
  listenForStopSignals();
  running.add(child);
  child.once("exit", () => running.delete(child));
}

let listening = false;

function listenForStopSignals(): void {
  if (listening) return;
  listening = true;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      for (const server of running) server.kill("SIGTERM");
      process.exit(128 + constants.signals[signal]);
    });
  }
}

/**
 * Starts a server process and waits until `readyPath` answers 200. With `logFile`, its standard
 * output (the request log) goes to that file, as an operator runs it, emptied first: appended to
 * run after run, each file had grown past 2 GB; otherwise nowhere.
 */
export async function startTarget(
  args: string[],
  env: NodeJS.ProcessEnv,
  readyPath: string,
  logFile?: string,
): Promise<Target> {
  const port = await freePort();
  const output = logFile === undefined ? "ignore" : openSync(logFile, "w");
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", output, "inherit"],
  });
  if (typeof output === "number") closeSync(output);
  stoppedWithTheBenchmark(child);
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url + readyPath)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 200) throw new Error(`${args.join(" ")} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    process: child,
    cpuMicroseconds: () =>
      processTree(child.pid ?? 0).reduce((sum, pid) => sum + cpuMicrosecondsOf(pid), 0),
    peakRssMb: () => processTree(child.pid ?? 0).reduce((sum, pid) => sum + peakRssMbOf(pid), 0),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
