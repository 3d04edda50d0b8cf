/**
 * Scenario: periodic review by risk. A clean (low-risk) approved case is due for review
 * PERIODIC_REVIEW_MONTHS_LOW months after its approval: the worker's sweep, with the clock moved
 * forward, opens one review task a reviewer finds in the queue's periodic tab, with what changed
 * since the approval (here: a screening list imported after it). A day before: nothing.
 */
import "./support/request-scope";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const world = scenarioWorld({ PERIODIC_REVIEW_MONTHS_LOW: "60" });
const DAY_MS = 86_400_000;

describe("scenario: a periodic review falls due", () => {
  it("opens one task in the queue at the boundary, with what changed since the approval", async () => {
    const w = world();
    const trader = new Trader(w, 470_001);
    // A passport valid beyond the review date: the document expiry must not come first.
    await trader.completeStandardLevel({}, { expiryDate: "2045-01-31" });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "periodic.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    expect((await trader.currentCase()).riskLevel).toBe("low");
    const approvedAt = new Date(
      String(w.crmEventsFor(kycCase.id).find((e) => e.event === "approve")?.payload.occurredAt),
    );
    const due = new Date(approvedAt);
    due.setUTCMonth(due.getUTCMonth() + 60);
    // Something changes after the approval: the broker imports a sanctions list.
    await w.importLists([OFAC_EXCERPT]);

    await w.worker(new Date(due.getTime() - DAY_MS));
    let officer = await signedInStaff(w, "periodic.officer1@broker.example", "reviewer");
    expect(await officer.queue({ queue: "periodic" })).not.toContain(`data-case="${kycCase.id}"`);

    await w.worker(new Date(due.getTime() + 60_000));
    await w.worker(new Date(due.getTime() + DAY_MS)); // a second sweep opens nothing more
    officer = await signedInStaff(w, "periodic.officer2@broker.example", "reviewer");
    const queue = await officer.queue({ queue: "periodic" });
    expect(queue).toContain(`data-case="${kycCase.id}"`);
    expect(queue).toContain('data-testid="periodic-review"');
    expect(queue.match(new RegExp(`data-case="${kycCase.id}"`, "g"))).toHaveLength(1);
    const page = await officer.casePage(kycCase.id);
    expect(page).toContain('data-testid="periodic-review-task"');
    const text = textOf(page);
    expect(text).toContain(`last reviewed ${approvedAt.toISOString().slice(0, 10)}`);
    expect(text).toContain("every 60 months at Low risk");
    expect(text).toContain("Screening lists updated since: ofac-sdn-excerpt");
    // The case itself stays approved: a review task is work for a person, not a status change.
    expect((await trader.currentCase()).status).toBe("approved");
  });
});
