/**
 * Scenarios of the audit trail in the console: what officers do is found there by their name,
 * case, action and period, each row with its chain hash; the chain's status is what
 * `npm run audit:verify` answers, "Verify now" and the export are audited themselves, and only
 * admins get in. The last scenario tampers with a row (the one legitimate SQL write: no flow of
 * the app can do it) and checks that the console, the schedule and the health endpoint see it.
 */
import "./support/request-scope";
import { sql } from "drizzle-orm";
import { GET as ready } from "@/app/api/health/ready/route";
import { auditEvents } from "@/lib/db/schema";
import { captureLogs } from "../helpers/log-capture";
import { textOf } from "../helpers/render-page";
import { approvedAtStandard, signedInStaff, Trader, type Staff } from "./support/people";
import { scenarioWorld, type World } from "./support/world";

const world = scenarioWorld();

/** The rows the page lists: action and actor's name, newest first. */
function listed(html: string): { action: string; actor: string; hash: string }[] {
  return [...html.matchAll(/<tr data-seq="(\d*)" data-action="([^"]+)">([\s\S]*?)<\/tr>/g)].map(
    (m) => ({
      action: m[2]!,
      actor: textOf(/data-testid="actor">([\s\S]*?)<\/td>/.exec(m[3]!)?.[1] ?? ""),
      hash: /data-testid="hash">([^<]*)</.exec(m[3]!)?.[1] ?? "",
    }),
  );
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

let admin: Staff;
let reviewer: Staff;
let caseId: string;
let w: World;

