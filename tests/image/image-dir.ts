/**
 * The container image without a container runtime: reads the Dockerfile's run stage and lays out
 * exactly what it copies into a directory, with the same environment, user and entrypoint, so
 * CI (which cannot pull a base image) runs the image's files the way `docker run` would. The
 * Dockerfile is the only list: a file it stops copying is missing here too.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export type RunStage = {
  copies: { from: string; to: string }[];
  env: Record<string, string>;
  user: string | null;
  /** The entrypoint after tini: e.g. ["node", "kyc.mjs"]. */
  entrypoint: string[];
  defaultCommand: string[];
  healthcheck: string[];
};

const WORKDIR = "/app";

/** The last stage of the Dockerfile, parsed (one instruction per line after joining `\` lines). */
export function readRunStage(dockerfile = "Dockerfile"): RunStage {
  const lines = readFileSync(dockerfile, "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const stageStart = lines.findLastIndex((l) => /^FROM\s/i.test(l));
  const stage: RunStage = {
    copies: [],
    env: {},
    user: null,
    entrypoint: [],
    defaultCommand: [],
    healthcheck: [],
  };
  for (const line of lines.slice(stageStart + 1)) {
    const [instruction = "", ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    switch (instruction.toUpperCase()) {
      case "COPY": {
        const parts = rest.filter((p) => !p.startsWith("--"));
        if (!rest.some((p) => p.startsWith("--from=")) || parts.length !== 2)
          throw new Error(`Dockerfile: unexpected run-stage COPY: ${line}`);
        const [from = "", to = ""] = parts;
        if (!from.startsWith(`${WORKDIR}/`)) throw new Error(`Dockerfile: COPY from ${from}`);
        stage.copies.push({ from: from.slice(WORKDIR.length + 1), to });
        break;
      }
      case "ENV":
        for (const pair of args.match(/[A-Za-z_][A-Za-z0-9_]*=\S*/g) ?? []) {
          const eq = pair.indexOf("=");
          stage.env[pair.slice(0, eq)] = pair.slice(eq + 1);
        }
        break;
      case "USER":
        stage.user = args;
        break;
      case "ENTRYPOINT": {
        const argv = JSON.parse(args) as string[];
        const afterInit = argv.indexOf("--");
        stage.entrypoint = afterInit >= 0 ? argv.slice(afterInit + 1) : argv;
        break;
      }
      case "CMD":
        stage.defaultCommand = JSON.parse(args) as string[];
        break;
      case "HEALTHCHECK": {
        const cmd = args.slice(args.indexOf("CMD") + 3).trim();
        stage.healthcheck = JSON.parse(cmd) as string[];
        break;
      }
    }
  }
  return stage;
}

function chownTree(dir: string, uid: number, gid: number) {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    const stat = lstatSync(p);
    // A link itself, as COPY --chown does: following it would fail on one that points outside.
    if (stat.isSymbolicLink()) lchownSync(p, uid, gid);
    else if (stat.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

export type ImageDir = {
  root: string;
  dataDir: string;
  stage: RunStage;
  /** Runs a command of the image as `docker run IMAGE <args>` would, with extra environment. */
  run(args: string[], env: Record<string, string>, timeoutMs?: number): Promise<RunResult>;
  /** Starts a long-running command (serve, worker). */
  start(args: string[], env: Record<string, string>): ChildProcess;
  /** The image's HEALTHCHECK, run inside the "container". */
  healthcheck(env: Record<string, string>): Promise<RunResult>;
  /**
   * A file of the checkout as the operator mounts it into the container (read-only, e.g. a
   * sanctions list): copied where the unprivileged user can read it, since a checkout may sit in
   * a directory only its owner can enter. Returns the path to pass.
   */
  mount(file: string): string;
  /** Removes every directory this made. */
  remove(): void;
};

export type RunResult = { code: number | null; stdout: string; stderr: string };

/** Unprivileged like the image's USER: as root, commands run as nobody on files nobody owns. */
const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;

export function assembleImageDir(repoRoot = process.cwd()): ImageDir {
  const stage = readRunStage(path.join(repoRoot, "Dockerfile"));
  const root = mkdtempSync(path.join(tmpdir(), "kyc-image-"));
  for (const { from, to } of stage.copies) {
    const source = path.join(repoRoot, from);
    const target = path.resolve(root, to);
    if (!statSync(source, { throwIfNoEntry: false }))
      throw new Error(`${from} is missing: run npm run build first`);
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true, verbatimSymlinks: true });
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "kyc-image-data-")); // its VOLUME /data
  if (asRoot) {
    chownTree(root, NOBODY.uid, NOBODY.gid);
    chownSync(dataDir, NOBODY.uid, NOBODY.gid);
  }

  const argv = (args: string[]) => {
    const [bin = "node", ...rest] = [...stage.entrypoint, ...args];
    const command = bin === "node" ? process.execPath : bin;
    return asRoot
      ? {
          command: "setpriv",
          args: [
            `--reuid=${NOBODY.uid}`,
            `--regid=${NOBODY.gid}`,
            "--clear-groups",
            command,
            ...rest,
          ],
        }
      : { command, args: rest };
  };
  const environment = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    // Only what a container has: its PATH, the image's ENV and the operator's --env.
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: root,
    ...stage.env,
    DATA_DIR: dataDir,
    ...extra,
    NODE_ENV: stage.env.NODE_ENV as NodeJS.ProcessEnv["NODE_ENV"],
  });
  const collect = (child: ChildProcess, timeoutMs: number) =>
    new Promise<RunResult>((resolve) => {
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (d: Buffer) => (stdout += d));
      child.stderr?.on("data", (d: Buffer) => (stderr += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  const start = (args: string[], env: Record<string, string>) => {
    const { command, args: rest } = argv(args);
    return spawn(command, rest, { cwd: root, env: environment(env) });
  };
  const mounts = mkdtempSync(path.join(tmpdir(), "kyc-image-mounts-"));
  chmodSync(mounts, 0o755);
  return {
    root,
    dataDir,
    stage,
    remove: () => {
      for (const dir of [root, dataDir, mounts]) removeDir(dir);
    },
    mount: (file) => {
      const target = path.join(mounts, path.basename(file));
      copyFileSync(file, target);
      chmodSync(target, 0o644);
      return target;
    },
    start,
    run: (args, env, timeoutMs = 60_000) => collect(start(args, env), timeoutMs),
    healthcheck: (env) => {
      const [bin = "node", ...rest] = stage.healthcheck;
      const command = bin === "node" ? process.execPath : bin;
      const child = spawn(command, rest, { cwd: root, env: environment(env) });
      return collect(child, 10_000);
    },
  };
}

/** Ends a started command the way `docker stop` does (SIGTERM), and waits for it. */
export function stop(child: ChildProcess): Promise<number | null> {
  // Exited already (a signal leaves exitCode null and sets signalCode): nothing to wait for.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once("close", (code) => resolve(code));
    // setpriv execs the command, so the signal reaches node itself.
    child.kill("SIGTERM");
  });
}

export function removeDir(dir: string) {
  execFileSync("rm", ["-rf", dir]);
}
