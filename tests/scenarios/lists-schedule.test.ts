/**
 * Scenario: the broker's screening list lives at a URL and is imported on a schedule
 * (LISTS_IMPORT_HOURS) by the worker's housekeeping. The list's host is a system we do not run,
 * so msw answers for it. The first run imports it; the next asks conditionally and gets a 304;
 * a changed list re-screens the approved traders and a new match reaches a person; a failed
 * download keeps the list in force and is shown on /api/health and the queue page.
 */
import "./support/request-scope";
import { readFileSync } from "node:fs";
import path from "node:path";
import { http, HttpResponse } from "msw";
import { GET as health } from "@/app/api/health/route";
import { runScheduledListImport } from "@/lib/jobs/lists-import";
import { collectMetrics } from "@/lib/metrics/collect";
import { ctraderServer } from "../helpers/ctrader-stub";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const LIST_URL = "https://lists.broker-feeds.test/v2/broker-pep.csv";
const HOUR = 3_600_000;
const base = readFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), "utf8");

const world = scenarioWorld({
  SANCTIONS_LIST_PATH: LIST_URL,
  LISTS_IMPORT_HOURS: "24",
  SCREENING_LIST_MAX_AGE_HOURS: "48",
});

/** The list host: serves `body` with an ETag, honours If-None-Match, or fails while `down`. */
const host = { body: base, etag: '"v1"', down: false, delayMs: 0, seen: [] as Headers[] };
beforeAll(() => {
  ctraderServer.use(
    http.get(LIST_URL, async ({ request }) => {
      host.seen.push(request.headers);
      if (host.delayMs) await new Promise((r) => setTimeout(r, host.delayMs));
      if (host.down) return new HttpResponse("upstream unavailable", { status: 502 });
      if (request.headers.get("if-none-match") === host.etag)
        return new HttpResponse(null, { status: 304, headers: { etag: host.etag } });
      return new HttpResponse(host.body, {
        status: 200,
        headers: { etag: host.etag, "content-type": "text/csv" },
      });
    }),
  );
});

type ListHealth = {
  source: string;
  status: string;
  checkedAt: string | null;
  entries: number;
  failedAt: string | null;
};
async function listsOnHealth() {
  const response = await health();
  const body = (await response.json()) as {
    screening: { status: string; lists: ListHealth[] };
  };
  return { code: response.status, ...body.screening };
}

describe("scenario: screening lists imported from a URL on a schedule", () => {
  it("imports, confirms with a 304, re-screens on a change and keeps the list when a download fails", async () => {
    const w = world();
    const t0 = new Date();
    // The sweeps below run days ahead and remove sessions that expired by then: each look at
    // the console signs in afresh.
    let viewers = 0;
    const viewer = () => signedInStaff(w, `lists.viewer${++viewers}@broker.example`, "reviewer");

    // First run: the list is fetched and imported.
    await w.worker(t0);
    expect(host.seen).toHaveLength(1);
    expect(host.seen[0]?.get("if-none-match")).toBeNull();
    let lists = await listsOnHealth();
    expect(lists).toMatchObject({ code: 200, status: "ok" });
    expect(lists.lists).toEqual([
      expect.objectContaining({ source: "broker-pep", status: "ok", failedAt: null }),
    ]);
    const entries = lists.lists[0]!.entries;
    expect(entries).toBeGreaterThan(0);

    // A trader is approved through the real flow; the worker runs again before the schedule is due.
    const marta = { givenNames: "Marta", surnames: "Kowalczyk", dateOfBirth: "1984-03-09" };
    const trader = new Trader(w, 460_001);
    const reviewer = await signedInStaff(w, "lists.reviewer@broker.example", "reviewer");
    await trader.completeStandardLevel({ ...marta, nationalities: ["PL"] });
    await w.worker();
    const kycCase = await trader.currentCase();
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker(new Date(t0.getTime() + 23 * HOUR));
    expect(host.seen).toHaveLength(1);

    // A day later: a conditional GET, answered 304; the list is confirmed, not re-imported.
    const t1 = new Date(t0.getTime() + 24 * HOUR);
    await w.worker(t1);
    expect(host.seen).toHaveLength(2);
    expect(host.seen[1]?.get("if-none-match")).toBe('"v1"');
    lists = await listsOnHealth();
    expect(lists.lists[0]).toMatchObject({ status: "ok", checkedAt: t1.toISOString(), entries });

    // The list gains Marta Kowalczyk: the next run imports it and re-screens the approved trader.
    host.body = `${base}Marta Kowalczyk,,1984-03-09,Poland\n`;
    host.etag = '"v2"';
    const t2 = new Date(t1.getTime() + 24 * HOUR);
    await w.worker(t2);
    await w.worker(t2);
    expect(host.seen).toHaveLength(3);
    expect((await listsOnHealth()).lists[0]).toMatchObject({ entries: entries + 1 });
    expect(w.crmEventsFor(kycCase.id).map((e) => e.type)).toContain("case.monitoring_hit");
    expect(await (await viewer()).queue({ queue: "monitoring" })).toContain(
      `data-case="${kycCase.id}"`,
    );

    // The host fails: the list stays in force and is reported as failing, on /api/health and
    // above the queue.
    host.down = true;
    const t3 = new Date(t2.getTime() + 24 * HOUR);
    await w.worker(t3);
    expect(host.seen).toHaveLength(4);
    lists = await listsOnHealth();
    expect(lists).toMatchObject({ code: 200, status: "warning" });
    expect(lists.lists[0]).toMatchObject({
      status: "failing",
      failedAt: t3.toISOString(),
      checkedAt: t2.toISOString(),
      entries: entries + 1,
    });
    expect(await collectMetrics(t3)).toContain(
      'kyc_screening_list_fetch_failing{source="broker-pep"} 1',
    );
    const queue = await (await viewer()).queue({});
    expect(queue).toContain('data-testid="lists-warning"');
    expect(queue).toContain('data-list-status="failing"');

    // A failed run is tried again after an hour, not a day; the host is back and says 304.
    host.down = false;
    await w.worker(new Date(t3.getTime() + 30 * 60_000));
    expect(host.seen).toHaveLength(4);
    const t4 = new Date(t3.getTime() + HOUR);
    await w.worker(t4);
    expect(host.seen).toHaveLength(5);
    expect(host.seen[4]?.get("if-none-match")).toBe('"v2"');
    lists = await listsOnHealth();
    expect(lists.lists[0]).toMatchObject({
      status: "ok",
      failedAt: null,
      checkedAt: t4.toISOString(),
    });
    expect(await (await viewer()).queue({})).not.toContain('data-testid="lists-warning"');
  });

  it("runs once when two replicas reach the schedule at the same moment", async () => {
    world();
    const before = host.seen.length;
    host.etag = '"v3"';
    host.delayMs = 300;
    try {
      const due = new Date(Date.now() + 400 * HOUR);
      const runs = await Promise.all([runScheduledListImport(due), runScheduledListImport(due)]);
      expect(runs.filter((r) => r.ran)).toHaveLength(1);
      expect(host.seen.length - before).toBe(1);
    } finally {
      host.delayMs = 0;
    }
  });
});
