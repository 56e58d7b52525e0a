import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freePort } from "../../../bench/processes.js";
import { COMPAT } from "./support/compat.js";
import { HttpClient } from "./support/http-client.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const WORKSPACES = ["contract", "sdk", "server", "console"];
const manifestOf = (path: string) =>
  JSON.parse(readFileSync(join(ROOT, path, "package.json"), "utf8")) as {
    name: string;
    version: string;
    private?: boolean;
    dependencies?: Record<string, string>;
  };

/** The instructions of the Dockerfile that say how the image starts, checks and configures itself. */
function dockerfile() {
  const text = readFileSync(join(ROOT, "Dockerfile"), "utf8").replaceAll("\\\n", " ");
  const finalStage = text.slice(text.lastIndexOf("\nFROM "));
  const instruction = (name: string) =>
    new RegExp(`^${name}\\s+(.*)$`, "m").exec(finalStage)?.[1] ?? "";
  const env = Object.fromEntries(
    instruction("ENV")
      .split(/\s+/)
      .map((pair) => pair.split("=", 2) as [string, string]),
  );
  const healthcheck = /CMD\s+(\[.*\])\s*$/.exec(instruction("HEALTHCHECK"))?.[1] ?? "[]";
  return {
    env,
    command: [
      ...JSON.parse(instruction("ENTRYPOINT")),
      ...JSON.parse(instruction("CMD")),
    ] as string[],
    healthcheck: JSON.parse(healthcheck) as string[],
    workdir: instruction("WORKDIR"),
  };
}

/**
 * Where npm's install of better-sqlite3 finds its native binary without a download. An image
 * build downloads the prebuilt binary from better-sqlite3's releases; this machine has no
 * network, so its install would compile it (one to three minutes). prebuild-install's own
 * `local-prebuilds` setting hands it the binary this workspace already built for this Node,
 * packed the way a release packs it; everything else about the install is unchanged.
 */
async function localPrebuild(directory: string): Promise<Record<string, string>> {
  const module = join(ROOT, "node_modules/better-sqlite3");
  const { version } = JSON.parse(readFileSync(join(module, "package.json"), "utf8")) as {
    version: string;
  };
  const prebuilds = join(directory, "prebuilds");
  mkdirSync(prebuilds);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await run("tar", [
    "-czf",
    join(prebuilds, name),
    "-C",
    module,
    "build/Release/better_sqlite3.node",
  ]);
  return { npm_config_better_sqlite3_local_prebuilds: prebuilds };
}

/**
 * The container image, on a machine without a container engine: the packed workspaces installed
 * for production by the same script the Dockerfile runs, started and probed with the Dockerfile's
 * own ENTRYPOINT, CMD, ENV and HEALTHCHECK, with /app and /data mapped to temporary directories.
 */
