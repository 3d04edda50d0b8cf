import { eq } from "drizzle-orm";
import { ensureOpenCase, listCaseEvents } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { kycCases } from "@/lib/db/schema";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

let nextUser = 11_000;
async function freshCase() {
  const trader = await upsertTrader({ ctraderUserId: nextUser++ }, "en");
  return ensureOpenCase(trader.id, "standard", "manual");
}
const statusOf = async (id: string) =>
  (await t.db.select().from(kycCases).where(eq(kycCases.id, id)))[0]?.status;

describe("case status changes", () => {
  it("applies a legal change and records it on the timeline with who made it", async () => {
    const kycCase = await freshCase();
    const at = new Date("2026-06-01T09:00:00Z");
    await changeCaseStatus({
      kycCase,
      event: "submit",
      actor: { type: "trader", id: kycCase.traderId },
      now: at,
    });
    expect(await statusOf(kycCase.id)).toBe("submitted");
    const events = await listCaseEvents(kycCase.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: "submit",
      fromStatus: "draft",
      toStatus: "submitted",
      actorType: "trader",
      occurredAt: at,
    });
  });

  it("refuses an illegal change and writes nothing", async () => {
    const kycCase = await freshCase();
    await expect(
      changeCaseStatus({ kycCase, event: "approve", actor: { type: "staff", id: "s1" } }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await statusOf(kycCase.id)).toBe("draft");
    expect(await listCaseEvents(kycCase.id)).toHaveLength(0);
  });

  it("lets only one of two concurrent decisions on the same case apply", async () => {
    const kycCase = await freshCase();
    const results = await Promise.allSettled([
      changeCaseStatus({ kycCase, event: "submit", actor: { type: "trader", id: "a" } }),
      changeCaseStatus({ kycCase, event: "submit", actor: { type: "trader", id: "b" } }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await listCaseEvents(kycCase.id)).toHaveLength(1);
  });

  it("leaves neither the status change nor its event when the transaction fails", async () => {
    const kycCase = await freshCase();
    await expect(
      changeCaseStatus({
        kycCase,
        event: "submit",
        actor: { type: "trader", id: "x" },
        alsoInTransaction: async () => {
          throw new Error("outbox write failed");
        },
      }),
    ).rejects.toThrow("outbox write failed");
    expect(await statusOf(kycCase.id)).toBe("draft");
    expect(await listCaseEvents(kycCase.id)).toHaveLength(0);
  });

  it("walks a whole review with a request for more information, in order", async () => {
    const kycCase = await freshCase();
    const steps = [
      ["submit", "trader"],
      ["start_review", "system"],
      ["request_action", "staff"],
      ["resubmit", "trader"],
      ["start_review", "staff"],
      ["reject", "staff"],
    ] as const;
    let status = kycCase.status;
    for (const [i, [event, type]] of steps.entries()) {
      const { to } = await changeCaseStatus({
        kycCase: { id: kycCase.id, status },
        event,
        actor: { type, id: "x" },
        now: new Date(Date.UTC(2026, 5, 1, 9, i)),
      });
      status = to as typeof status;
    }
    expect(await statusOf(kycCase.id)).toBe("rejected");
    expect((await listCaseEvents(kycCase.id)).map((e) => e.event)).toEqual(steps.map(([e]) => e));
  });
});
