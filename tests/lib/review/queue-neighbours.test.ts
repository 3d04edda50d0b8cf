/**
 * j / k on the case page follow the queue at any depth: the neighbours of every case are the
 * rows before and after it in the queue's own pages, past the first page of 50 too, with ties in
 * queued_at broken by id as the queue breaks them. (The browser walk on cases made through the
 * real flow is tests/e2e/queue.spec.ts; here the positions are set directly to have 70 cases.)
 */
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { kycCases, type CaseStatus } from "@/lib/db/schema";
import { loadQueue, QUEUE_PAGE_SIZE } from "@/lib/review/queue";
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

/** `count` cases in `status`, reaching the queue a minute apart (two at the same moment). */
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
        queuedAt: sql`'2026-11-02T08:00:00Z'::timestamptz + ${minute} * interval '1 minute'
          + interval '123 microseconds'`,
      })
      .where(eq(kycCases.id, kycCase.id));
    ids.push(kycCase.id);
  }
  return ids;
}

async function queueOrder(queue: string): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const view = await loadQueue(staff, { queue, page: String(page) });
    ids.push(...view.rows.map((r) => r.caseId));
    if (!view.hasNext) return ids;
  }
}

describe("the case page's neighbours in the queue", () => {
  it("are the rows before and after the case in the queue's pages, beyond the first page too", async () => {
    const review = await casesIn("submitted", 70, 80_000);
    const order = await queueOrder("review");
    expect(order).toHaveLength(70);
    expect(new Set(order)).toEqual(new Set(review));
    expect(order.length).toBeGreaterThan(QUEUE_PAGE_SIZE);
    for (const [i, id] of order.entries())
      expect({ i, ...(await queueNeighbours(staff, { id, status: "submitted" })) }).toEqual({
        i,
        previous: order[i - 1] ?? null,
        next: order[i + 1] ?? null,
      });
  });

  it("walks an approved case among the decided ones, not the monitoring hits", async () => {
    const decided = await casesIn("approved", 3, 81_000);
    const order = (await queueOrder("decided")).filter((id) => decided.includes(id));
    expect(order).toHaveLength(3);
    expect(await queueNeighbours(staff, { id: order[1]!, status: "approved" })).toEqual({
      previous: order[0],
      next: order[2],
    });
  });
});