describe("scenario: an admin reads what a reviewer did", () => {
  beforeAll(async () => {
    w = world();
    const trader = new Trader(w, 541_001);
    await trader.completeStandardLevel();
    caseId = (await trader.currentCase()).id;
    await w.worker();
    reviewer = await signedInStaff(w, "audited.reviewer@broker.example", "reviewer");
    admin = await signedInStaff(w, "chief.admin@broker.example", "admin");
    expect(await reviewer.claim(caseId)).toBe("claimed");
    expect(await reviewer.approve(caseId)).toBe("approved");
  });

  it("lists the reviewer's actions under their name, each with its chain hash, newest first", async () => {
    const page = await admin.auditPage();
    expect(page).toContain('data-testid="audit-rows"');
    const rows = listed(page);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    const claimed = rows.find((r) => r.action === "case.claimed");
    expect(claimed?.actor).toContain("audited.reviewer");
    expect(claimed?.actor).not.toMatch(UUID);
    // Newest first: the approval comes before the claim.
    const actions = rows.map((r) => r.action);
    const approved = actions.findIndex((a) => a.startsWith("case.approv"));
    expect(approved).toBeGreaterThanOrEqual(0);
    expect(actions.indexOf("case.claimed")).toBeGreaterThan(approved);
    // The actor filter offers people by name.
    expect(page).toMatch(
      /<option value="staff:[0-9a-f-]{36}">audited\.reviewer \(audited\.reviewer@broker\.example\)<\/option>/,
    );
  });

  it("filters by actor, case, action and period, kept in the URL", async () => {
    const actorOption = /<option value="(staff:[0-9a-f-]{36})">audited\.reviewer /.exec(
      await admin.auditPage(),
    );
    const actor = actorOption![1]!;
    const byActor = listed(await admin.auditPage({ actor }));
    expect(byActor.length).toBeGreaterThan(0);
    expect(new Set(byActor.map((r) => r.actor))).toEqual(new Set(["audited.reviewer staff"]));

    const byCase = listed(await admin.auditPage({ case: caseId, action: "case.claimed" }));
    expect(byCase.map((r) => r.action)).toEqual(["case.claimed"]);

    const today = new Date().toISOString().slice(0, 10);
    expect(listed(await admin.auditPage({ actor, from: today, to: today })).length).toBe(
      byActor.length,
    );
    const empty = await admin.auditPage({ actor, to: "2020-01-31", from: "2020-01-01" });
    expect(empty).toContain('data-testid="audit-empty"');
    expect(empty).toContain('value="2020-01-01"');

    // Nonsense in the URL falls back to "any", never an error.
    const bad = await admin.auditPage({
      actor: "staff:'; drop table",
      case: "not-a-case",
      action: "<script>",
      from: "yesterday",
      page: "-3",
    });
    expect(listed(bad).length).toBe(listed(await admin.auditPage()).length);
  });

  it("speaks the officer's language (Arabic) while the rows keep their codes and full hashes", async () => {
    admin.locale = "ar";
    try {
      const page = await admin.auditPage();
      const text = textOf(page);
      expect(text).toContain("سجل التدقيق");
      expect(text).toContain("التحقق من السلسلة");
      expect(text).toContain("تصدير CSV (يُسجَّل)");
      expect(text).not.toContain("Audit trail");
      const rows = listed(page);
      expect(rows.find((r) => r.action === "case.claimed")?.actor).toBe("audited.reviewer موظف");
      for (const row of rows) expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(page).toMatch(/<option value="trader">أي متداول<\/option>/);
    } finally {
      admin.locale = "en";
    }
  });

  it("is refused to reviewers and approvers: page, export and Verify now", async () => {
    const approver = await signedInStaff(w, "audit.approver@broker.example", "approver");
    for (const who of [reviewer, approver]) {
      expect(await who.auditPage()).toBe("redirect:/admin?error=forbidden");
      expect((await who.exportAuditLog()).status).toBe(403);
      expect(await who.verifyAuditChain()).toBe("/admin?error=forbidden");
    }
    expect(await admin.auditPage()).not.toContain('data-action="audit.exported"');
    expect(await admin.auditPage()).not.toContain('data-action="audit.chain_verified"');
  });

  it("exports the filtered rows as CSV and records who exported what", async () => {
    const response = await admin.exportAuditLog({ case: caseId });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "seq,occurred_at,actor_type,actor_id,actor,action,case_id,trader_id,data,prev_hash,hash",
    );
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines.slice(1)) expect(line).toContain(caseId);
    expect(lines.some((l) => l.includes(",audited.reviewer,case.claimed,"))).toBe(true);

    const exported = listed(await admin.auditPage({ action: "audit.exported" }));
    expect(exported).toEqual([
      expect.objectContaining({ action: "audit.exported", actor: "chief.admin staff" }),
    ]);
    expect(textOf(await admin.auditPage({ action: "audit.exported" }))).toContain(
      `rows: ${lines.length - 1}`,
    );
  });

  it("shows the worker's scheduled verification; Verify now verifies again and records its own row", async () => {
    let page = await admin.auditPage();
    expect(page).toContain('data-state="intact"');
    expect(textOf(page)).toContain("on the schedule");
    expect(await admin.verifyAuditChain()).toBe("/admin/audit?verified=intact");
    page = await admin.auditPage();
    expect(page).toContain('data-state="intact"');
    expect(textOf(page)).toContain("by chief.admin");
    expect(listed(page)[0]).toMatchObject({
      action: "audit.chain_verified",
      actor: "chief.admin staff",
    });
  });
});

describe("scenario: an operator gives audit:verify a flag it does not read", () => {
  it("stops naming it instead of verifying less than asked", async () => {
    // `--heads <file>` with a space would otherwise verify the chain alone and exit 0.
    // An empty `--heads=` (an unset variable in a scheduled job) likewise.
    for (const args of [["--heads", "heads.jsonl"], ["--head=heads.jsonl"], ["--heads="]]) {
      const run = await world().runCommand("scripts/audit-verify.ts", args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `audit:verify: ${args[0]}: takes only --heads=<file> or --public-key`,
      );
      expect(run.stdout).not.toContain("chain intact");
    }
  });
});

