/**
 * Scenario: the head of compliance's dashboard over a day of real work. Traders launch from
 * cTrader and submit; the checks auto-approve one, screen two as likely sanctions matches; staff
 * approve, reject and judge the hits in the console; the CRM is down long enough for one case's
 * deliveries to die. The dashboard's figures, and the CSV behind each, say exactly that.
 */
import "./support/request-scope";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { asc, eq, inArray } from "drizzle-orm";
import { auditEvents, caseEvents } from "@/lib/db/schema";
import { listWaitingCases } from "@/lib/db/queries/dashboard";
import {
  getDeliveriesForEvent,
  listOutboxEventsForCase,
  UNDELIVERED_STATES,
} from "@/lib/db/queries/outbox";
import { drainOnce } from "@/lib/delivery/worker";
import {
  loadDashboard,
  parseDashboardPeriod,
  waitingBuckets,
  type DashboardFigures,
} from "@/lib/review/dashboard";
import { PERSONAL } from "../fixtures/kyc-values";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader, type Staff } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const world = scenarioWorld();
const HOUR = 3_600_000;

/** RAFAEL CARO QUINTERO, OFAC SDN entry 6707 (in the excerpt the tests ship). */
const LISTED = {
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
  nationalities: ["MX"],
};
const HIT = "ofac-sdn-excerpt:6707";
/** A trader on no list the scenario imports. */
const UNLISTED = {
  givenNames: "Ingrid",
  surnames: "Holmqvist",
  dateOfBirth: "1984-03-02",
  nationalities: ["SE"],
};

/** A reviewer whose display name a spreadsheet would run as a formula. */
const FORMULA_NAME = "=sum(1+2)";

function testid(html: string, id: string): string {
  const m = new RegExp(`data-testid="${id}"[^>]*>([\\s\\S]*?)</dd>`).exec(html);
  return textOf(m?.[1] ?? "");
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== "," && c !== "\n")) {
      cell += c;
    } else {
      row.push(cell.replace(/\r$/, ""));
      cell = "";
      if (c === "\n") {
        rows.push(row);
        row = [];
      }
    }
  }
  return rows;
}

async function csvOf(staff: Staff, figure: string, query: Record<string, string> = {}) {
  const response = await staff.exportDashboard(figure, query);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  return parseCsv(await response.text());
}

/**
 * The delivery figures are the export's rows counted by state, every state the deliveries page
 * names (the same rule: deliveryStateSql), and the backlog is every state but dead.
 */
function expectDeliveriesAgree(figures: DashboardFigures, rows: string[][]) {
  const counted = (state: string) => rows.filter((r) => r[4] === state).length;
  expect(Object.fromEntries(UNDELIVERED_STATES.map((s) => [s, figures.deliveries[s]]))).toEqual(
    Object.fromEntries(UNDELIVERED_STATES.map((s) => [s, counted(s)])),
  );
  expect(rows.filter((r) => !(UNDELIVERED_STATES as readonly string[]).includes(r[4]!))).toEqual(
    [],
  );
  expect(figures.deliveries.backlog).toBe(rows.length - counted("dead"));
}

const cases: Record<string, string> = {};
let reviewer: Staff;
let approver: Staff;
let admin: Staff;

