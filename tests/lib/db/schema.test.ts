import { eq } from "drizzle-orm";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { auditEvents, kycCases } from "@/lib/db/schema";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

describe("database invariants", () => {
  it("refuses to update or delete an audit event", async () => {
    await appendAuditEvent({
      actorType: "system",
      actorId: "test",
      action: "test.event",
      data: { a: 1 },
    });
    const [row] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "test.event"));
    await expect(
      t.db.update(auditEvents).set({ action: "rewritten" }).where(eq(auditEvents.id, row!.id)),
    ).rejects.toThrow();
    await expect(t.db.delete(auditEvents).where(eq(auditEvents.id, row!.id))).rejects.toThrow();
    const [after] = await t.db.select().from(auditEvents).where(eq(auditEvents.id, row!.id));
    expect(after?.action).toBe("test.event");
  });

  it("keeps one open case per trader, even when two requests open one at the same time", async () => {
    const trader = await upsertTrader({ ctraderUserId: 7001 }, "en");
    const [a, b] = await Promise.all([
      ensureOpenCase(trader.id, "standard", "manual"),
      ensureOpenCase(trader.id, "basic", "manual"),
    ]);
    expect(a.id).toBe(b.id);
    await expect(
      t.db.insert(kycCases).values({ traderId: trader.id, level: "basic" }),
    ).rejects.toThrow();
    const cases = await t.db.select().from(kycCases).where(eq(kycCases.traderId, trader.id));
    expect(cases).toHaveLength(1);
  });

  it("updates what cTrader told us about a trader without creating a second one", async () => {
    const first = await upsertTrader(
      { ctraderUserId: 7002, email: "old@example.com", tradingLogin: 1 },
      "en",
    );
    const second = await upsertTrader(
      { ctraderUserId: 7002, email: "new@example.com", tradingLogin: 2 },
      "de",
    );
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({
      email: "new@example.com",
      tradingLogin: 2,
      preferredLocale: "de",
    });
    const sso = await upsertTrader({ ctraderUserId: 7002 }, "fr");
    expect(sso).toMatchObject({ email: "new@example.com", tradingLogin: 2, preferredLocale: "fr" });
  });
});
