/**
 * scripts/native-build.mjs as `npm install && npm run dev` and CI meet it: it never breaks a start
 * for want of a compiler, fails CI when asked to (--required), and does not recompile what is fresh.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const script = path.resolve("scripts/native-build.mjs");
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [script, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });

describe("npm run build:native", () => {
  it("without a C compiler says so, names the fix and exits 0: the app runs on the sharp path", () => {
    const result = run(["--force"], { CC: "/nonexistent/cc" });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/no C compiler.*apt-get install gcc.*sharp-only path/);
  });

  it("with --required fails instead, so CI and the Docker build cannot ship without the addon", () => {
    const result = run(["--force", "--required"], { CC: "/nonexistent/cc" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no C compiler.*--required: failing/);
  });

  const built = existsSync(path.resolve("native/build/kyc_image.node"));
  (built ? it : it.skip)("does not recompile a build that is newer than its source", () => {
    const result = run([], { CC: "/nonexistent/cc" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/up to date \(libvips \d+\.\d+\.\d+\)/);
  });
});
