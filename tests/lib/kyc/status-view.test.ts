import { ensureOpenCase, getCaseForTrader } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { expectedReviewHours, statusView } from "@/lib/kyc/status-view";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

describe("status screen view", () => {
  it("shows the timeline in order, the reviewer's message when action is required, and the level's documents", async () => {
    const trader = await upsertTrader({ ctraderUserId: 31_001 }, "en");
    let kycCase = await ensureOpenCase(trader.id, "standard", "manual");
    const at = (m: number) => new Date(Date.UTC(2026, 10, 1, 9, m));
    await changeCaseStatus({
      kycCase,
      event: "submit",
      actor: { type: "trader", id: trader.id },
      now: at(1),
    });
    await changeCaseStatus({
      kycCase: { id: kycCase.id, status: "submitted" },
      event: "start_review",
      actor: { type: "system", id: "checks" },
      now: at(2),
    });
    let view = await statusView((await getCaseForTrader(kycCase.id, trader.id))!, 24);
    expect(view.awaitingReview).toBe(true);
    expect(view.requiredAction).toBeNull();
    // The level's account limits, as configured (standard: EUR 50,000 a month each way).
    expect(view.limits).toEqual({
      currency: "EUR",
      maxDepositPerMonth: 50_000,
      maxWithdrawalPerMonth: 50_000,
      canTrade: true,
    });

    await changeCaseStatus({
      kycCase: { id: kycCase.id, status: "in_review" },
      event: "request_action",
      actor: { type: "staff", id: "s1" },
      messageForTrader: "The photo of your ID card is blurred. Please upload a sharper one.",
      now: at(3),
    });
    kycCase = (await getCaseForTrader(kycCase.id, trader.id))!;
    view = await statusView(kycCase, 24);
    expect(view.timeline.map((e) => e.event)).toEqual([
      "opened",
      "submit",
      "start_review",
      "request_action",
    ]);
    expect(view.requiredAction).toBe(
      "The photo of your ID card is blurred. Please upload a sharper one.",
    );
    expect(view.awaitingReview).toBe(false);
    expect(view.documents).toEqual([
      { documentType: "identity", side: "page", state: "missing", reason: null },
      { documentType: "address", side: "page", state: "missing", reason: null },
    ]);
  });
});

describe("expected review time", () => {
  const NOW = new Date("2026-11-20T12:00:00Z");

  async function reviewedCase(userId: number, submittedAt: Date, hours: number) {
    const trader = await upsertTrader({ ctraderUserId: userId }, "en");
    const kycCase = await ensureOpenCase(trader.id, "basic", "manual");
    const at = (h: number) => new Date(submittedAt.getTime() + h * 3_600_000);
    await changeCaseStatus({
      kycCase,
      event: "submit",
      actor: { type: "trader", id: trader.id },
      now: at(0),
    });
    await changeCaseStatus({
      kycCase: { id: kycCase.id, status: "submitted" },
      event: "start_review",
      actor: { type: "staff", id: "s" },
      now: at(hours / 2),
    });
    // A decision (here: a request for more) ends the review; approvals need a check run.
    await changeCaseStatus({
      kycCase: { id: kycCase.id, status: "in_review" },
      event: "request_action",
      actor: { type: "staff", id: "s" },
      messageForTrader: "One more thing",
      now: at(hours),
    });
  }

  it("promises the configured time until there is enough recent history", async () => {
    expect(await expectedReviewHours(24, NOW)).toBe(24);
  });

  it("promises the recent median (rounded up to the hour) once there are enough reviews, ignoring old ones", async () => {
    const recent = new Date(NOW.getTime() - 5 * 86_400_000);
    const hours = [1, 2, 2.5, 3, 3, 3.2, 4, 5, 6, 30, 40];
    for (const [i, h] of hours.entries()) await reviewedCase(32_000 + i, recent, h);
    // Old, slow reviews outside the 30-day window do not count.
    for (let i = 0; i < 5; i++)
      await reviewedCase(32_100 + i, new Date(NOW.getTime() - 60 * 86_400_000), 200);
    expect(await expectedReviewHours(24, NOW)).toBe(4); // median 3.2 h → 4 h
  });
});
