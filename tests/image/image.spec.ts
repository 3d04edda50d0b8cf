/**
 * The container image, run from the directory its Dockerfile describes (image-dir.ts), as an
 * unprivileged user with production settings against PostgreSQL — what a broker's ops engineer
 * does on day one: migrate (two replicas at once), create the first console account, import the
 * lists, start the server, let a trader submit, let the worker deliver, verify the audit chain.
 */
import { expect, test } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import en from "../../messages/en.json";
import { completeStandardLevel, launch } from "../e2e/fixtures/flow";
import { endpointsFor, startReceiver, type Receiver } from "../helpers/webhook-receiver";
import { IMAGE_ORIGIN, IMAGE_PORT } from "../../playwright.image.config";
import { assembleImageDir, stop, type ImageDir } from "./image-dir";

test.describe.configure({ mode: "serial" });

const databaseUrl = process.env.IMAGE_DATABASE_URL || "";
let image: ImageDir;
let receiver: Receiver;
let server: ChildProcess | undefined;
let stdout = "";
let settings: Record<string, string>;

test.beforeAll(() => {
  expect(databaseUrl, "IMAGE_DATABASE_URL: an empty PostgreSQL database").not.toBe("");
  image = assembleImageDir();
});
test.beforeAll(async () => {
  receiver = await startReceiver();
  settings = {
    DATABASE_URL: databaseUrl,
    PORT: String(IMAGE_PORT),
    HOSTNAME: "127.0.0.1",
    PUBLIC_BASE_URL: IMAGE_ORIGIN,
    APP_SECRET: "image-test-secret-0123456789abcdefghijklmnop",
    DEV_SIMULATOR: "1",
    DEV_SIMULATOR_IN_PRODUCTION: "1",
    FRAME_ANCESTORS: `'self' ${IMAGE_ORIGIN}`,
    LOG_LEVEL: "warn",
    STAFF_PASSWORD: "image test staff password 1234",
    WEBHOOK_ENDPOINTS: endpointsFor([{ id: "crm", url: receiver.url }]),
    // Every delivery is the worker's, so the test sees the worker deliver.
    DELIVER_AFTER_RESPONSE: "0",
  };
});
test.afterAll(async () => {
  if (server) await stop(server);
  await receiver?.close();
  image?.remove();
});

test("the run stage is unprivileged, initialised and health-checked", () => {
  expect(image.stage.user).toBe("app");
  expect(image.stage.env.NODE_ENV).toBe("production");
  expect(image.stage.entrypoint).toEqual(["node", "kyc.mjs"]);
  expect(image.stage.healthcheck[0]).toBe("node");
});

test("the image holds compiled code only: no TypeScript sources, tests or local data", () => {
  const sources = readdirSync(image.root, { recursive: true, encoding: "utf8" }).filter(
    (f) =>
      !f.split(path.sep).includes("node_modules") &&
      (/\.(ts|tsx)$/.test(f) || /^(tests|lib|scripts|\.data|\.env)/.test(f)),
  );
  expect(sources).toEqual([]);
});

test("an unknown command names the ones there are", async () => {
  const result = await image.run(["frobnicate"], settings);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("staff:create");
});

test("migrate: two replicas at once both succeed, and again is a no-op", async () => {
  const [a, b] = await Promise.all([
    image.run(["migrate"], settings),
    image.run(["migrate"], settings),
  ]);
  expect(a.stderr + b.stderr).toBe("");
  expect([a.code, b.code]).toEqual([0, 0]);
  const again = await image.run(["migrate"], settings);
  expect(again.code).toBe(0);
});

test("staff:create makes the first console account", async () => {
  const result = await image.run(
    ["staff:create", "--email", "ops@broker.example", "--role", "admin"],
    settings,
  );
  expect(result.stderr).toBe("");
  expect(result.stdout).toContain("created ops@broker.example (admin)");
});

test("lists:import loads a sanctions list", async () => {
  const list = image.mount(path.resolve("tests/fixtures/sanctions/ofac-sdn-excerpt.csv"));
  const result = await image.run(["lists:import"], { ...settings, SANCTIONS_LIST_PATH: list });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/lists:import: .* entries/);
});

test("the server passes the image's health check and serves screens and assets", async ({
  request,
}) => {
  server = image.start(["serve"], settings);
  let stderr = "";
  server.stderr?.on("data", (d: Buffer) => (stderr += d));
  server.stdout?.on("data", (d: Buffer) => (stdout += d));
  await expect
    .poll(async () => (await image.healthcheck(settings)).code, {
      timeout: 60_000,
      message: `the server's stderr: ${stderr}`,
    })
    .toBe(0);
  const login = await request.get("/admin/login");
  expect(login.status()).toBe(200);
  const script = (await login.text()).match(/\/_next\/static\/[^"]+\.js/)?.[0];
  expect(script).toBeTruthy();
  expect((await request.get(script!)).status()).toBe(200);
  // Idle connections outlive a balancer's 60 s idle timeout, so the balancer closes them first.
  expect(login.headers()["keep-alive"]).toBe("timeout=65");

  // One log format: Next's own start lines are JSON objects like ours.
  const lines = stdout.split("\n").filter((l) => l.trim());
  const parsed = lines.map((l) => {
    try {
      return JSON.parse(l) as { event?: string; message?: string };
    } catch {
      return { notJson: l };
    }
  });
  expect(parsed.filter((p) => "notJson" in p)).toEqual([]);
  expect(parsed).toContainEqual(
    expect.objectContaining({ event: "next.log", message: expect.stringContaining("Ready") }),
  );
});

test("a trader submits on the image's server and the worker delivers it, once", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await launch(page, { userId: 2991, screen: "kyc", lang: "en" });
  await completeStandardLevel(page, en, 2991);
  expect(receiver.received).toEqual([]); // the server itself sends nothing (DELIVER_AFTER_RESPONSE=0)

  const worker = image.start(["worker", "--poll-ms=200"], settings);
  try {
    await receiver.waitFor(1, 60_000);
    await expect
      .poll(() => receiver.received.map((r) => JSON.parse(r.body) as { type: string }), {
        timeout: 30_000,
      })
      .toContainEqual(expect.objectContaining({ type: "case.status_changed" }));
  } finally {
    expect(await stop(worker)).toBe(0); // SIGTERM: the worker finishes and exits cleanly
  }
  const ids = receiver.received.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
});

test("audit:verify passes on what the day left behind", async () => {
  const result = await image.run(["audit:verify"], settings);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  expect(result.stdout).toContain("chain intact");
});