describe("the packed packages installed for production, run as the image runs them", () => {
  const image = dockerfile();
  let directory: string;
  let app: string;
  let data: string;
  let server: ChildProcess;
  let port: number;
  let stderr = "";
  let stdout = "";
  /** A path inside the image, mapped onto this machine. */
  const mapped = (value: string) => value.replaceAll("/app/", `${app}/`).replaceAll("/data", data);
  const env = () => ({
    PATH: process.env.PATH,
    ...Object.fromEntries(Object.entries(image.env).map(([name, value]) => [name, mapped(value)])),
    PORT: String(port),
  });

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "tokenspace-package-"));
    app = join(directory, "app");
    data = join(directory, "data");
    mkdirSync(data);
    // The suite built every package before it started; packing runs no build of its own here,
    // so that it cannot rewrite files the other test files are reading.
    await run(
      "npm",
      ["pack", "--workspaces", "--ignore-scripts", "--pack-destination", directory],
      {
        cwd: ROOT,
      },
    );
    await run("sh", [join(ROOT, "deploy/install-packages.sh"), directory, app], {
      env: { ...process.env, ...(await localPrebuild(directory)) },
    });
    port = await freePort();
    const [executable = "", ...args] = image.command.map(mapped);
    server = spawn(executable, args, { cwd: mapped(image.workdir), env: env() });
    server.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on("data", (chunk) => {
        stdout += chunk;
        if (stdout.includes("Tokenspace is listening") && stderr.includes("API token")) resolve();
      });
      server.once("exit", (code) => reject(new Error(`the server exited with ${code}: ${stderr}`)));
    });
  }, 300_000);

  afterAll(() => {
    server?.kill("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
  });

  test("the image runs as the Dockerfile says: HOST 0.0.0.0, port 8080, SQLite in /data", () => {
    expect(image.env).toMatchObject({
      HOST: "0.0.0.0",
      PORT: "8080",
      DATABASE_URL: "sqlite:/data/tokenspace.db",
    });
    expect(image.command).toEqual([
      "node",
      "/app/node_modules/@tokenspace/server/bin/tokenspace.js",
      "serve",
    ]);
  });

  test("the production install holds the runtime dependencies and no development tools", () => {
    const installed = readdirSync(join(app, "node_modules"));
    for (const tool of ["typescript", "vitest", "tsx", "vite", "@biomejs", "autocannon"]) {
      expect(installed, tool).not.toContain(tool);
    }
    expect(readdirSync(join(app, "node_modules/@tokenspace")).sort()).toEqual([
      "console",
      "contract",
      "sdk",
      "server",
    ]);
  });

  test("the first start prints a project and token that serve requests, and keeps its key in /data", async () => {
    const projectId = /Project ID\s+(\S+)/.exec(stderr)?.[1] ?? "";
    const token = /API token\s+(PT[0-9a-f]{48})/.exec(stderr)?.[1] ?? "";
    const listed = await new HttpClient(`http://127.0.0.1:${port}`, {
      username: projectId,
      password: token,
    }).request("GET", `${COMPAT}/Accounts/${projectId}/tokens`);
    expect(listed.status).toBe(200);
    expect(statSync(join(data, "tokenspace.key")).mode & 0o777).toBe(0o600);
    expect(existsSync(join(data, "tokenspace.db"))).toBe(true);
  });

  test("the console is served from the installed @tokenspace/console", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/console/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="app"');
  });

  test("the HEALTHCHECK command passes while the server runs", async () => {
    const [executable = "", ...args] = image.healthcheck;
    await expect(run(executable, args, { env: env() })).resolves.toBeDefined();
  });

  test("the installed command prints the packages' version", async () => {
    const { stdout: printed } = await run(process.execPath, [
      join(app, "node_modules/@tokenspace/server/bin/tokenspace.js"),
      "--version",
    ]);
    expect(printed).toBe(`tokenspace ${manifestOf("packages/server").version}\n`);
  });

  test("SIGTERM stops it with exit code 0, and then the HEALTHCHECK fails", async () => {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    const [executable = "", ...args] = image.healthcheck;
    await expect(run(executable, args, { env: env() })).rejects.toMatchObject({ code: 1 });
  });
});

describe("the packages publish", () => {
  test("every package carries the root's version and pins its siblings to it; none is private", () => {
    const { version } = manifestOf("");
    for (const name of WORKSPACES) {
      const manifest = manifestOf(`packages/${name}`);
      expect(manifest.version, name).toBe(version);
      expect(manifest.private, name).toBeUndefined();
      for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
        if (dependency.startsWith("@tokenspace/")) expect(range, dependency).toBe(version);
      }
    }
  });

  test("npm publish --dry-run accepts every package", async () => {
    const { stdout, stderr } = await run(
      "npm",
      ["publish", "--dry-run", "--workspaces", "--ignore-scripts"],
      { cwd: ROOT },
    );
    for (const name of WORKSPACES) {
      expect(`${stdout}${stderr}`).toContain(`+ @tokenspace/${name}@${manifestOf("").version}`);
    }
  });
});
