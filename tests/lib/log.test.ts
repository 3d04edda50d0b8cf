import { spawnSync } from "node:child_process";
import path from "node:path";
import { addToLogScope, log, withLogScope } from "@/lib/log";
import { captureLogs } from "../helpers/log-capture";

type Line = Record<string, unknown>;

/** Runs `write` with every line captured, and returns the lines parsed. */
function logged(write: () => void): Line[] {
  const capture = captureLogs();
  try {
    write();
  } finally {
    capture.stop();
  }
  return capture.lines.map((line) => JSON.parse(line) as Line);
}

describe("log", () => {
  it("writes one JSON line per event: time, the level as a word, the event and the fields", () => {
    const before = Date.now();
    const [line, ...rest] = logged(() => log.info("storage.local.uploaded", { size: 14 }));
    expect(rest).toEqual([]);
    expect(line).toEqual({
      level: "info",
      time: expect.any(String),
      event: "storage.local.uploaded",
      size: 14,
    });
    expect(Date.parse(line!.time as string)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("never lets a field named level, time, event or msg replace the line's own", () => {
    const [line] = logged(() =>
      log.warn("checks.completed", { level: "high", time: 3, event: "other", msg: "m" }),
    );
    expect(line).toMatchObject({ level: "warn", event: "checks.completed" });
    expect(Date.parse(line!.time as string)).not.toBeNaN();
    expect(line).toMatchObject({
      "fields.level": "high",
      "fields.time": 3,
      "fields.event": "other",
      "fields.msg": "m",
    });
  });

  it("keeps the call's level when a field named level (a risk level) is passed, at every level", () => {
    const lines = logged(() => {
      log.debug("checks.completed", { level: "high" });
      log.info("checks.completed", { level: "high" });
      log.warn("checks.completed", { level: "low" });
      log.error("checks.completed", { level: "high" });
    });
    expect(lines.map((line) => line.level)).toEqual(["debug", "info", "warn", "error"]);
  });

  it("writes the scope's request id (and the case id once added) on every line logged inside it", async () => {
    const lines = await (async () => {
      const capture = captureLogs();
      try {
        await withLogScope({ requestId: "req-1" }, async () => {
          log.info("entry.ok");
          await Promise.resolve();
          addToLogScope({ caseId: "case-1" });
          // A deeper await chain and a timer callback are still the same request.
          await new Promise<void>((resolve) =>
            setImmediate(() => {
              log.warn("checks.deferred");
              resolve();
            }),
          );
          log.info("override", { requestId: "explicit" });
          withLogScope({ step: "personal" }, () => log.info("nested"));
          log.info("after.nested");
        });
        log.info("outside");
      } finally {
        capture.stop();
      }
      return capture.lines.map((line) => JSON.parse(line) as Line);
    })();
    expect(lines).toEqual([
      expect.objectContaining({ event: "entry.ok", requestId: "req-1" }),
      expect.objectContaining({ event: "checks.deferred", requestId: "req-1", caseId: "case-1" }),
      expect.objectContaining({ event: "override", requestId: "explicit", caseId: "case-1" }),
      expect.objectContaining({ event: "nested", requestId: "req-1", step: "personal" }),
      expect.not.objectContaining({ step: expect.anything() }),
      expect.not.objectContaining({ requestId: expect.anything() }),
    ]);
    expect(lines[0]).not.toHaveProperty("caseId");
  });

  it("redacts secret-looking fields at the top level and one level down, and request headers", () => {
    const lines = logged(() =>
      log.info("entry.refused", {
        managerToken: "SECRET-1",
        sessionCookie: "SECRET-2",
        config: { password: "SECRET-3", appSecret: "SECRET-4", retries: 3 },
        request: { headers: { authorization: "Bearer SECRET-5", cookie: "SECRET-6" } },
        upstream: { token: "SECRET-7" },
        tokensIssued: 2,
      }),
    );
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/SECRET-/);
    expect(lines[0]).toMatchObject({
      managerToken: "[redacted]",
      config: { password: "[redacted]", retries: 3 },
      request: { headers: { authorization: "[redacted]" } },
      tokensIssued: 2,
    });
  });

  it("writes an Error passed as error or err with its type, message and stack", () => {
    const failure = new TypeError("the list did not parse");
    const [first, second, third] = logged(() => {
      log.error("checks.failed", { error: failure });
      log.error("checks.failed", { err: failure });
      log.error("checks.failed", { error: failure.message });
    });
    for (const line of [first, second]) {
      expect(Object.values(line!).find((v) => typeof v === "object")).toMatchObject({
        type: "TypeError",
        message: "the list did not parse",
        stack: expect.stringContaining("log.test.ts"),
      });
    }
    expect(third).toMatchObject({ error: "the list did not parse" });
  });

  it("gives child loggers their context on every line, and their children theirs as well", () => {
    const lines = logged(() => {
      const request = log.child({ requestId: "r-1", sessionToken: "SECRET-8" });
      request.info("entry.ok", { screen: "kyc" });
      request.child({ caseId: "c-1", level: "enhanced" }).warn("checks.deferred");
      log.info("server.ready");
    });
    expect(lines).toEqual([
      expect.objectContaining({ requestId: "r-1", event: "entry.ok", screen: "kyc" }),
      expect.objectContaining({
        requestId: "r-1",
        caseId: "c-1",
        level: "warn",
        "fields.level": "enhanced",
        event: "checks.deferred",
      }),
      expect.not.objectContaining({ requestId: expect.anything() }),
    ]);
    expect(JSON.stringify(lines)).not.toContain("SECRET-8");
  });

  it("writes only LOG_LEVEL and above; silent writes nothing, an unknown value reads as info", () => {
    const at = (level: string | undefined) => {
      const capture = captureLogs();
      if (level === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = level;
      try {
        log.debug("d");
        log.info("i");
        log.warn("w");
        log.error("e");
        log.child({ caseId: "c" }).debug("child.d");
      } finally {
        capture.stop();
      }
      return capture.lines.map((line) => (JSON.parse(line) as Line).event);
    };
    expect(at("debug")).toEqual(["d", "i", "w", "e", "child.d"]);
    expect(at("warn")).toEqual(["w", "e"]);
    expect(at("silent")).toEqual([]);
    expect(at(undefined)).toEqual(["i", "w", "e"]);
    expect(at("verbose")).toEqual(["i", "w", "e"]);
  });

  it("writes every level to stdout, and keeps the lines logged right before process.exit", () => {
    const logModule = path.join(__dirname, "../../lib/log.ts");
    const script = [
      `const { log } = require(${JSON.stringify(logModule)});`,
      `for (let i = 0; i < 2000; i++) log.info("bulk", { i, pad: "x".repeat(500) });`,
      `log.warn("last.warn"); log.error("last.error");`,
      `process.exit(0);`,
    ].join("\n");
    const run = spawnSync(process.execPath, ["--import", "tsx", "--eval", script], {
      env: { ...process.env, NODE_OPTIONS: "", LOG_LEVEL: "info" },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.stderr).toBe("");
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2002);
    expect(lines.slice(-2).map((line) => (JSON.parse(line) as Line).event)).toEqual([
      "last.warn",
      "last.error",
    ]);
  });
});