beforeAll(async () => {
  const w = world();
  await w.importLists([OFAC_EXCERPT]);
  reviewer = await signedInStaff(w, `${FORMULA_NAME}@broker.example`, "reviewer");
  approver = await signedInStaff(w, "head.of.compliance@broker.example", "approver");
  admin = await signedInStaff(w, "dash.admin@broker.example", "admin");

  // A clean case while the broker auto-approves.
  w.configure({ AUTO_APPROVE: "1" });
  const auto = new Trader(w, 610_001);
  await auto.completeStandardLevel();
  await w.worker();
  cases.auto = (await auto.currentCase()).id;
  w.configure({ AUTO_APPROVE: undefined });

  const people = { approved: 610_002, rejected: 610_003, waiting: 610_004 };
  for (const [name, id] of Object.entries(people)) {
    const trader = new Trader(w, id);
    await trader.completeStandardLevel();
    cases[name] = (await trader.currentCase()).id;
  }
  for (const [name, id] of Object.entries({ cleared: 610_005, confirmed: 610_006 })) {
    const trader = new Trader(w, id);
    await trader.completeStandardLevel(LISTED);
    cases[name] = (await trader.currentCase()).id;
  }
  await w.worker();

  expect(await reviewer.approve(cases.approved!)).toBe("approved");
  expect(await reviewer.reject(cases.rejected!, "fraud_suspected", "Forged bill")).toBe(
    "rejected_final",
  );
  expect(await reviewer.judgeHit(cases.cleared!, HIT, "false_positive", "Born elsewhere, ID")).toBe(
    "hit_awaiting_second",
  );
  expect(await approver.judgeHit(cases.cleared!, HIT, "false_positive", "Passport: not him")).toBe(
    "hit_cleared",
  );
  expect(await reviewer.judgeHit(cases.confirmed!, HIT, "confirmed", "Same person, same DOB")).toBe(
    "hit_confirmed",
  );
  expect(await reviewer.reject(cases.confirmed!, "sanctions_match", "OFAC SDN 6707")).toBe(
    "rejected_final",
  );
  await w.worker();

  // The CRM is down for days while one more trader submits: that case's webhooks run out.
  w.setDown({ crm: true });
  const late = new Trader(w, 610_007);
  await late.completeStandardLevel();
  cases.dead = (await late.currentCase()).id;
  await w.worker();
  let now = Date.now();
  // One attempt per pass (each wait is at most a day); the 15th comes 72 h or more after the first.
  for (let pass = 0; pass < 16; pass++) {
    now += 24 * HOUR;
    await w.worker(new Date(now));
  }
  w.setDown({ crm: false });

  // The broker's PEP list gains the name of the two approved traders: each gets a monitoring task.
  const pep = path.join(w.dataDir, "broker-pep.csv");
  const { givenNames, surnames, dateOfBirth } = PERSONAL;
  writeFileSync(
    pep,
    `name,aliases,dob,country\n${givenNames} ${surnames},,${dateOfBirth},Sweden\n`,
  );
  await w.importLists([OFAC_EXCERPT, pep]);
  await w.worker();
  // Days later, staff sign in again (their sessions ended meanwhile).
  for (const person of [reviewer, approver, admin]) await person.signIn();
  // Seven whole cases, then days of retries: minutes on a busy two-core machine.
}, 900_000);

