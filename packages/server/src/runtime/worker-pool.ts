import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import { answerWorkers } from "../store/cluster-counters.js";
import { MemoryCounters } from "../store/memory-counters.js";

/** A replacement for a worker that died is started after this long. */
const RESTART_DELAY_MS = 1000;

/** What a worker tells the primary once it listens. */
export interface WorkerListening {
  readonly type: "tokenspace:listening";
  readonly url: string;
  readonly bootstrapTokenPrinted: boolean;
}

function isListening(message: unknown): message is WorkerListening {
  return (message as { type?: unknown } | null)?.type === "tokenspace:listening";
}

/** The index of this worker process (0 is the first), or undefined in the primary or alone. */
export function workerIndex(): number | undefined {
  return cluster.isWorker ? Number(process.env.TOKENSPACE_WORKER_INDEX ?? 0) : undefined;
}

/**
 * `serve --workers N`: this process (the primary) serves nothing itself. It starts the first
 * worker alone, so that migrations, the bootstrap and a self-signed certificate are made once,
 * then the others; Node's cluster hands the one port's connections to them in turn. The primary
 * keeps the counts the workers share when nothing else shares them (SQLite without Redis),
 * starts a replacement for a worker that dies, and on SIGTERM or SIGINT stops every worker
 * gracefully, then exits.
 */
export async function runWorkerPool(workers: number, logger: Logger): Promise<void> {
  answerWorkers(new MemoryCounters());
  let stopping = false;
  const running = new Set<Worker>();
  const start = (index: number) =>
    new Promise<WorkerListening>((resolve, reject) => {
      const worker = cluster.fork({ TOKENSPACE_WORKER_INDEX: String(index) });
      running.add(worker);
      worker.on("message", (message: unknown) => {
        if (isListening(message)) resolve(message);
      });
      worker.once("exit", (code, signal) => {
        running.delete(worker);
        reject(new Error(`worker ${index} exited with ${signal ?? code} before it listened`));
        if (stopping) return;
        logger.error({ worker: index, code, signal }, "a worker stopped; starting another");
        setTimeout(() => {
          if (!stopping) start(index).catch(() => {});
        }, RESTART_DELAY_MS).unref();
      });
    });

  const stop = async () => {
    stopping = true;
    await Promise.all(
      [...running].map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once("exit", () => resolve());
            worker.process.kill("SIGTERM");
          }),
      ),
    );
    logger.flush();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  try {
    const first = await start(0);
    await Promise.all(Array.from({ length: workers - 1 }, (_, index) => start(index + 1)));
    logger.info(
      { url: first.url, workers, bootstrapTokenPrinted: first.bootstrapTokenPrinted },
      "Tokenspace is listening",
    );
    logger.flush();
  } catch (error) {
    logger.error({ err: String(error) }, "the workers could not start");
    stopping = true;
    for (const worker of running) worker.process.kill("SIGTERM");
    process.exitCode = 1;
  }
}
