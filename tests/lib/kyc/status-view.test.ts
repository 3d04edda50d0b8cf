/**
 * The status screen's view of a case, on cases the real flows put there: cTrader's launch, the
 * trader's answers, uploads and submit, the worker's checks and the console's request for more.
 */
import "../../scenarios/support/request-scope";
import { getCaseForTrader } from "@/lib/db/queries/cases";
import type { KycCase } from "@/lib/db/schema";
import { expectedReviewHours, statusView } from "@/lib/kyc/status-view";
import { IDENTITY, PERSONAL } from "../../fixtures/kyc-values";
import { signedInStaff, Trader, type Staff } from "../../scenarios/support/people";
import { scenarioWorld, setClock } from "../../scenarios/support/world";

const world = scenarioWorld();

let reviewer: Staff;
beforeAll(async () => {
  reviewer = await signedInStaff(world(), "status.reviewer@broker.example", "reviewer");
});

const caseOf = async (trader: Trader): Promise<KycCase> => {
  const open = await trader.currentCase();
  return (await getCaseForTrader(open.id, open.traderId))!;
};

describe("status screen view", () => {
  it("shows the timeline in order, the reviewer's message when action is required, and the level's documents", async () => {
    const w = world();
    const trader = new Trader(w, 31_001);
    await trader.completeStandardLevel();
    await w.worker();
    let kycCase = await caseOf(trader);
    expect(kycCase.status).toBe("in_review");
    let view = await statusView(kycCase, 24);
    expect(view.awaitingReview).toBe(true);
    expect(view.requiredAction).toBeNull();
    // The level's account limits, as configured (standard: EUR 50,000 a month each way).
    expect(view.limits).toEqual({
      currency: "EUR",
      maxDepositPerMonth: 50_000,
      maxWithdrawalPerMonth: 50_000,
      canTrade: true,
    });

    expect(
      await reviewer.requestInformation(
        kycCase.id,
        ["document:identity"],
        "The photo of your ID card is blurred. Please upload a sharper one.",
      ),
    ).toBe("action_requested");
    kycCase = await caseOf(trader);
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
    // The identity the reviewer asked for again is to retake; the bill stands.
    expect(view.documents).toEqual([
      { documentType: "identity", side: "page", state: "retake", reason: null },
      { documentType: "address", side: "page", state: "accepted", reason: null },
    ]);
  });
});

describe("expected review time", () => {
  // Far enough on that the review above (made now) is outside the 30-day window.
  const NOW = new Date(Date.now() + 40 * 86_400_000);
  let nextUser = 32_000;
  let documentNumber = 500_000;

  /**
   * A trader sends the basic level at `submittedAt`; the worker's checks take it into review
   * half-way; `hours` after the submission the reviewer asks for more, which ends the review
   * (an approval would need the lists screened). Only the clock is moved, and Date alone.
   */
  async function reviewedCase(submittedAt: Date, hours: number) {
    const w = world();
    const at = (h: number) => new Date(submittedAt.getTime() + h * 3_600_000);
    const trader = new Trader(w, nextUser++);
    setClock(at(0));
    try {
      await trader.launch("kyc", { kycType: "basic" });
      await trader.continue("personal", PERSONAL);
      await trader.continue("identity_document", {
        ...IDENTITY,
        documentNumber: `R${documentNumber++}`,
      });
      expect((await trader.upload("identity")).status).toBe(200);
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      jest.setSystemTime(at(hours / 2));
      await w.worker(at(hours / 2));
      jest.setSystemTime(at(hours));
      // Hours later the console's session has ended: the reviewer signs in again.
      await reviewer.signIn();
      const kycCase = await trader.currentCase();
      expect(
        await reviewer.requestInformation(kycCase.id, ["step:personal"], "One more thing"),
      ).toBe("action_requested");
    } finally {
      jest.useRealTimers();
    }
  }

  it("promises the configured time until there is enough recent history", async () => {
    expect(await expectedReviewHours(24, NOW)).toBe(24);
  });

  // Sixteen whole cases, launch to review: more than one scenario's time ceiling.
  it("promises the recent median (rounded up to the hour) once there are enough reviews, ignoring old ones", async () => {
    const recent = new Date(NOW.getTime() - 5 * 86_400_000);
    const hours = [1, 2, 2.5, 3, 3, 3.2, 4, 5, 6, 30, 40];
    for (const h of hours) await reviewedCase(recent, h);
    // Old, slow reviews outside the 30-day window do not count.
    for (let i = 0; i < 5; i++) await reviewedCase(new Date(NOW.getTime() - 60 * 86_400_000), 200);
    expect(await expectedReviewHours(24, NOW)).toBe(4); // median 3.2 h → 4 h
  }, 300_000);
});