describe("scenario: an admin replays a delivery from the case page", () => {
  it("audits the replay on the case; a replay whose audit row cannot be written is not sent", async () => {
    const v = world();
    const trader = new Trader(v, 541_011);
    const reviewer = await signedInStaff(v, "replay.reviewer@broker.example", "reviewer");
    const kycCase = await approvedAtStandard(v, trader, reviewer);
    const officer = await signedInStaff(v, "replay.admin@broker.example", "admin");
    const approval = v.crmEventsFor(kycCase.id).find((e) => e.event === "approve");
    const eventId = String(approval?.payload.id);
    expect(await officer.casePage(kycCase.id)).toContain(`name="eventId" value="${eventId}"`);
    const sent = () => v.crmEventsFor(kycCase.id).length;
    const before = sent();

    // Fault: the audit trail refuses the replay's row (its chain's lock timed out, the process
    // died between the two): the replay must not go out unaudited.
    await v.db.db.execute(
      sql.raw(`create or replace function test_fail_replay_audit() returns trigger
        language plpgsql as $$ begin raise exception 'injected: audit write failed'; end $$`),
    );
    await v.db.db.execute(
      sql.raw(`create trigger test_fail_replay_audit before insert on audit_events
        for each row when (new.action = 'delivery.replayed') execute function test_fail_replay_audit()`),
    );
    let outcome: string;
    try {
      outcome = await officer.replayEvent(kycCase.id, eventId);
    } finally {
      await v.db.db.execute(sql.raw(`drop trigger test_fail_replay_audit on audit_events`));
    }
    expect(outcome).toBe("error:failed");
    await v.worker();
    expect(sent()).toBe(before);

    expect(await officer.replayEvent(kycCase.id, eventId)).toBe("replayed");
    await v.worker();
    expect(sent()).toBe(before + 1);
    const onCase = await officer.auditPage({ case: kycCase.id });
    expect(listed(onCase).map((r) => r.action)).toContain("delivery.replayed");
  });
});

describe("scenario: someone edits a row behind the database's triggers", () => {
  it("is found by Verify now, by the schedule, and shown by the health endpoint", async () => {
    const before = await admin.auditPage();
    const [target] = listed(before).filter((r) => r.action === "case.claimed");
    expect(target).toBeDefined();
    // As a superuser who goes around the append-only triggers would: no app flow can do this.
    await w.db.db.execute(sql`alter table audit_events disable trigger user`);
    try {
      await w.db.db
        .update(auditEvents)
        .set({ data: { forged: true } })
        .where(sql`${auditEvents.hash} = ${target!.hash}`);
    } finally {
      await w.db.db.execute(sql`alter table audit_events enable trigger user`);
    }
    const seq = Number(/data-seq="(\d+)" data-action="case.claimed"/.exec(before)![1]);

    expect(await admin.verifyAuditChain()).toBe("/admin/audit?verified=broken");
    let page = await admin.auditPage();
    expect(page).toContain('data-state="broken"');
    expect(textOf(page)).toContain(`Broken at seq ${seq}`);
    expect(textOf(page)).toContain("by chief.admin");

    const logs = captureLogs();
    try {
      // The worker's schedule comes round an hour and more later.
      await w.worker(new Date(Date.now() + 61 * 60_000));
    } finally {
      logs.stop();
    }
    const alert = logs.lines.find((l) => l.includes('"event":"audit.chain_broken"'));
    expect(alert).toBeDefined();
    expect(JSON.parse(alert!)).toMatchObject({
      level: "error",
      problem: "hash_mismatch",
      seq,
      trigger: "scheduled",
    });
    page = await admin.auditPage();
    expect(page).toContain('data-state="broken"');
    expect(textOf(page)).toContain("on the schedule");

    const health = await ready(new Request("http://localhost/api/health/ready"));
    expect(((await health.json()) as { audit: unknown }).audit).toMatchObject({
      chain: "broken",
      problem: "hash_mismatch",
      lastVerifiedAt: expect.any(String),
    });
  });
});
