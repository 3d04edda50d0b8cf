/**
 * Scenario of a bulk claim sent from a queue page read before a colleague decided one of its
 * cases: the decided case is left alone (as a single claim refuses it), and the officer is told
 * it was decided, not that someone else took it. Cases are made by traders through the real flow.
 */
import "./support/request-scope";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

const listed = (html: string) =>
  [...html.matchAll(/<tr[^>]*data-case="([0-9a-f-]{36})"/g)].map((m) => m[1]!);

describe("scenario: a bulk claim over a case decided since the queue was read", () => {
  it("claims the open case, leaves the decided one alone, and says it was decided", async () => {
    const w = world();
    const ids: string[] = [];
    for (const userId of [571_001, 571_002]) {
      const trader = new Trader(w, userId);
      await trader.completeStandardLevel();
      ids.push((await trader.currentCase()).id);
    }
    await w.worker();
    const [open, decided] = ids as [string, string];
    const officer = await signedInStaff(w, "bulk.stale@broker.example", "reviewer");
    const colleague = await signedInStaff(w, "bulk.decider@broker.example", "approver");

    // The officer's queue page lists both; meanwhile the colleague claims and approves one.
    expect(listed(await officer.queue())).toEqual(expect.arrayContaining([open, decided]));
    expect(await colleague.claim(decided)).toBe("claimed");
    expect(await colleague.approve(decided)).toBe("approved");
    // A single claim of it is refused as no longer open.
    expect(await officer.claim(decided)).toBe("error:not_open");

    // "Claim selected" with both ticked, from the page read before the decision.
    const back = await officer.bulkClaim([open, decided]);
    expect(back.searchParams.get("claimed")).toBe("1");
    expect(back.searchParams.get("asked")).toBe("2");
    expect(back.searchParams.get("decided")).toBe("1");
    const page = textOf(await officer.queue(Object.fromEntries(back.searchParams)));
    expect(page).toContain("Done: 1 of 2 cases.");
    expect(page).toContain("1 selected case was decided meanwhile and left alone.");
    expect(page).not.toContain("taken by someone else");

    expect(listed(await officer.queue({ assignee: "me" }))).toEqual([open]);
    // The decided case keeps the colleague's one claim, and nothing of the bulk claim's.
    const audit = await listCaseAuditEvents(decided);
    expect(audit.filter((e) => e.action === "case.claimed")).toHaveLength(1);
  }, 600_000);

  it("counts a case id posted twice once, and claims it once", async () => {
    const w = world();
    const trader = new Trader(w, 571_003);
    await trader.completeStandardLevel();
    const id = (await trader.currentCase()).id;
    await w.worker();
    const officer = await signedInStaff(w, "bulk.twice@broker.example", "reviewer");

    const back = await officer.bulkClaim([id, id]);
    expect(back.searchParams.get("claimed")).toBe("1");
    expect(back.searchParams.get("asked")).toBe("1");
    const page = textOf(await officer.queue(Object.fromEntries(back.searchParams)));
    expect(page).toContain("Done: 1 of 1 case.");
    expect(page).not.toContain("taken by someone else");
    const audit = await listCaseAuditEvents(id);
    expect(audit.filter((e) => e.action === "case.claimed")).toHaveLength(1);
  }, 600_000);
});
