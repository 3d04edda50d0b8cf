/**
 * Scenarios of working the queue: claiming many cases at once and "Next case". Both only ever
 * take cases nobody holds, audit each change, and stay correct when officers act at the same
 * moment; an action on a case opened from the queue leads back to it in that queue; j / k on a
 * case whose approval in force is held walk the monitoring tab, an upgrade in review included.
 * Cases are made by traders through the real flow.
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import { listActiveStaff } from "@/lib/db/queries/staff";
import { claimSelectedCases, QUEUE_MAX_PAGE_SIZE } from "@/lib/review/queue";
import { approvedAtStandard, signedInStaff, Trader, type Staff } from "./support/people";
import { BROKER, scenarioWorld } from "./support/world";

const world = scenarioWorld();

const listed = (html: string) =>
  [...html.matchAll(/<tr[^>]*data-case="([0-9a-f-]{36})"/g)].map((m) => m[1]!);

/** The query of the queue row's link to `caseId`, as the page wrote it. */
const rowLink = (html: string, caseId: string) => {
  const href = new RegExp(`href="/admin/cases/${caseId}\\?([^"]+)"`).exec(html)?.[1] ?? "";
  return Object.fromEntries(new URLSearchParams(href.replace(/&amp;/g, "&")));
};

async function submittedCase(userId: number): Promise<string> {
  const trader = new Trader(world(), userId);
  await trader.completeStandardLevel();
  return (await trader.currentCase()).id;
}

