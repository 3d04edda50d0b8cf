/**
 * A broker's scale-out on one machine: the image (tests/image/image-dir.ts, the Dockerfile's run
 * stage as a directory) run as two app replicas and any number of workers, every process on one
 * PostgreSQL database with the same secrets, and one shared data volume (the image's /data) as
 * several replicas of the local storage driver need. cTrader is one backend for all replicas, as
 * in production: a loopback stand-in that redeems any token it is shown, any number of times
 * (tests/bench/ctrader-stub.ts), so single use across replicas is our database's doing alone.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { E2E_SERVER_ENV } from "../../playwright.config";
import { startCtraderStub, type CtraderStub } from "../bench/ctrader-stub";
import { endpointsFor, type Receiver } from "../helpers/webhook-receiver";
import { assembleImageDir, stop, type ImageDir } from "../image/image-dir";

const MANAGER_TOKEN = "scale-manager-token";

export type Replica = { name: string; origin: string; process: ChildProcess; output: () => string };

export type Cluster = {
  image: ImageDir;
  ctrader: CtraderStub;
  replicas: [Replica, Replica];
  /** `kyc.mjs worker <args>` with the replicas' settings; its output is kept for failures. */
  startWorker(args: string[]): { process: ChildProcess; output: () => string };
  /** An operator command (migrate, lists:import, …) with the same settings. */
  run(args: string[], extra?: Record<string, string>): ReturnType<ImageDir["run"]>;
  close(): Promise<void>;
};

function collect(child: ChildProcess): () => string {
  let text = "";
  const keep = (d: Buffer) => {
    text = (text + d.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => text;
}

async function waitHealthy(replica: Replica, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (replica.process.exitCode !== null)
      throw new Error(`${replica.name} exited (${replica.process.exitCode}):\n${replica.output()}`);
    const status = await fetch(`${replica.origin}/api/health`, {
      signal: AbortSignal.timeout(2_000),
    }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`${replica.name}: not healthy after ${timeoutMs} ms:\n${replica.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Migrates and imports the sanctions list once (the operator's one-shot commands), then starts
 * both replicas. `receiver` is the broker CRM every process delivers to.
 */
export async function startCluster(options: {
  databaseUrl: string;
  ports: [number, number];
  receiver: Receiver;
}): Promise<Cluster> {
  const image = assembleImageDir();
  const ctrader = await startCtraderStub({ managerToken: MANAGER_TOKEN, distinctUsers: 1 });
  const shared: Record<string, string> = {
    LOG_LEVEL: "warn",
    APP_SECRET: E2E_SERVER_ENV.APP_SECRET,
    SANCTIONS_LIST_PATH: image.mount(path.resolve(E2E_SERVER_ENV.SANCTIONS_LIST_PATH)),
    STAFF_MFA_REVIEWERS: E2E_SERVER_ENV.STAFF_MFA_REVIEWERS,
    DATABASE_URL: options.databaseUrl,
    CTRADER_API_URL: ctrader.url,
    CTRADER_MANAGER_TOKEN: MANAGER_TOKEN,
    WEBHOOK_ENDPOINTS: endpointsFor([{ id: "crm", url: options.receiver.url }]),
    // Every delivery is a worker's: what the workers do is what these tests watch.
    DELIVER_AFTER_RESPONSE: "0",
    // A clean case is approved by its checks: one more real status change per trader (on
    // lists younger than a limit, which production asks for with AUTO_APPROVE).
    AUTO_APPROVE: "1",
    SCREENING_LIST_MAX_AGE_HOURS: "48",
  };
  const settingsFor = (port: number) => {
    const origin = `http://127.0.0.1:${port}`;
    return {
      ...shared,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      PUBLIC_BASE_URL: origin,
      FRAME_ANCESTORS: `'self' ${origin}`,
    };
  };
  const run: Cluster["run"] = (args, extra = {}) =>
    image.run(args, { ...settingsFor(options.ports[0]), ...extra }, 120_000);

  const started: ChildProcess[] = [];
  const cluster: Cluster = {
    image,
    ctrader,
    replicas: undefined as unknown as Cluster["replicas"],
    run,
    startWorker(args) {
      const child = image.start(["worker", ...args], settingsFor(options.ports[0]));
      started.push(child);
      return { process: child, output: collect(child) };
    },
    async close() {
      await Promise.all(started.map((child) => stop(child)));
      await ctrader.close();
      image.remove();
    },
  };
  try {
    for (const command of [["migrate"], ["lists:import"]]) {
      const result = await run(command);
      if (result.code !== 0) throw new Error(`${command[0]}: ${result.stderr || result.stdout}`);
    }
    cluster.replicas = options.ports.map((port, i) => {
      const child = image.start(["serve"], settingsFor(port));
      started.push(child);
      return {
        name: `replica ${"AB"[i]}`,
        origin: `http://127.0.0.1:${port}`,
        process: child,
        output: collect(child),
      };
    }) as [Replica, Replica];
    await Promise.all(cluster.replicas.map((r) => waitHealthy(r)));
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}
