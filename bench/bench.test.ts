import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * `npm run bench -- --quick` without its build step: vitest.config.ts has built the packages
 * from the current sources already, and the harness starts the server from that build.
 */
test("npm run bench -- --quick measures every scenario's CPU per request and req/s beside the baseline, without errors", async () => {
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=tokenspace-source", "--import", "tsx", "bench/run.ts", "--quick"],
      { cwd: ROOT, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
  expect(code, output).toBe(0);
  const rows = output.split("\n").filter((line) => /^\| (sqlite|postgres) \|/.test(line));
  const stores = new Set(rows.map((row) => row.split("|")[1]?.trim()));
  expect(stores.has("sqlite")).toBe(true);
  expect(rows).toHaveLength(9 * stores.size);
  for (const row of rows) {
    const cells = row.split("|").map((cell) => cell.trim());
    const [cpu, baselineCpu, cpuRatio, reqPerSecond, baseline, ratio, p99, errors] = [
      cells[4],
      cells[5],
      cells[6],
      cells[7],
      cells[8],
      cells[9],
      cells[11],
      cells[13],
    ];
    expect(Number(cpu), row).toBeGreaterThan(0);
    expect(Number(baselineCpu), row).toBeGreaterThan(0);
    expect(cpuRatio, row).toMatch(/^\d+ %$/);
    expect(Number(reqPerSecond), row).toBeGreaterThan(0);
    expect(Number(baseline), row).toBeGreaterThan(0);
    expect(ratio, row).toMatch(/^\d+ %$/);
    // To the hundredth of a millisecond, as each response was timed, and above 0: every run is timed.
    expect(p99, row).toMatch(/^\d+\.\d\d$/);
    expect(Number(p99), row).toBeGreaterThan(0);
    expect(errors, row).toBe("0");
  }
  expect(output).toContain("Targets:");
  for (const floor of ["durable-create-floor", "fastify-create-floor"]) {
    expect(output).toMatch(
      new RegExp(
        `the durable create's floor at 1,000 tokens \\(.*bench/${floor}\\.ts\\): \\d+ µs.*\\(reported, no target\\)$`,
        "m",
      ),
    );
  }
}, 180_000);