describe("scenario: the dashboard after a day of real work", () => {
  it("counts cases by status and level, waiting cases and breaches", async () => {
    const page = await approver.dashboardPage();
    const table = /data-testid="cases-table"[\s\S]*?<\/table>/.exec(page)?.[0] ?? "";
    const total = (status: string) =>
      new RegExp(`data-status="${status}"[\\s\\S]*?data-level="standard"[^>]*>(\\d+)<`).exec(
        table,
      )?.[1];
    expect(total("approved")).toBe("2");
    expect(total("rejected")).toBe("2");
    expect(total("in_review")).toBe("3");
    expect(page).toContain('role="img"');
    expect(page).toContain('<title id="chart-cases-title">Cases opened in the period');
    expect(testid(page, "waiting-total")).toBe("3");
    expect(testid(page, "sla-breaches")).toBe("0");

    // A day later, the same three cases have all waited past REVIEW_TIME_HOURS (24).
    const later = await loadDashboard(
      { role: "approver" },
      parseDashboardPeriod({}),
      24,
      new Date(Date.now() + 25 * HOUR),
    );
    expect(later.waiting.breaches).toBe(3);
    expect(later.waiting.distribution.find((b) => b.key === "late")?.cases).toBe(3);
  });

  it("counts the waiting-time buckets in the database exactly as the waiting rows add up", async () => {
    const waiting = await listWaitingCases();
    expect(waiting).toHaveLength(3);
    // Waiting since the latest submit, as the case's timeline records it.
    const submits = await world()
      .db.db.select()
      .from(caseEvents)
      .where(inArray(caseEvents.event, ["submit", "resubmit"]));
    for (const w of waiting) {
      const latest = Math.max(
        ...submits.filter((e) => e.caseId === w.caseId).map((e) => e.occurredAt.getTime()),
      );
      expect(w.waitingSince.getTime()).toBe(latest);
    }
    const first = Math.min(...waiting.map((w) => w.waitingSince.getTime()));
    // From the first submit on, the waits cross every bucket and its edges.
    for (const hours of [0, 5, 6.5, 13, 25, 47.9, 49, 200]) {
      const now = new Date(first + hours * HOUR);
      const figures = await loadDashboard({ role: "approver" }, parseDashboardPeriod({}), 24, now);
      const waits = waiting.map((w) => (now.getTime() - w.waitingSince.getTime()) / HOUR);
      expect(figures.waiting.total).toBe(waiting.length);
      expect(figures.waiting.breaches).toBe(waits.filter((h) => h >= 24).length);
      expect(figures.waiting.distribution.map((b) => [b.key, b.cases])).toEqual(
        waitingBuckets(24).map((b) => [b.key, waits.filter((h) => h >= b.min && h < b.max).length]),
      );
    }
  });

  it("counts every figure in the database exactly as the export's rows add up", async () => {
    const figures = await loadDashboard({ role: "approver" }, parseDashboardPeriod({}), 24);
    const tally = (rows: string[][], key: (r: string[]) => string) => {
      const counts: Record<string, number> = {};
      for (const r of rows) counts[key(r)] = (counts[key(r)] ?? 0) + 1;
      return counts;
    };

    const caseRows = (await csvOf(approver, "cases")).slice(1);
    expect(figures.cases.total).toBe(caseRows.length);
    const byStatusLevel: Record<string, number> = {};
    for (const s of figures.cases.byStatus)
      for (const [level, n] of Object.entries(s.byLevel))
        if (n > 0) byStatusLevel[`${s.status}|${level}`] = n;
    expect(byStatusLevel).toEqual(tally(caseRows, (r) => `${r[2]}|${r[1]}`));

    const decisionRows = (await csvOf(approver, "decisions")).slice(1);
    expect(figures.decisions.total).toBe(decisionRows.length);
    const perReviewerDay: Record<string, number> = {};
    for (const r of figures.decisions.perReviewer)
      for (const [day, n] of Object.entries(r.perDay))
        if (n > 0) perReviewerDay[`${r.reviewer}|${day}`] = n;
    // The CSV quotes a name a spreadsheet would run as a formula; the page shows it as it is.
    expect(perReviewerDay).toEqual(
      tally(decisionRows, (r) => `${r[2]!.replace(/^'(?=[=+\-@])/, "")}|${r[6]!.slice(0, 10)}`),
    );

    const outcomeRows = (await csvOf(approver, "outcomes")).slice(1);
    const approvals = outcomeRows.filter((r) => r[2] === "approved");
    const rejections = outcomeRows.filter((r) => r[2] === "rejected");
    expect(figures.outcomes.approvals).toBe(approvals.length);
    expect(figures.outcomes.autoApprovals).toBe(approvals.filter((r) => r[4] === "true").length);
    expect(figures.outcomes.rejections).toBe(rejections.length);
    expect(figures.outcomes.actionRequests).toBe(
      outcomeRows.filter((r) => r[2] === "action_required").length,
    );
    expect(Object.fromEntries(figures.outcomes.topReasons.map((t) => [t.reason, t.count]))).toEqual(
      tally(rejections, (r) => r[5] || "unknown"),
    );

    const screening = await csvOf(approver, "screening");
    const runs = screening.filter((r) => r[0] === "screening");
    const screened = runs.filter((r) => r[2] !== "not screened");
    expect(figures.screening.screened).toBe(screened.length);
    expect(figures.screening.withHit).toBe(screened.filter((r) => Number(r[2]) > 0).length);
    const judgments = screening.filter((r) => r[0] === "judgment");
    expect(figures.screening.judged).toBe(
      judgments.filter((r) => r[2] !== "awaiting_second").length,
    );
    expect(figures.screening.awaitingSecond).toBe(
      judgments.filter((r) => r[2] === "awaiting_second").length,
    );
    expect(figures.screening.falsePositives).toBe(
      judgments.filter((r) => r[2] === "false_positive").length,
    );

    expect(figures.monitoring.open).toBe((await csvOf(approver, "monitoring")).length - 1);
    expectDeliveriesAgree(figures, (await csvOf(approver, "deliveries")).slice(1));
    // The setup leaves something in every figure, so equal counts are not two zeros.
    expect(caseRows.length * decisionRows.length * rejections.length).toBeGreaterThan(0);
    expect(figures.deliveries.dead * figures.monitoring.open * judgments.length).toBeGreaterThan(0);
  });

  it("shows decisions per reviewer, auto-approve and rejection rates with top reasons", async () => {
    const page = await approver.dashboardPage();
    const text = textOf(page);
    const row = (name: string) =>
      new RegExp(
        `data-reviewer="${name.replace(/[()+]/g, "\\$&")}"[\\s\\S]*?data-total[^>]*>(\\d+)<`,
      ).exec(page)?.[1];
    // Approve, reject, two hit verdicts and a reject; the approver's one verdict.
    expect(row(FORMULA_NAME)).toBe("5");
    expect(row("head.of.compliance")).toBe("1");
    expect(testid(page, "approvals")).toBe("2");
    expect(testid(page, "auto-approve-rate")).toBe("50% (1 by the automated checks)");
    expect(testid(page, "rejections")).toBe("2");
    expect(testid(page, "rejection-rate")).toBe("50%");
    // Top reasons in words, with the numbers in the chart's table.
    expect(text).toContain("Fraud suspected: 1");
    expect(text).toContain("Sanctions match: 1");
    expect(page).toMatch(/data-bar="fraud_suspected"><th scope="row">Fraud suspected<\/th><td>1</);
  });

  it("shows the screening hit and false-positive rates, monitoring, deliveries and list age", async () => {
    const page = await approver.dashboardPage();
    expect(testid(page, "hit-rate")).toBe("28.6% (2 of 7)");
    expect(testid(page, "false-positive-rate")).toBe("50% (1 of 2)");
    expect(testid(page, "monitoring-open")).toBe("2");
    const monitoring = await csvOf(approver, "monitoring");
    expect(new Set(monitoring.slice(1).map((r) => r[0]))).toEqual(
      new Set([cases.auto, cases.approved]),
    );
    const dead = Number(testid(page, "deliveries-dead"));
    expect(dead).toBeGreaterThan(0);
    expect(page).toContain('data-list="ofac-sdn-excerpt"');
    expect(page).toContain('data-list="broker-pep"');
    expect(page).toContain('data-age-hours="0"');

    const deliveries = await csvOf(approver, "deliveries");
    const deadRows = deliveries.slice(1).filter((r) => r[4] === "dead");
    expect(deadRows).toHaveLength(dead);
    expect(new Set(deadRows.map((r) => r[1]))).toEqual(new Set([cases.dead]));
  });

  it("exports the rows behind a figure as CSV, audited and safe from formulas", async () => {
    const before = await world().db.db.select().from(auditEvents);
    const decisions = await csvOf(approver, "decisions");
    expect(decisions[0]).toEqual([
      "decision_id",
      "case_id",
      "staff",
      "decision",
      "reason",
      "hit",
      "at",
    ]);
    expect(decisions).toHaveLength(1 + 6);
    // The reviewer's name starts with "=": a spreadsheet gets it as text, never a formula.
    const byReviewer = decisions.filter((r) => r[2] === `'${FORMULA_NAME}`);
    expect(byReviewer).toHaveLength(5);
    expect(decisions.some((r) => r.some((cell) => /^[=+\-@]/.test(cell)))).toBe(false);
    expect(byReviewer.map((r) => r[3]).sort()).toEqual([
      "approve",
      "reject",
      "reject",
      "screening_confirmed",
      "screening_false_positive",
    ]);

    const outcomes = await csvOf(approver, "outcomes");
    const auto = outcomes.find((r) => r[0] === cases.auto && r[2] === "approved");
    expect(auto?.[4]).toBe("true");
    expect(outcomes.find((r) => r[0] === cases.confirmed)?.[5]).toBe("sanctions_match");

    const screening = await csvOf(approver, "screening");
    expect(screening.filter((r) => r[0] === "judgment").map((r) => [r[1], r[2]])).toEqual(
      expect.arrayContaining([
        [cases.cleared, "false_positive"],
        [cases.confirmed, "confirmed"],
      ]),
    );

    const audit = await world()
      .db.db.select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "dashboard.exported"))
      .orderBy(asc(auditEvents.occurredAt));
    const exported = audit.filter((a) => !before.some((b) => b.id === a.id));
    expect(exported.map((a) => a.data)).toEqual([
      expect.objectContaining({ figure: "decisions", rows: 6 }),
      expect.objectContaining({ figure: "outcomes" }),
      expect.objectContaining({ figure: "screening" }),
    ]);
    expect(exported.every((a) => a.actorId !== undefined && a.actorType === "staff")).toBe(true);
  });

  it("speaks the officer's language: German words, numbers, dates and percentages", async () => {
    // The officer's browser asks for German (as a request's language reaches next-intl).
    approver.locale = "de";
    try {
      const page = await approver.dashboardPage({ from: "2026-03-01", to: "2026-03-15" });
      const text = textOf(page);
      expect(text).toContain("Derzeit wartend auf Prüfung");
      expect(text).toContain("1. März 2026 bis 15. März 2026 (UTC, 15 Tage)");
      expect(text).toContain("Verteilung der Wartezeiten");
      expect(page).toMatch(/data-bucket="late"><th scope="row">24 h–48 h \(Verstoß\)</);
      expect(text).toContain("englischen Codes");
      expect(text).not.toContain("Waiting for review now");
      const now = await approver.dashboardPage();
      expect(testid(now, "hit-rate")).toBe("28,6 % (2 von 7)");
    } finally {
      approver.locale = "en";
    }
  });

  it("refuses reviewers, unknown figures and falls back to the default period on bad input", async () => {
    const before = (await world().db.db.select().from(auditEvents)).length;
    expect(await reviewer.dashboardPage()).toBe("redirect:/admin?error=forbidden");
    expect((await reviewer.exportDashboard("decisions")).status).toBe(403);
    expect((await approver.exportDashboard("everything")).status).toBe(400);
    expect((await world().db.db.select().from(auditEvents)).length).toBe(before);

    const fallback = parseDashboardPeriod({});
    const page = await admin.dashboardPage({ from: "2026-02-31", to: "<script>" });
    const day = (iso: string) =>
      new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" }).format(
        new Date(`${iso}T00:00:00Z`),
      );
    expect(textOf(page)).toContain(
      `${day(fallback.fromDay)} to ${day(fallback.toDay)} (UTC, 30 days)`,
    );
    const reversed = await admin.dashboardPage({ from: fallback.toDay, to: "2000-01-01" });
    expect(textOf(reversed)).toContain("(UTC, 30 days)");
    // A period before any case: every figure is empty, nothing breaks.
    const empty = await admin.dashboardPage({ from: "2001-01-01", to: "2001-01-31" });
    expect(testid(empty, "approvals")).toBe("0");
    expect(testid(empty, "auto-approve-rate")).toContain("—");
  });

  // Last: it adds a case and an approval to the figures the tests above count.
  it("counts a delivery whose send is under way as sending, in the figures, the CSV and the deliveries page alike", async () => {
    const w = world();
    const trader = new Trader(w, 610_008);
    await trader.completeStandardLevel(UNLISTED);
    cases.sending = (await trader.currentCase()).id;
    await w.worker();
    // cTrader's account API holds the approval's update: the worker's send is under way.
    const call = w.holdNextAccountUpdate();
    expect(await approver.approve(cases.sending)).toBe("approved");
    const approval = (await listOutboxEventsForCase(cases.sending)).at(-1)!;
    const pass = drainOnce();
    try {
      await call.arrived;
      // Every other destination of the approval has its answer; only cTrader's send is open.
      for (let waited = 0; ; waited += 50) {
        const open = (await getDeliveriesForEvent(approval.id)).filter(
          (d) => d.status === "pending",
        );
        if (open.length === 1 && open[0]!.destination === "ctrader:account") break;
        if (waited > 20_000) throw new Error("the approval's other deliveries never finished");
        await new Promise((r) => setTimeout(r, 50));
      }

      const figures = await loadDashboard({ role: "approver" }, parseDashboardPeriod({}), 24);
      const rows = (await csvOf(approver, "deliveries")).slice(1);
      expect(figures.deliveries.sending).toBe(1);
      expectDeliveriesAgree(figures, rows);
      expect(rows.filter((r) => r[1] === cases.sending).map((r) => [r[3], r[4]])).toEqual([
        ["ctrader:account", "sending"],
      ]);
      const deliveries = await admin.deliveriesPage();
      for (const state of UNDELIVERED_STATES)
        expect(deliveries).toContain(`<dd data-state="${state}">${figures.deliveries[state]}</dd>`);
      expect(testid(await approver.dashboardPage(), "delivery-backlog")).toBe(
        `${figures.deliveries.backlog} (1 in progress or unfinished, ${figures.deliveries.failing} failing and retrying)`,
      );
    } finally {
      call.release();
      await pass;
    }
    // It answered: delivered, and nothing is counted as sending any more.
    const after = await loadDashboard({ role: "approver" }, parseDashboardPeriod({}), 24);
    expect(after.deliveries.sending).toBe(0);
    expectDeliveriesAgree(after, (await csvOf(approver, "deliveries")).slice(1));
  });
});
