/**
 * The server's own limits in next.config.ts: the proxy does not buffer 10 MB of every request
 * body, and the worker's packages stay in node_modules (the PDF and HEIC workers require them
 * by name at run time).
 */
import configFor from "@/next.config";
import { config as proxyConfig } from "@/proxy";

function bytesOf(size: string | number | undefined): number {
  if (typeof size === "number") return size;
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)$/i.exec(size ?? "");
  if (!match) throw new Error(`unreadable size ${String(size)}`);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2]!.toLowerCase() as "b" | "kb" | "mb"];
  return Number(match[1]) * unit;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const OPS_EXTERNAL: string[] = require("../scripts/ops-external.cjs");

const nextConfig = configFor("phase-production-server");

describe("next.config", () => {
  it("leaves every package the server keeps external to node_modules in the operator bundle too", () => {
    // The worker and commands (scripts/build-ops.mjs) run the same checks: a package bundled there
    // looks for its WASM, worker script or data beside the bundle and fails at run time.
    for (const name of nextConfig.serverExternalPackages ?? [])
      expect(OPS_EXTERNAL).toContain(name);
  });

  it("lets the proxy buffer at most 1 MB of a request body", () => {
    expect(bytesOf(nextConfig.experimental?.proxyClientMaxBodySize)).toBeLessThanOrEqual(
      1024 * 1024,
    );
  });

  it("keeps the local upload route, which takes whole documents, out of the proxy", () => {
    const [matcher] = proxyConfig.matcher;
    const pattern = new RegExp(`^${matcher}$`);
    expect(pattern.test("/api/uploads/local")).toBe(false);
    expect(pattern.test("/api/inapp/documents")).toBe(true);
    expect(pattern.test("/inapp/kyc")).toBe(true);
  });

  it("keeps the packages the document workers require by name external", () => {
    expect(nextConfig.serverExternalPackages).toEqual(
      expect.arrayContaining(["libheif-js", "@cantoo/pdf-lib"]),
    );
  });
});
