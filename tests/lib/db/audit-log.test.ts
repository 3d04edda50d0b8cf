/**
 * The console's audit log filters stay fast on a long trail: each filter's query is planned on
 * an index that also gives the newest-first order (no sort of the matching rows, no table scan).
 * The planner prefers a scan on a small table, so sequential scans are priced out here: what is
 * checked is that a fitting index exists and the query can use it.
 */
import { sql } from "drizzle-orm";
import { auditLogQuery, type AuditLogFilter } from "@/lib/db/queries/audit-log";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

async function plan(filter: AuditLogFilter): Promise<string> {
  return t.db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    await tx.execute(sql`set local enable_bitmapscan = off`);
    const query = auditLogQuery(t.db, filter, { limit: 51, offset: 50 });
    const result = (await tx.execute(sql`explain ${query}`)) as unknown;
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<
      string,
      string
    >[];
    return rows.map((r) => Object.values(r)[0]).join("\n");
  });
}

const CASE = "5d0c1d4e-8f1a-4b6c-9e0d-2f3a4b5c6d7e";
const STAFF = "0b9f5c1e-4a57-4f0e-9d59-2a3c7c1f6b10";
const from = new Date("2026-11-01T00:00:00Z");
const before = new Date("2026-12-01T00:00:00Z");

describe("audit log query plans", () => {
  it.each<[string, AuditLogFilter, RegExp]>([
    ["no filter", {}, /audit_events_time_idx/],
    ["a period", { from, before }, /audit_events_time_idx/],
    ["a case", { caseId: CASE }, /audit_events_case_time_idx/],
    ["a case and a period", { caseId: CASE, from, before }, /audit_events_(case_)?time_idx/],
    ["a staff member", { actor: { type: "staff", id: STAFF } }, /audit_events_actor_time_idx/],
    // Two filters at once: the planner picks between fitting indexes by the data's statistics;
    // either reads its range in order.
    ["an action", { action: "case.claimed" }, /audit_events_action_time_idx/],
    [
      "an action in a period",
      { action: "case.claimed", from, before },
      /audit_events_(action_)?time_idx/,
    ],
  ])("%s: read through an index in newest-first order, no table scan", async (_, filter, index) => {
    const text = await plan(filter);
    expect(text).toMatch(index);
    expect(text).not.toMatch(/Seq Scan/);
    expect(text).not.toMatch(/^\s*(->\s*)?Sort\b/m);
  });

  it("a whole kind of actor (every trader) is read through an index too", async () => {
    const text = await plan({ actor: { type: "trader" } });
    expect(text).toMatch(/audit_events_(actor_)?time_idx/);
    expect(text).not.toMatch(/Seq Scan/);
  });
});