describe("scenario: claiming from the queue", () => {
  const cases: string[] = [];
  /** The officer of the first test, who holds its first case. */
  let holder: Staff | undefined;
  beforeAll(async () => {
    // One after the other, so the queue's order (oldest first) is the order made.
    for (const id of [570_001, 570_002, 570_003, 570_004, 570_005])
      cases.push(await submittedCase(id));
    await world().worker();
  }, 600_000);

  it("claims the selected cases nobody holds, audits each, and says how many changed", async () => {
    const w = world();
    const first = await signedInStaff(w, "bulk.first@broker.example", "reviewer");
    holder = first;
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

  it("counts a selected case the officer already holds as done, not as taken by someone else", async () => {
    const first = holder!;
    const a = cases[0] as string;
    expect(listed(await first.queue({ assignee: "me" }))).toEqual([a]);
    // A second click on the case page's Claim, and "Claim selected" from a page read before.
    expect(await first.claim(a)).toBe("claimed");
    const back = await first.bulkClaim([a]);
    expect(back.searchParams.get("claimed")).toBe("1");
    expect(back.searchParams.get("asked")).toBe("1");
    const page = await first.queue(Object.fromEntries(back.searchParams));
    expect(page).toContain("Done: 1 of 1 case.");
    expect(page).not.toContain("taken by someone else");
    // Nothing changed, so nothing more is audited.
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
    // The case page's own "Assign to" refuses an id with no active account the same way.
    expect(await approver.assign(c, "5b0d4c1e-58a4-4f2e-9c43-1b0f3f9f0d11")).toBe(
      "error:unknown_staff",
    );
    // A value that is not a staff id at all is refused alike: neither claimed for the approver
    // nor, on the case page, taken for "Nobody" (which would unassign the case).
    expect((await approver.bulkClaim([c], "not-a-staff-id")).searchParams.get("error")).toBe(
      "unknown_staff",
    );
    expect(await approver.assign(c, "not-a-staff-id")).toBe("error:unknown_staff");
    expect(listed(await approver.queue({ assignee: "me" }))).not.toContain(c);
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
    // A post of "Assign to" without its field (the form always sends it, "" for Nobody) is
    // refused, not read as Nobody: the case stays the reviewer's.
    expect(await approver.assign(c)).toBe("error:unknown_staff");
    expect(listed(await reviewer.queue({ assignee: "me" }))).toEqual([c]);
  });

  it("counts a case ticked twice once, and refuses over the limit with its own words", async () => {
    const w = world();
    const officer = await signedInStaff(w, "bulk.many@broker.example", "reviewer");
    const c = cases[2] as string;
    // The same case sent more times than the limit is one case, not an over-limit form.
    const once = await officer.bulkClaim(Array.from({ length: 101 }, () => c));
    expect(once.searchParams.get("error")).toBeNull();
    expect(once.searchParams.get("asked")).toBe("1");
    const distinct = Array.from(
      { length: 101 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    const refused = await officer.bulkClaim(distinct, undefined, "risk=low");
    expect(refused.searchParams.get("error")).toBe("too_many_selected");
    expect(refused.searchParams.get("risk")).toBe("low");
    const page = await officer.queue(Object.fromEntries(refused.searchParams));
    expect(page).toContain("Select at most 100 cases at a time; nothing was changed.");
    expect(page).not.toContain("Select at least one case first.");
  });

  it("refuses a selection holding an id that is not a case in its own words, claiming none of it", async () => {
    const w = world();
    const officer = await signedInStaff(w, "bulk.malformed@broker.example", "reviewer");
    const d = cases[3] as string;
    const refused = await officer.bulkClaim([d, "not-a-case-id"], undefined, "risk=low");
    expect(refused.searchParams.get("error")).toBe("invalid_selection");
    expect(refused.searchParams.get("risk")).toBe("low");
    const page = await officer.queue(Object.fromEntries(refused.searchParams));
    expect(page).toContain("The selection held something that is not a case; nothing was changed.");
    expect(page).not.toContain("Select at least one case first.");
    expect(listed(await officer.queue({ assignee: "me" }))).toEqual([]);
    const audit = await listCaseAuditEvents(d);
    expect(audit.filter((e) => e.action === "case.claimed")).toHaveLength(0);
  });

  it("refuses more cases than a page holds whoever calls the bulk claim, claiming none of them", async () => {
    const w = world();
    await signedInStaff(w, "bulk.direct@broker.example", "reviewer");
    const officer = (await listActiveStaff()).find((s) => s.displayName === "bulk.direct");
    expect(officer).toBeDefined();
    const d = cases[3] as string;
    const others = Array.from(
      { length: QUEUE_MAX_PAGE_SIZE },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    // A caller other than the queue's form (a script, a later feature) gets the same limit.
    expect(await claimSelectedCases(officer!, [d, ...others], undefined)).toEqual({
      refused: "too_many_selected",
    });
    expect(await claimSelectedCases(officer!, [], undefined)).toEqual({
      refused: "none_selected",
    });
    const audit = await listCaseAuditEvents(d);
    expect(audit.filter((e) => e.action === "case.claimed")).toHaveLength(0);
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
    // Opened in the filters it was taken from: j / k walk those.
    expect(x.searchParams.get("queue")).toBe("review");
    expect(x.searchParams.get("risk")).toBe("low");
    expect(listed(await one.queue({ assignee: "me" })).length).toBe(1);
    expect(listed(await two.queue({ assignee: "me" })).length).toBe(1);
    expect((await one.nextCase()).searchParams.get("error")).toBe("no_next_case");
    for (const id of [d, e]) {
      const claims = (await listCaseAuditEvents(id)).filter((ev) => ev.action === "case.claimed");
      expect(claims).toHaveLength(1);
    }
  });
});

describe("scenario: acting on a case opened from a filtered queue", () => {
  const cases: string[] = [];
  beforeAll(async () => {
    for (const id of [570_011, 570_012, 570_013]) cases.push(await submittedCase(id));
    await world().worker();
  }, 600_000);

  it("leads back to the case in that queue, so j / k walk it, not the case's own tab", async () => {
    const w = world();
    const reviewer = await signedInStaff(w, "context.reviewer@broker.example", "reviewer");
    const other = await signedInStaff(w, "context.other@broker.example", "reviewer");
    const [a, b, c] = cases as [string, string, string];
    // Newest first at low risk: c, b, a, then the cases of the scenario above.
    const opened = rowLink(await reviewer.queue({ sort: "newest", risk: "low" }), b);
    expect(opened).toEqual({ queue: "review", sort: "newest", risk: "low" });
    const othersForm = await other.caseForm(b, "claim", opened);

    const claimed = await reviewer.claimWith(await reviewer.caseForm(b, "claim", opened));
    expect(claimed.pathname).toBe(`/admin/cases/${b}`);
    expect(Object.fromEntries(claimed.searchParams)).toEqual({ ...opened, outcome: "claimed" });
    // The page it leads to: j is a (older), k is c, as in the queue the officer came from.
    const page = await reviewer.casePage(b, Object.fromEntries(claimed.searchParams));
    expect(page).toContain(`data-testid="queue-next" data-case="${a}"`);
    expect(page).toContain(`data-testid="queue-previous" data-case="${c}"`);

    // A refusal (the other officer's page was opened before the claim) stays in the queue too.
    const refused = await other.claimWith(othersForm);
    expect(refused.pathname).toBe(`/admin/cases/${b}`);
    expect(refused.searchParams.get("error")).toBeTruthy();
    expect(refused.searchParams.get("risk")).toBe("low");
  });

  it("echoes only the queue's filters and order from a forged form, and nothing without a queue", async () => {
    const w = world();
    const reviewer = await signedInStaff(w, "forged.reviewer@broker.example", "reviewer");
    const [a, , c] = cases as [string, string, string];
    const forged = await reviewer.claimWith({
      ...(await reviewer.caseForm(a, "claim", { queue: "review" })),
      queueQuery:
        "queue=review&sort=risk&outcome=approved&next=https%3A%2F%2Fevil.example%2F&page=4&level=../x",
    });
    expect(forged.origin).toBe(new URL(BROKER).origin);
    expect(forged.pathname).toBe(`/admin/cases/${a}`);
    expect(forged.search).toBe("?queue=review&sort=risk&outcome=claimed");

    // Opened from elsewhere (a trader's page, a link in a note): the page sends no queue.
    const plain = await reviewer.claimWith(await reviewer.caseForm(c, "claim"));
    expect(plain.search).toBe("?outcome=claimed");
  });
});

/** The case page's j or k link, as the page renders it: the case it opens and its URL's query. */
function neighbourLink(html: string, rel: "next" | "previous") {
  const tag = new RegExp(`<a[^>]*data-testid="queue-${rel}"[^>]*>`).exec(html)?.[0];
  if (!tag) return null;
  const href = /href="([^"]+)"/.exec(tag)?.[1] ?? "";
  const url = new URL(href.replace(/&amp;/g, "&"), BROKER);
  const caseId = /data-case="([^"]+)"/.exec(tag)?.[1];
  expect(url.pathname).toBe(`/admin/cases/${caseId}`);
  return { caseId: caseId!, query: Object.fromEntries(url.searchParams) };
}

/**
 * The cases `staff` opens following one link (`rel`) from page to page, starting on `caseId`
 * opened with `query`, until a page has none; every link's query is checked to be `keeps`.
 */
async function walk(
  staff: Staff,
  caseId: string,
  query: Record<string, string>,
  rel: "next" | "previous",
  keeps: Record<string, string>,
): Promise<string[]> {
  const walked = [caseId];
  let page = await staff.casePage(caseId, query);
  // More steps than cases would be a loop: stop there, the order assertion then fails.
  for (let step = 0; step < 10; step++) {
    const link = neighbourLink(page, rel);
    if (!link) break;
    expect(link.query).toEqual(keeps);
    walked.push(link.caseId);
    page = await staff.casePage(link.caseId, link.query);
  }
  return walked;
}

describe("scenario: j / k through the monitoring hits", () => {
  const held: { approved: string[]; upgrade: string } = { approved: [], upgrade: "" };
  let reviewer: Staff;
  beforeAll(async () => {
    const w = world();
    const list = path.join(w.dataDir, "walk-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);
    reviewer = await signedInStaff(w, "walk.reviewer@broker.example", "reviewer");
    const people = [
      { givenNames: "Ingrid", surnames: "Solberg", dateOfBirth: "1976-02-17" },
      { givenNames: "Nils", surnames: "Bergkvist", dateOfBirth: "1982-07-30" },
      { givenNames: "Sven", surnames: "Ahlgren", dateOfBirth: "1969-10-05" },
    ];
    const traders = people.map((_, i) => new Trader(w, 570_021 + i));
    const ids: string[] = [];
    for (const [i, person] of people.entries())
      ids.push((await approvedAtStandard(w, traders[i]!, reviewer, person)).id);
    [held.approved, held.upgrade] = [ids.slice(0, 2), ids[2]!];

    // cTrader asks the third for enhanced; the upgrade is sent and waits for a person.
    const upgrading = traders[2]!;
    await upgrading.sendEnhancedUpgrade();
    await w.worker();
    expect(await upgrading.status()).toBe("in_review");

    // The broker's list gains all three; the import holds each approval in force.
    const rows = people.map((p) => `${p.givenNames} ${p.surnames},,${p.dateOfBirth},Sweden\n`);
    writeFileSync(list, `${readFileSync(list, "utf8")}${rows.join("")}`);
    expect(await w.runListsImportCommand([list])).toMatch(/, 3 with a new likely match/);
    await w.worker();
  }, 600_000);

  it("walks the tab's cases in its order, each once, the upgrade in review too, keeping the tab", async () => {
    const tab = await reviewer.queue({ queue: "monitoring" });
    const order = listed(tab);
    expect(order).toHaveLength(3);
    expect(new Set(order)).toEqual(new Set([...held.approved, held.upgrade]));
    expect(tab).toMatch(
      new RegExp(`<tr[^>]*data-case="${held.upgrade}"[^>]*data-status="in_review"`),
    );
    const monitoring = { queue: "monitoring", sort: "oldest" };

    // Opened from the tab's rows: j (next) from the first row to the last, k back from the last.
    const first = rowLink(tab, order[0]!);
    expect(first).toEqual(monitoring);
    expect(await walk(reviewer, order[0]!, first, "next", monitoring)).toEqual(order);
    const last = rowLink(tab, order.at(-1)!);
    expect(await walk(reviewer, order.at(-1)!, last, "previous", monitoring)).toEqual(
      order.toReversed(),
    );

    // Opened from elsewhere (a notification, the trader's page): the URL names no queue, and the
    // page walks the tab that lists the case, the monitoring hits, for the upgrade as well.
    for (const [i, id] of order.entries()) {
      const page = await reviewer.casePage(id);
      expect({
        i,
        next: neighbourLink(page, "next"),
        previous: neighbourLink(page, "previous"),
      }).toEqual({
        i,
        next: i + 1 < order.length ? { caseId: order[i + 1], query: monitoring } : null,
        previous: i > 0 ? { caseId: order[i - 1], query: monitoring } : null,
      });
    }
  });
});
