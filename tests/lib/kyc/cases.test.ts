/**
 * The case state machine itself (changeCaseStatus), on drafts a trader's launch opened and
 * completed: every form answered, every document uploaded, not yet sent.
 */
import "../../scenarios/support/request-scope";
import { eq } from "drizzle-orm";
import { listCaseEvents } from "@/lib/db/queries/cases";
import { kycCases } from "@/lib/db/schema";
import { changeCaseStatus, type ChangeStatus } from "@/lib/kyc/cases";
import { deliveryWorld, readyCase } from "../delivery/helpers";

/** A submit's event data, as the trader's submit stores it: the steps sent. */
const SENT = { steps: ["personal", "identity"] };

const world = deliveryWorld();
const statusOf = async (id: string) =>
  (await world().db.db.select().from(kycCases).where(eq(kycCases.id, id)))[0]?.status;

describe("case status changes", () => {
  it("applies a legal change and records it on the timeline with who made it", async () => {
    const kycCase = await readyCase();
    const at = new Date("2026-06-01T09:00:00Z");
    await changeCaseStatus({
      kycCase,
      event: "submit",
      data: SENT,
      actor: { type: "trader", id: kycCase.traderId },
      now: at,
    });
    expect(await statusOf(kycCase.id)).toBe("submitted");
    const events = await listCaseEvents(kycCase.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: "submit",
      data: SENT,
      fromStatus: "draft",
      toStatus: "submitted",
      actorType: "trader",
      occurredAt: at,
    });
  });

  it("refuses an illegal change and writes nothing", async () => {
    const kycCase = await readyCase();
    await expect(
      changeCaseStatus({ kycCase, event: "approve", actor: { type: "staff", id: "s1" } }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await statusOf(kycCase.id)).toBe("draft");
    expect(await listCaseEvents(kycCase.id)).toHaveLength(0);
  });

  it("withdraws only an approval there is: a revoke of a case never approved moves nothing", async () => {
    const kycCase = await readyCase();
    await expect(
      changeCaseStatus({
        kycCase,
        event: "revoke",
        actor: { type: "staff", id: "s1" },
        data: { reasonCode: "sanctions_match", kind: "final", items: [] },
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await statusOf(kycCase.id)).toBe("draft");
    expect(await listCaseEvents(kycCase.id)).toHaveLength(0);
  });

  it("lets only one of two concurrent decisions on the same case apply", async () => {
    const kycCase = await readyCase();
    const results = await Promise.allSettled([
      changeCaseStatus({
        kycCase,
        event: "submit",
        actor: { type: "trader", id: "a" },
        data: SENT,
      }),
      changeCaseStatus({
        kycCase,
        event: "submit",
        actor: { type: "trader", id: "b" },
        data: SENT,
      }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await listCaseEvents(kycCase.id)).toHaveLength(1);
  });

  it("leaves neither the status change nor its event when the transaction fails", async () => {
    const kycCase = await readyCase();
    await expect(
      changeCaseStatus({
        kycCase,
        event: "submit",
        data: SENT,
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
    const kycCase = await readyCase();
    const identity = [{ kind: "document", documentType: "identity" }] as const;
    const steps = [
      { event: "submit", actor: "trader", data: SENT },
      { event: "start_review", actor: "system" },
      { event: "request_action", actor: "staff", data: { items: [...identity] } },
      { event: "resubmit", actor: "trader", data: SENT },
      { event: "start_review", actor: "staff" },
      {
        event: "reject",
        actor: "staff",
        data: { reasonCode: "document_unreadable", kind: "final", items: [] },
      },
    ] as const;
    let status = kycCase.status;
    for (const [i, step] of steps.entries()) {
      const { to } = await changeCaseStatus({
        kycCase: { id: kycCase.id, status },
        ...step,
        actor: { type: step.actor, id: "x" },
        now: new Date(Date.UTC(2026, 5, 1, 9, i)),
      } as ChangeStatus);
      status = to as typeof status;
    }
    expect(await statusOf(kycCase.id)).toBe("rejected");
    expect((await listCaseEvents(kycCase.id)).map((e) => e.event)).toEqual(
      steps.map((s) => s.event),
    );
  });
});
