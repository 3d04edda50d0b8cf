/**
 * Page renders run in their request's log scope: the id the proxy forwarded, and the case id once
 * the screen context names it, on every line the page's own code writes. Without the wrapper a
 * page's lines carried neither (the proxy's scope ends before Next renders).
 */
jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextHeaders({ "x-request-id": "page-trace-1" }),
);

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { withPageScope } from "@/lib/http/action-scope";
import { addToLogScope, log } from "@/lib/log";
import { captureLogs } from "../../helpers/log-capture";

function pageFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return pageFiles(path);
    return name === "page.tsx" ? [path] : [];
  });
}

describe("withPageScope", () => {
  it("writes the request id on the page's lines, and the case id from the moment it is known", async () => {
    const capture = captureLogs();
    try {
      const Page = withPageScope(async ({ id }: { id: string }) => {
        log.info("page.before_context", {});
        await new Promise((resolve) => setTimeout(resolve, 1));
        addToLogScope({ caseId: id });
        await Promise.resolve();
        log.warn("page.after_context", {});
        return id;
      });
      await expect(Page({ id: "case-1" })).resolves.toBe("case-1");
      log.info("outside.page", {});
    } finally {
      capture.stop();
    }
    const lines = capture.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ event: "page.before_context", requestId: "page-trace-1" }),
      expect.objectContaining({
        event: "page.after_context",
        requestId: "page-trace-1",
        caseId: "case-1",
      }),
      expect.not.objectContaining({ requestId: expect.anything() }),
    ]);
  });

  it("keeps two overlapping renders apart", async () => {
    const capture = captureLogs();
    try {
      const Page = withPageScope(async ({ id, wait }: { id: string; wait: number }) => {
        addToLogScope({ caseId: id });
        await new Promise((resolve) => setTimeout(resolve, wait));
        log.info("page.done", { id });
      });
      await Promise.all([Page({ id: "a", wait: 5 }), Page({ id: "b", wait: 1 })]);
    } finally {
      capture.stop();
    }
    const lines = capture.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.caseId).toBe(line.id);
  });

  it("wraps every server-rendered page of the app", () => {
    // An async page is exported through the wrapper; a synchronous one loads nothing to log.
    const unwrapped = pageFiles(join(process.cwd(), "app")).filter((file) => {
      const source = readFileSync(file, "utf8");
      const asyncPage = /^(export default )?async function \w+/m.test(source);
      return asyncPage && !/^export default withPageScope\(\w+\);$/m.test(source);
    });
    expect(unwrapped).toEqual([]);
  });
});
