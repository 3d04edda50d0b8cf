/**
 * j / k on the case page follow the queue at any depth: the neighbours of every case are the
 * rows before and after it in the queue's own pages, past the first page of 50 too, with ties in
 * queued_at broken by id as the queue breaks them, in the order and filters of the queue the case
 * was opened from; and the queue's own pages, walked by their keyset links, list every case once
 * in each order, forwards and back. (The browser walk on cases made through the
 * real flow is tests/e2e/queue.spec.ts; here the positions are set directly to have 70 cases.)
 * A case whose approval in force is held, an upgrade in review too, walks the monitoring tab:
 * tests/scenarios/queue-work.test.ts, with holds a list import's re-screening opened.
 */
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { kycCases, type CaseStatus } from "@/lib/db/schema";
import { loadQueue, queueHref, QUEUE_PAGE_SIZE, type QueueView } from "@/lib/review/queue";
import { queueNeighbours } from "@/lib/review/queue-neighbours";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
const staff = { id: randomUUID(), role: "reviewer" as const };

beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

/**
 * `count` cases in `status`, reaching the queue a minute apart (two at the same moment), their
 * risk and last change mixed so that each order differs from the others.
 */
async function casesIn(status: CaseStatus, count: number, firstUser: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const trader = await upsertTrader({ ctraderUserId: firstUser + i }, "en");
    const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
    // Microseconds, which a JS Date cannot hold; cases 10 and 11 share one: the id decides.
    const minute = i === 11 ? 10 : i;
    await t.db
      .update(kycCases)
      .set({
        status,
        riskLevel: [null, "low", "medium", "high"][(i * 7) % 4] ?? null,
        updatedAt: new Date(Date.UTC(2026, 10, 3, 8, (i * 37) % 60, i % 3)),
        queuedAt: sql`'2026-11-02T08:00:00Z'::timestamptz + ${minute} * interval '1 minute'
          + interval '123 microseconds'`,
      })
      .where(eq(kycCases.id, kycCase.id));
    ids.push(kycCase.id);
  }
  return ids;
}

/** A case sent for review, as the case page passes it. */
const submitted = (id: string) => ({ id, status: "submitted" as const, approvedLevel: null });

/** Every case of the queue, page after page by offset (`page=` alone, as a typed URL). */
async function queueOrder(queue: string, query: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const view = await loadQueue(staff, { ...query, queue, page: String(page) });
    ids.push(...view.rows.map((r) => r.caseId));
    if (!view.hasNext) return ids;
  }
}

/** The query of the queue page's link named `rel` ("next" or "prev"), as the page writes it. */
function linkQuery(view: QueueView, rel: "next" | "prev"): Record<string, string> {
  const { params, rows } = view;
  const target =
    rel === "next"
      ? { ...params, page: params.page + 1, after: rows.at(-1)?.caseId, before: undefined }
      : { ...params, page: params.page - 1, after: undefined, before: rows[0]?.caseId };
  return Object.fromEntries(new URL(queueHref(target), "http://queue").searchParams);
}

describe("the case page's neighbours in the queue", () => {
  it("are the rows before and after the case in the queue's pages, beyond the first page too", async () => {
    const review = await casesIn("submitted", 70, 80_000);
    const order = await queueOrder("review");
    expect(order).toHaveLength(70);
    expect(new Set(order)).toEqual(new Set(review));
    expect(order.length).toBeGreaterThan(QUEUE_PAGE_SIZE);
    for (const [i, id] of order.entries())
      expect({ i, ...(await queueNeighbours(staff, submitted(id))) }).toEqual({
        i,
        previous: order[i - 1] ?? null,
        next: order[i + 1] ?? null,
        query: "queue=review&sort=oldest",
        fromQueue: false,
      });
  });

  it.each(["oldest", "newest", "risk", "updated"])(
    "in the %s order, follow that order when the case was opened from a queue sorted so",
    async (sort) => {
      const order = await queueOrder("review", { sort });
      expect(order).toHaveLength(70);
      const from = { queue: "review", sort };
      for (const [i, id] of order.entries())
        expect({ i, ...(await queueNeighbours(staff, submitted(id), from)) }).toEqual({
          i,
          previous: order[i - 1] ?? null,
          next: order[i + 1] ?? null,
          query: `queue=review&sort=${sort}`,
          fromQueue: true,
        });
    },
  );

  it("keep the queue's filters: a case outside them still has its place in the order", async () => {
    const from = { queue: "review", sort: "risk", risk: "high" };
    const high = await queueOrder("review", { sort: "risk", risk: "high" });
    const all = await queueOrder("review", { sort: "risk" });
    expect(high.length).toBeGreaterThan(2);
    const neighbours = await queueNeighbours(staff, submitted(high[1]!), from);
    expect(neighbours).toMatchObject({ previous: high[0], next: high[2] });
    // The first medium case (as after claiming or deciding, the case left the filter) is
    // preceded by the last high one and followed by no high case.
    const medium = all[high.length]!;
    expect(await queueNeighbours(staff, submitted(medium), from)).toMatchObject({
      previous: high.at(-1),
      next: null,
    });
  });

  it("walks an approved case among the decided ones, not the monitoring hits", async () => {
    const decided = await casesIn("approved", 3, 81_000);
    const order = (await queueOrder("decided")).filter((id) => decided.includes(id));
    expect(order).toHaveLength(3);
    expect(
      await queueNeighbours(staff, {
        id: order[1]!,
        status: "approved",
        approvedLevel: "standard",
      }),
    ).toEqual({
      previous: order[0],
      next: order[2],
      query: "queue=decided&sort=oldest",
      fromQueue: false,
    });
  });
});

describe("the queue's pages by keyset", () => {
  it.each(["oldest", "newest", "risk", "updated"])(
    "list every case once, in the %s order, forwards by the next links and back by the previous ones",
    async (sort) => {
      const order = await queueOrder("review", { sort });
      const per = "25";
      const pages: string[][] = [];
      let view = await loadQueue(staff, { queue: "review", sort, per });
      expect(view.hasPrevious).toBe(false);
      for (;;) {
        pages.push(view.rows.map((r) => r.caseId));
        if (!view.hasNext) break;
        view = await loadQueue(staff, linkQuery(view, "next"));
        expect(view.params.after).toBeDefined();
        expect(view.hasPrevious).toBe(true);
      }
      expect(pages.map((p) => p.length)).toEqual([25, 25, 20]);
      expect(pages.flat()).toEqual(order);
      expect(view.params).toMatchObject({ page: 3, sort, per: 25 });
      for (let back = pages.length - 2; back >= 0; back--) {
        view = await loadQueue(staff, linkQuery(view, "prev"));
        expect(view.rows.map((r) => r.caseId)).toEqual(pages[back]);
        expect(view.hasNext).toBe(true);
      }
      expect(view.hasPrevious).toBe(false);
    },
  );
});
