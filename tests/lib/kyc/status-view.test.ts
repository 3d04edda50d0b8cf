import { ensureOpenCase, getCaseForTrader } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { statusView } from "@/lib/kyc/status-view";
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
    let view = await statusView((await getCaseForTrader(kycCase.id, trader.id))!);
    expect(view.awaitingReview).toBe(true);
    expect(view.requiredAction).toBeNull();

    await changeCaseStatus({
      kycCase: { id: kycCase.id, status: "in_review" },
      event: "request_action",
      actor: { type: "staff", id: "s1" },
      messageForTrader: "The photo of your ID card is blurred. Please upload a sharper one.",
      now: at(3),
    });
    kycCase = (await getCaseForTrader(kycCase.id, trader.id))!;
    view = await statusView(kycCase);
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
      { documentType: "identity", state: "missing" },
      { documentType: "address", state: "missing" },
    ]);
  });
});
