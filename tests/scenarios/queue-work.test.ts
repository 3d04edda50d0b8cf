/**
 * Scenarios of working the queue: claiming many cases at once and "Next case". Both only ever
 * take cases nobody holds, audit each change, and stay correct when officers act at the same
 * moment. Cases are made by traders through the real flow.
 */
import "./support/request-scope";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

const listed = (html: string) =>
  [...html.matchAll(/<tr[^>]*data-case="([0-9a-f-]{36})"/g)].map((m) => m[1]);

async function submittedCase(userId: number): Promise<string> {
  const trader = new Trader(world(), userId);
  await trader.completeStandardLevel();
  return (await trader.currentCase()).id;
}

describe("scenario: claiming from the queue", () => {
  const cases: string[] = [];
  beforeAll(async () => {
    // One after the other, so the queue's order (oldest first) is the order made.
    for (const id of [570_001, 570_002, 570_003, 570_004, 570_005])
      cases.push(await submittedCase(id));
    await world().worker();
  }, 600_000);

  it("claims the selected cases nobody holds, audits each, and says how many changed", async () => {
    const w = world();
    const first = await signedInStaff(w, "bulk.first@broker.example", "reviewer");
    const second = await signedInStaff(w, "bulk.second@broker.example", "reviewer");
    const [a, b] = cases as [string, string];
    expect(await second.claim(b)).toBe("claimed");

    const back = await first.bulkClaim([a, b], undefined, "risk=low&sort=newest");
    expect(back.pathname).toBe("/admin");
    expect(back.searchParams.get("risk")).toBe("low");
    expect(back.searchParams.get("sort")).toBe("newest");
    expect(back.searchParams.get("claimed")).toBe("1");
    expect(back.searchParams.get("asked")).toBe("2");
    const page = await first.queue(Object.fromEntries(back.searchParams));
    expect(page).toContain("the others were taken by someone else meanwhile");
    expect(listed(await first.queue({ assignee: "me" }))).toEqual([a]);
    // b stays with the one who claimed it first.
    expect(listed(await second.queue({ assignee: "me" }))).toEqual([b]);
    const audit = await listCaseAuditEvents(a);
    expect(audit.filter((e) => e.action === "case.claimed")).toHaveLength(1);
  });

  it("lets only an approver assign to someone else, and refuses nothing selected", async () => {
    const w = world();
    const reviewer = await signedInStaff(w, "bulk.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "bulk.approver@broker.example", "approver");
    const c = cases[2] as string;
    const refused = await reviewer.bulkClaim([c], "5b0d4c1e-58a4-4f2e-9c43-1b0f3f9f0d11");
    expect(refused.searchParams.get("error")).toBe("needs_approver");
    expect((await approver.bulkClaim([])).searchParams.get("error")).toBe("none_selected");
    expect(
      (await approver.bulkClaim([c], "5b0d4c1e-58a4-4f2e-9c43-1b0f3f9f0d11")).searchParams.get(
        "error",
      ),
    ).toBe("unknown_staff");
    // The approver's page offers the team by name; assigning to the reviewer is audited.
    const page = await approver.queue();
    const option = new RegExp(`<option value="([0-9a-f-]{36})">bulk\\.reviewer<`).exec(page);
    expect(option?.[1]).toBeDefined();
    const done = await approver.bulkClaim([c], option?.[1]);
    expect(done.searchParams.get("claimed")).toBe("1");
    expect(listed(await reviewer.queue({ assignee: "me" }))).toEqual([c]);
    const audit = await listCaseAuditEvents(c);
    expect(audit.find((e) => e.action === "case.assigned")?.data).toMatchObject({
      assignee: option?.[1],
    });
  });

  it("opens the oldest unassigned case in my filters, claimed; two officers at once get two", async () => {
    const w = world();
    const one = await signedInStaff(w, "next.one@broker.example", "reviewer");
    const two = await signedInStaff(w, "next.two@broker.example", "reviewer");
    const [, , , d, e] = cases as [string, string, string, string, string];
    // Filters that match nothing: nothing is claimed, the queue says so.
    const none = await one.nextCase("risk=high");
    expect(none.pathname).toBe("/admin");
    expect(none.searchParams.get("error")).toBe("no_next_case");
    expect(none.searchParams.get("risk")).toBe("high");

    const [x, y] = await Promise.all([one.nextCase("risk=low"), two.nextCase("risk=low")]);
    const opened = [x.pathname, y.pathname].sort();
    expect(opened).toEqual([`/admin/cases/${d}`, `/admin/cases/${e}`].sort());
    expect(x.searchParams.get("outcome")).toBe("claimed");
    expect(listed(await one.queue({ assignee: "me" })).length).toBe(1);
    expect(listed(await two.queue({ assignee: "me" })).length).toBe(1);
    expect((await one.nextCase()).searchParams.get("error")).toBe("no_next_case");
    for (const id of [d, e]) {
      const claims = (await listCaseAuditEvents(id)).filter((ev) => ev.action === "case.claimed");
      expect(claims).toHaveLength(1);
    }
  });
});
