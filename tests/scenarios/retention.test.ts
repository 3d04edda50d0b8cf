/**
 * Scenarios: the retention policy applied by the worker with an injected clock, on cases made
 * through the real flows. A decided case is kept until RETENTION_CASE_YEARS after the broker's
 * CRM said the relationship ended and erased from that moment on (tombstone, chain verifies, a
 * backup copy of its rows no longer opens); a legal hold blocks every rule until lifted; an
 * abandoned draft goes after RETENTION_DRAFT_DAYS; replaced documents go after the case's last decision,
 * an expired approval's too.
 * The relationship-end API refuses a bad key and malformed bodies. Periods per outcome and trigger
 * (RETENTION_CASE_YEARS_BY) each hold to the day.
 */
import "./support/request-scope";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { POST as relationshipEnd } from "@/app/api/crm/traders/[id]/relationship-end/route";
import { POST as upgradeApi } from "@/app/api/crm/traders/[id]/upgrade/route";
import { caseCipher } from "@/lib/security/case-keys";
import { purgeCase } from "@/lib/retention/purge";
import { documentKey } from "@/lib/storage";
import { PERSONAL } from "../fixtures/kyc-values";
import { adminUrl } from "../helpers/db-target";
import { textOf } from "../helpers/render-page";
import { sqlRows } from "../helpers/sql-rows";
import { blockStorageDelete, holdCaseOpening, whileCaseHeld } from "./support/faults";
import {
  approvedAtStandard,
  freshPhoto,
  postToStorage,
  signedInStaff,
  Trader,
  type StartedUpload,
} from "./support/people";
import { complianceNoticeLevels } from "./support/levels";
import { BROKER, scenarioWorld, setClock, type World } from "./support/world";

const CRM_KEY = "crm-api-key-for-the-retention-scenarios-0123";
const world = scenarioWorld({ CRM_API_KEY: CRM_KEY });
const DAY = 86_400_000;

function crm(
  userId: number | string,
  body: unknown,
  init: { key?: string | null; contentType?: string } = {},
) {
  const headers = new Headers({ "content-type": init.contentType ?? "application/json" });
  if (init.key !== null) headers.set("authorization", `Bearer ${init.key ?? CRM_KEY}`);
  return relationshipEnd(
    new Request(`${BROKER}/api/crm/traders/${userId}/relationship-end`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    { params: Promise.resolve({ id: String(userId) }) },
  );
}

/** The case's retention audit actions, in order. */
async function retentionActions(w: World, caseId: string): Promise<string[]> {
  const rows = await sqlRows<{ action: string }>(
    w.db.db,
    sql`select action from audit_events where case_id = ${caseId} and action like 'retention.%' order by seq`,
  );
  return rows.map((r) => r.action);
}

async function rowsOf(w: World, caseId: string) {
  const db = w.db.db;
  return {
    drafts: await sqlRows<{ payload: string }>(
      db,
      sql`select payload from case_drafts where case_id = ${caseId}`,
    ),
    submissions: await sqlRows<{ payload: string }>(
      db,
      sql`select payload from case_submissions where case_id = ${caseId}`,
    ),
    documents: await sqlRows<{ id: string; storage_key: string; replaced_at: string | null }>(
      db,
      sql`select id, storage_key, replaced_at from documents where case_id = ${caseId}`,
    ),
    logins: await sqlRows<{ login: string }>(
      db,
      sql`select login::text from case_account_logins where case_id = ${caseId}`,
    ),
  };
}

const objectPath = (w: World, key: string) => path.join(w.dataDir, "documents", key);

async function approvedCase(w: World, userId: number, surname: string) {
  const trader = new Trader(w, userId);
  const reviewer = await signedInStaff(w, `reviewer.${userId}@broker.example`, "reviewer");
  const kycCase = await approvedAtStandard(w, trader, reviewer, { surnames: surname });
  return { trader, kycCase };
}

describe("scenario: a decided case is erased RETENTION_CASE_YEARS after the relationship ended", () => {
  it("keeps it a day before, erases it at the boundary, and the audit chain still verifies", async () => {
    const w = world();
    const { trader, kycCase } = await approvedCase(w, 470_001, "Valdemarsson");
    const endedAt = new Date(Date.now() - 3_600_000);
    const answer = await crm(trader.userId, { endedAt: endedAt.toISOString() });
    expect(answer.status).toBe(200);
    const erasableFrom = new Date(((await answer.json()) as { erasableFrom: string }).erasableFrom);
    expect(erasableFrom.getUTCFullYear()).toBe(endedAt.getUTCFullYear() + 5);

    const admin = await signedInStaff(w, "retention.admin@broker.example", "admin");
    expect(await admin.casePage(kycCase.id)).toContain(
      `data-testid="erasure-due">${erasableFrom.toISOString().slice(0, 10)}`,
    );

    // A backup taken now: the case's rows as stored.
    const backup = await rowsOf(w, kycCase.id);
    expect(backup.documents.length).toBeGreaterThanOrEqual(2);
    // The approval set the trading account's rights: its login is listed with the case.
    expect(backup.logins.map((l) => l.login)).toEqual([String(trader.tradingLogin)]);
    expect((await caseCipher(kycCase.id)).decrypt(backup.submissions[0]!.payload)).toContain(
      "Valdemarsson",
    );

    // The worker's clock runs years ahead: the sessions it sweeps as expired include the admin's.
    await w.worker(new Date(erasableFrom.getTime() - DAY));
    await admin.signIn();
    expect((await rowsOf(w, kycCase.id)).documents).toHaveLength(backup.documents.length);
    expect(textOf(await admin.casePage(kycCase.id))).toContain("Valdemarsson");

    await w.worker(erasableFrom);
    await admin.signIn();
    const after = await rowsOf(w, kycCase.id);
    expect(after.drafts).toHaveLength(0);
    expect(after.documents).toHaveLength(0);
    expect(after.submissions.every((s) => s.payload === "erased")).toBe(true);
    // The trading logins go with the case's account and the trader's own login.
    expect(after.logins).toHaveLength(0);
    expect(
      await sqlRows<{ account: string | null; trading_login: string | null }>(
        w.db.db,
        sql`select c.account, t.trading_login from kyc_cases c join traders t on t.id = c.trader_id
            where c.id = ${kycCase.id}`,
      ),
    ).toEqual([{ account: null, trading_login: null }]);
    for (const d of backup.documents) expect(existsSync(objectPath(w, d.storage_key))).toBe(false);
    // The backup copy no longer opens: the case key is destroyed.
    await expect(caseCipher(kycCase.id)).rejects.toThrow("erased");

    // What the console shows: the tombstone, and the case in the retention list.
    const page = await admin.casePage(kycCase.id);
    expect(page).toContain('data-testid="tombstone"');
    expect(textOf(page)).not.toContain("Valdemarsson");
    expect(textOf(page)).not.toContain(`trader${trader.userId}@example.com`);
    const list = await admin.retentionPage();
    expect(list).toContain(`data-case="${kycCase.id}" data-rule="relationship_ended"`);
    expect(await (await signedInStaff(w, "r2@broker.example", "reviewer")).retentionPage()).toMatch(
      /^redirect:/,
    );

    const audit = await sqlRows<{ action: string; data: Record<string, unknown> }>(
      w.db.db,
      sql`select action, data from audit_events where case_id = ${kycCase.id} and action like 'retention.%'`,
    );
    expect(audit.map((a) => a.action)).toEqual(["retention.purged"]);
    expect(JSON.stringify(audit[0]?.data)).not.toContain("Valdemarsson");

    const verify = await w.runCommand("scripts/audit-verify.ts");
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain("chain intact");
  });
});

describe("scenario: an upgraded case is erased", () => {
  it("shows its tombstone: the two rounds the page compares are erased with it, not an error", async () => {
    const w = world();
    const { trader, kycCase } = await approvedCase(w, 470_101, "Lindqvist");
    await trader.sendEnhancedUpgrade();
    await w.worker();
    const approver = await signedInStaff(w, "upgrade.approver@broker.example", "approver");
    const admin = await signedInStaff(w, "upgrade.admin@broker.example", "admin");
    if ((await approver.approve(kycCase.id)) === "awaiting_co_sign")
      expect(await admin.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const answer = await crm(trader.userId, {
      endedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(answer.status).toBe(200);
    const erasableFrom = new Date(((await answer.json()) as { erasableFrom: string }).erasableFrom);

    await w.worker(erasableFrom);
    await admin.signIn();
    expect((await rowsOf(w, kycCase.id)).submissions.map((s) => s.payload)).toEqual([
      "erased",
      "erased",
    ]);
    const page = await admin.casePage(kycCase.id);
    expect(page).toContain('data-testid="tombstone"');
    expect(textOf(page)).not.toContain("Lindqvist");
  });
});

describe("scenario: a legal hold blocks the purge until an admin lifts it", () => {
  it("keeps a held case past its date; lifting the hold lets the next run erase it", async () => {
    const w = world();
    const { kycCase } = await approvedCase(w, 470_002, "Holmgren");
    const admin = await signedInStaff(w, "hold.admin@broker.example", "admin");
    const reviewer = await signedInStaff(w, "hold.reviewer@broker.example", "reviewer");
    const ended = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    expect(await reviewer.relationshipEnd(kycCase.id, ended)).toBe("error:forbidden");
    expect(await admin.relationshipEnd(kycCase.id, ended)).toBe("relationship_ended");
    expect(await reviewer.legalHold(kycCase.id, "set", "litigation with the trader")).toBe(
      "error:forbidden",
    );
    expect(await admin.legalHold(kycCase.id, "set", "short")).toBe("error:reason_required");
    expect(await admin.legalHold(kycCase.id, "set", "regulator inquiry 2026-17")).toBe(
      "legal_hold_set",
    );
    expect(await admin.retentionPage()).toContain(`data-case="${kycCase.id}"`);

    const late = new Date(Date.now() + 6 * 366 * DAY);
    await w.worker(late);
    await admin.signIn();
    expect((await rowsOf(w, kycCase.id)).documents.length).toBeGreaterThan(0);
    expect(textOf(await admin.casePage(kycCase.id))).toContain("Holmgren");

    expect(await admin.legalHold(kycCase.id, "lift", "inquiry closed without findings")).toBe(
      "legal_hold_lifted",
    );
    await w.worker(late);
    await admin.signIn();
    expect((await rowsOf(w, kycCase.id)).documents).toHaveLength(0);
    expect(await admin.casePage(kycCase.id)).toContain('data-testid="tombstone"');
    expect(await admin.legalHold(kycCase.id, "set", "too late for a hold now")).toBe(
      "error:case_purged",
    );
    expect(await retentionActions(w, kycCase.id)).toEqual([
      "retention.legal_hold_set",
      "retention.legal_hold_lifted",
      "retention.purged",
    ]);
  });
});

describe("scenario: two admins change one case's legal hold", () => {
  it("refuses a 'Lift' written for a hold that another admin lifted and replaced since", async () => {
    const w = world();
    const { kycCase } = await approvedCase(w, 470_074, "Lindqvist");
    const adminA = await signedInStaff(w, "hold.a@broker.example", "admin");
    const adminB = await signedInStaff(w, "hold.b@broker.example", "admin");
    expect(await adminB.legalHold(kycCase.id, "set", "tax authority inquiry 2026-17")).toBe(
      "legal_hold_set",
    );
    // Admin A's page shows the tax inquiry's hold, with its "Lift" form.
    const readByA = await adminA.caseForm(kycCase.id, "legal-hold-submit");
    expect(readByA.hold).toBe("lift");
    // Meanwhile B lifts it and sets a new hold for litigation.
    expect(await adminB.legalHold(kycCase.id, "lift", "tax inquiry closed, no findings")).toBe(
      "legal_hold_lifted",
    );
    expect(await adminB.legalHold(kycCase.id, "set", "litigation hold: court order 4711")).toBe(
      "legal_hold_set",
    );
    expect(
      await adminA.legalHold(kycCase.id, "lift", "tax inquiry closed, no findings", readByA),
    ).toBe("error:changed");
    expect(textOf(await adminA.casePage(kycCase.id))).toContain("court order 4711");
    // A form from a page without a hold, or without the shown hold at all, lifts nothing either.
    expect(
      await adminA.legalHold(kycCase.id, "lift", "nothing was shown on this page", {
        caseId: kycCase.id,
        shownHold: "none",
      }),
    ).toBe("error:changed");
    expect(
      await adminA.legalHold(kycCase.id, "lift", "an old page without the field", {
        caseId: kycCase.id,
      }),
    ).toBe("error:changed");
    expect(await retentionActions(w, kycCase.id)).toEqual([
      "retention.legal_hold_set",
      "retention.legal_hold_lifted",
      "retention.legal_hold_set",
    ]);
  });

  it("refuses a 'Set' from a page that showed no hold once another admin set one", async () => {
    const w = world();
    const { kycCase } = await approvedCase(w, 470_075, "Sandvik");
    const adminA = await signedInStaff(w, "hold.c@broker.example", "admin");
    const adminB = await signedInStaff(w, "hold.d@broker.example", "admin");
    const readByA = await adminA.caseForm(kycCase.id, "legal-hold-submit");
    expect(readByA.hold).toBe("set");
    expect(await adminB.legalHold(kycCase.id, "set", "regulator inquiry 2026-40")).toBe(
      "legal_hold_set",
    );
    expect(await adminA.legalHold(kycCase.id, "set", "litigation with the trader", readByA)).toBe(
      "error:changed",
    );
    expect(textOf(await adminA.casePage(kycCase.id))).toContain("regulator inquiry 2026-40");
  });
});

describe("scenario: an erasure request asks first", () => {
  it("erases nothing on a bare click; the page's dialog sends the confirmation", async () => {
    const w = world();
    const trader = new Trader(w, 470_076);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ surnames: "Strayclick" });
    const draft = await trader.currentCase();
    const admin = await signedInStaff(w, "erasure.confirm@broker.example", "admin");
    const page = await admin.casePage(draft.id);
    expect(page).toContain('data-testid="erasure-submit-confirm"');
    expect(page).toContain('data-testid="erasure-submit-yes"');
    const before = (await rowsOf(w, draft.id)).drafts.length;
    expect(before).toBeGreaterThan(0);
    expect(await admin.erasureRequest(draft.id, false)).toBe("error:confirmation_required");
    expect((await rowsOf(w, draft.id)).drafts).toHaveLength(before);
    const recorded = await sqlRows<{ n: number }>(
      w.db.db,
      sql`select count(*)::int as n from erasure_requests`,
    );
    expect(recorded[0]!.n).toBe(0);
    expect(await admin.erasureRequest(draft.id)).toBe("erasure_executed");
    expect((await rowsOf(w, draft.id)).drafts).toHaveLength(0);
  });
});

describe("scenario: an abandoned draft and replaced documents", () => {
  it("erases a draft untouched for RETENTION_DRAFT_DAYS, not a day earlier", async () => {
    const w = world();
    const trader = new Trader(w, 470_003);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ surnames: "Forsberg" });
    const upload = await trader.upload("identity");
    expect(upload.status).toBe(200);
    const touched = new Date();
    const kycCase = await trader.currentCase();

    await w.worker(new Date(touched.getTime() + 89 * DAY));
    expect((await rowsOf(w, kycCase.id)).drafts.length).toBeGreaterThan(0);

    await w.worker(new Date(touched.getTime() + 90 * DAY));
    const after = await rowsOf(w, kycCase.id);
    expect(after.drafts).toHaveLength(0);
    expect(after.documents).toHaveLength(0);
    const admin = await signedInStaff(w, "drafts.admin@broker.example", "admin");
    // (signed in after the worker's run ahead, which sweeps sessions it sees as expired)
    expect(await admin.retentionPage()).toContain(
      `data-case="${kycCase.id}" data-rule="abandoned_draft"`,
    );
    // The trader starts afresh: a new, empty case.
    await trader.launch("kyc", { kycType: "standard" });
    const next = await trader.currentCase();
    expect(next.id).not.toBe(kycCase.id);
    expect(await trader.html("kyc", { step: "personal" })).not.toContain("Forsberg");
  });

  it("deletes a replaced document once the case is decided, and keeps the current one", async () => {
    const w = world();
    const trader = new Trader(w, 470_004);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    const first = await trader.upload("identity");
    expect(first.status).toBe(200);
    await trader.uploadStandardDocuments();
    const submitted = await trader.submit();
    expect(submitted).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const replaced = (await rowsOf(w, kycCase.id)).documents.filter((d) => d.replaced_at);
    expect(replaced.map((d) => d.id)).toEqual([first.documentId]);
    // Not decided yet: the replaced one stays.
    expect((await rowsOf(w, kycCase.id)).documents.some((d) => d.id === first.documentId)).toBe(
      true,
    );

    const reviewer = await signedInStaff(w, "superseded.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const after = await rowsOf(w, kycCase.id);
    expect(after.documents.some((d) => d.id === first.documentId)).toBe(false);
    expect(existsSync(objectPath(w, replaced[0]!.storage_key))).toBe(false);
    expect(after.documents.length).toBeGreaterThanOrEqual(2);
    for (const d of after.documents) expect(existsSync(objectPath(w, d.storage_key))).toBe(true);
  });

  it("keeps a document a submission sent, replaced in a later round: the evidence of that round", async () => {
    const w = world();
    const trader = new Trader(w, 470_009);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    const [round1] = await sqlRows<{ document_ids: string[] }>(
      w.db.db,
      sql`select document_ids from case_submissions where case_id = ${kycCase.id} and round = 1`,
    );
    await w.worker();
    const reviewer = await signedInStaff(w, "evidence.reviewer@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(
        kycCase.id,
        ["document:identity"],
        "Please show the photo page in full.",
      ),
    ).toBe("action_requested");
    await trader.launch("kyc");
    expect((await trader.upload("identity")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();

    // The round-1 identity document was replaced in round 2; round 1's decision saw it.
    const replaced = (await rowsOf(w, kycCase.id)).documents.filter((d) => d.replaced_at);
    expect(replaced).toHaveLength(1);
    expect(round1?.document_ids).toContain(replaced[0]!.id);
    await w.worker(new Date(Date.now() + 400 * DAY));
    expect((await rowsOf(w, kycCase.id)).documents.map((d) => d.id)).toContain(replaced[0]!.id);
    expect(existsSync(objectPath(w, replaced[0]!.storage_key))).toBe(true);
  });
});

describe("scenario: a refused upload keeps no bytes", () => {
  it("deletes the file at the refusal, refuses a replay of the form, and records the key emptied once the form expired", async () => {
    const w = world();
    const trader = new Trader(w, 470_006);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    const junk = Buffer.from("not a picture, whatever the browser says it is".repeat(40));
    const refused = await trader.upload("identity", "page", junk);
    const refusedAt = new Date();
    expect(refused).toMatchObject({ status: 415, body: { reason: "unsupported_type" } });
    const kycCase = await trader.currentCase();
    const key = documentKey(kycCase.id, refused.documentId!);
    expect(existsSync(objectPath(w, key))).toBe(false);
    expect((await rowsOf(w, kycCase.id)).documents).toEqual([]);

    // The signed form is still valid, but spent: the local route refuses a replay, so no bytes
    // wait at the key with no row naming them (on S3 the purge below deletes what a replay put
    // back: tests/scenarios/uploads.test.ts).
    expect((await postToStorage(refused.form!, junk, "image/jpeg")).status).toBe(409);
    expect(existsSync(objectPath(w, key))).toBe(false);

    const formExpired = refusedAt.getTime() + (300 + 60) * 1000;
    await w.worker(new Date(formExpired - 1000));
    expect(existsSync(objectPath(w, key))).toBe(false);
    await w.worker(new Date(formExpired));
    expect(existsSync(objectPath(w, key))).toBe(false);
    await w.worker(new Date(formExpired + DAY));

    const audit = await sqlRows<{ action: string; data: Record<string, unknown> }>(
      w.db.db,
      sql`select action, data from audit_events where case_id = ${kycCase.id}
          and action in ('document.refused', 'retention.document_deleted') order by seq`,
    );
    expect(audit).toEqual([
      {
        action: "document.refused",
        data: expect.objectContaining({
          documentId: refused.documentId,
          reason: refused.body.reason,
        }),
      },
      {
        action: "retention.document_deleted",
        data: expect.objectContaining({
          documentId: refused.documentId,
          refused: refused.body.reason,
        }),
      },
    ]);
    const admin = await signedInStaff(w, "refused.admin@broker.example", "admin");
    expect(await admin.retentionPage()).toContain(
      `data-deleted="document" data-document="${refused.documentId}"`,
    );
  });
});

describe("scenario: refusals in the audit trail that do not read", () => {
  it("are passed over or deleted by their id, once, and the purge still empties the key of a later refused upload", async () => {
    const w = world();
    const trader = new Trader(w, 470_007);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    const kycCase = await trader.currentCase();
    // Fault injection: refusals of another shape (a hand edit, an older writer), listed first.
    const namedOnly = "12345678-1234-1234-1234-123456789abc";
    for (const data of [{ documentId: "not-an-id" }, { documentId: namedOnly }])
      await w.db.db.execute(
        sql`insert into audit_events (actor_type, actor_id, action, case_id, trader_id, occurred_at, data)
            values ('trader', ${kycCase.traderId}, 'document.refused', ${kycCase.id},
              ${kycCase.traderId}, now() - interval '1 hour', ${JSON.stringify(data)}::jsonb)`,
      );
    const junk = Buffer.from("still not a picture".repeat(40));
    const refused = await trader.upload("identity", "page", junk);
    expect(refused).toMatchObject({ status: 415 });
    const key = documentKey(kycCase.id, refused.documentId!);
    expect((await postToStorage(refused.form!, junk, "image/jpeg")).status).toBe(409);

    await w.worker(new Date(Date.now() + DAY));
    expect(existsSync(objectPath(w, key))).toBe(false);
    const deletions = () =>
      sqlRows<{ data: { documentId: string; refused?: string } }>(
        w.db.db,
        sql`select data from audit_events where case_id = ${kycCase.id}
            and action = 'retention.document_deleted' order by seq`,
      );
    const expected = [
      { data: expect.not.objectContaining({ refused: expect.anything() }) },
      {
        data: expect.objectContaining({
          documentId: refused.documentId,
          refused: "unsupported_type",
        }),
      },
    ];
    expect(await deletions()).toEqual(expected);
    expect((await deletions())[0]!.data.documentId).toBe(namedOnly);
    // Nothing is listed again: the next runs delete nothing more.
    await w.worker(new Date(Date.now() + 2 * DAY));
    expect(await deletions()).toEqual(expected);
  });
});

describe("the relationship-end API", () => {
  it("refuses a missing or wrong key, malformed bodies, bad ids and unknown traders", async () => {
    const w = world();
    const trader = new Trader(w, 470_005);
    await trader.launch("kyc", { kycType: "standard" });
    const past = new Date(Date.now() - DAY).toISOString();

    expect((await crm(trader.userId, { endedAt: past }, { key: null })).status).toBe(401);
    const wrong = await crm(trader.userId, { endedAt: past }, { key: "not-the-key" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    for (const body of ["{", "[]", {}, { endedAt: "yesterday" }, { endedAt: past, extra: 1 }])
      expect((await crm(trader.userId, body)).status).toBe(400);
    const future = new Date(Date.now() + DAY).toISOString();
    expect((await crm(trader.userId, { endedAt: future })).status).toBe(400);
    expect((await crm(trader.userId, past, { contentType: "text/plain" })).status).toBe(415);
    expect((await crm("0", { endedAt: past })).status).toBe(400);
    expect((await crm("abc", { endedAt: past })).status).toBe(400);
    expect((await crm(999_999_999, { endedAt: past })).status).toBe(404);
    const ok = await crm(trader.userId, { endedAt: past });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ endedAt: past });

    w.configure({ CRM_API_KEY: undefined });
    expect((await crm(trader.userId, { endedAt: past })).status).toBe(404);
    w.configure({ CRM_API_KEY: CRM_KEY });
  });

  it("refuses an end before the trader first came (a mistyped year), stores nothing, and the purge erases nothing", async () => {
    const w = world();
    const { trader, kycCase } = await approvedCase(w, 470_008, "Marchetti");
    const [{ created_at: created } = { created_at: "" }] = await sqlRows<{ created_at: string }>(
      w.db.db,
      sql`select created_at::text from traders where id = ${kycCase.traderId}`,
    );
    // The earliest end accepted: the UTC day before the trader's first launch.
    const floor = new Date(`${new Date(created).toISOString().slice(0, 10)}T00:00:00Z`);
    floor.setUTCDate(floor.getUTCDate() - 1);
    const typo = new Date();
    typo.setUTCFullYear(typo.getUTCFullYear() - 10);

    for (const endedAt of [typo, new Date(floor.getTime() - 1)]) {
      const refused = await crm(trader.userId, { endedAt: endedAt.toISOString() });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({
        code: "INVALID_PARAMETER",
        message:
          "endedAt: must not be before the trader's relationship began (their first launch, or their first case after an earlier end)",
      });
    }
    const admin = await signedInStaff(w, "typo.admin@broker.example", "admin");
    expect(await admin.casePage(kycCase.id)).toContain(
      '<dd data-testid="relationship-ended">—</dd>',
    );
    const audited = await sqlRows<{ n: number }>(
      w.db.db,
      sql`select count(*)::int as n from audit_events
          where action = 'retention.relationship_ended' and trader_id = ${kycCase.traderId}`,
    );
    expect(audited[0]!.n).toBe(0);

    // The housekeeping that follows keeps the approved case and the trader's access.
    await w.worker();
    expect(await trader.status()).toBe("approved");
    expect(await admin.casePage(kycCase.id)).not.toContain('data-testid="tombstone"');

    const ok = await crm(trader.userId, { endedAt: floor.toISOString() });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ endedAt: floor.toISOString() });
  });
});

/** Every stored row that names the case (any table with a case_id, and the case row), as text. */
async function storedTextOf(w: World, caseId: string): Promise<string[]> {
  const db = w.db.db;
  const tables = await sqlRows<{ table_name: string }>(
    db,
    sql`select table_name from information_schema.columns
        where table_schema = 'public' and column_name = 'case_id' order by table_name`,
  );
  const texts: string[] = [];
  for (const { table_name } of tables) {
    const rows = await sqlRows<{ row: string }>(
      db,
      sql`select to_jsonb(t)::text as row from ${sql.identifier(table_name)} t where t.case_id = ${caseId}`,
    );
    texts.push(...rows.map((r) => `${table_name}: ${r.row}`));
  }
  const own = await sqlRows<{ row: string }>(
    db,
    sql`select to_jsonb(t)::text as row from kyc_cases t where t.id = ${caseId}`,
  );
  return [...texts, ...own.map((r) => `kyc_cases: ${r.row}`)];
}

describe("scenario: an ended relationship erases open cases too", () => {
  it("erases an unfinished upgrade and a case waiting on the trader N years after the end, staff free text included", async () => {
    const w = world();
    const { trader: upgrader, kycCase: upgraded } = await approvedCase(w, 470_011, "Lindqvist");
    const opened = await upgradeApi(
      new Request(`${BROKER}/api/crm/traders/${upgrader.userId}/upgrade`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${CRM_KEY}` },
        body: JSON.stringify({ kycType: "enhanced" }),
      }),
      { params: Promise.resolve({ id: String(upgrader.userId) }) },
    );
    expect(opened.status).toBe(201);
    expect(await upgrader.status()).toBe("draft");

    const waiting = new Trader(w, 470_073);
    await waiting.completeStandardLevel({ surnames: "Quarnström" });
    const asked = await waiting.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "open.reviewer@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(
        asked.id,
        ["document:identity"],
        "Mr Quarnström, the photo page is cut off: please send it again.",
      ),
    ).toBe("action_requested");
    await w.worker();
    expect(await waiting.status()).toBe("action_required");
    expect((await storedTextOf(w, asked.id)).join("\n")).toContain("Quarnström");

    const endedAt = new Date(Date.now() - 3_600_000);
    let erasableFrom = new Date(0);
    for (const t of [upgrader, waiting]) {
      const answer = await crm(t.userId, { endedAt: endedAt.toISOString() });
      expect(answer.status).toBe(200);
      erasableFrom = new Date(((await answer.json()) as { erasableFrom: string }).erasableFrom);
    }
    // The erasure request's answer names the day the purge below acts on.
    const admin = await signedInStaff(w, "open.admin@broker.example", "admin");
    expect(await admin.erasureRequest(asked.id)).toBe("erasure_refused");
    const [request] = await sqlRows<{ reason: string; runs_at: string }>(
      w.db.db,
      sql`select reason, runs_at from erasure_requests where trader_id = ${asked.traderId}
        order by requested_at desc limit 1`,
    );
    expect(request?.reason).toBe("retention_not_over");
    expect(new Date(request!.runs_at).getTime()).toBe(erasableFrom.getTime());

    await w.worker(new Date(erasableFrom.getTime() - DAY));
    for (const c of [upgraded, asked])
      expect((await rowsOf(w, c.id)).documents.length).toBeGreaterThan(0);

    await w.worker(erasableFrom);
    const tombstones = await sqlRows<{
      case_id: string;
      tombstone: { outcome: string; statusAtErasure: string };
    }>(
      w.db.db,
      sql`select case_id, tombstone from case_retention where case_id in (${upgraded.id}, ${asked.id}) and purged_at is not null`,
    );
    // The upgrade left open erases an approval; a case never decided is what it was.
    expect(
      Object.fromEntries(
        tombstones.map((t) => [t.case_id, [t.tombstone.outcome, t.tombstone.statusAtErasure]]),
      ),
    ).toEqual({
      [upgraded.id]: ["approved", "draft"],
      [asked.id]: ["action_required", "action_required"],
    });
    for (const c of [upgraded, asked]) {
      expect((await rowsOf(w, c.id)).documents).toHaveLength(0);
      await expect(caseCipher(c.id)).rejects.toThrow("erased");
    }
    // The reviewer's message named the trader: no stored row of the case holds it any more.
    const stored = await storedTextOf(w, asked.id);
    expect(stored.filter((row) => row.includes("Quarnström"))).toEqual([]);
    expect(stored.some((row) => row.startsWith("case_decisions:"))).toBe(true);

    // Closed and out of the queue: nobody is asked to work on an erased case.
    await admin.signIn();
    const queue = await admin.queue({ status: "action_required" });
    expect(queue).not.toContain(asked.id);
    expect(await admin.casePage(asked.id)).toContain('data-testid="tombstone"');
    const audit = await sqlRows<{ case_id: string }>(
      w.db.db,
      sql`select case_id from audit_events where action = 'retention.purged' and case_id in (${upgraded.id}, ${asked.id})`,
    );
    expect(audit).toHaveLength(2);
    const verify = await w.runCommand("scripts/audit-verify.ts");
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain("chain intact");
  });
});

/** Every stored object of the case, whatever its key (sealed files and upload keys alike). */
const objectsOf = (w: World, caseId: string) => {
  const dir = path.join(w.dataDir, "documents", "cases", caseId);
  return existsSync(dir) ? readdirSync(dir) : [];
};

/** The local driver's spent markers of the case's upload keys (`.spent/<case id>.<document id>`). */
const spentMarkersOf = (w: World, caseId: string) => {
  const dir = path.join(w.dataDir, "documents", ".spent");
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith(`${caseId}.`)) : [];
};

describe("scenario: an erasure removes the local driver's spent markers with the files", () => {
  it("leaves no marker naming the erased case or its documents", async () => {
    const w = world();
    const trader = new Trader(w, 470_085);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ surnames: "Spentmarks" });
    const uploaded = await trader.upload("identity");
    expect(uploaded.status).toBe(200);
    const kycCase = await trader.currentCase();
    // The confirm emptied the upload key and marked it spent: a replay of its form is refused.
    expect(spentMarkersOf(w, kycCase.id)).toEqual([`${kycCase.id}.${uploaded.documentId}`]);
    try {
      // An hour on: the upload's form has long expired, so the request is executed.
      setClock(Date.now() + 60 * 60_000);
      const admin = await signedInStaff(w, "spent.admin@broker.example", "admin");
      expect(await admin.erasureRequest(kycCase.id)).toBe("erasure_executed");
      expect(objectsOf(w, kycCase.id)).toEqual([]);
      expect(spentMarkersOf(w, kycCase.id)).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("scenario: an erasure asked while the trader uploads", () => {
  it("is refused while the signed form may still land a file; the file is the case's, and goes with it", async () => {
    const w = world();
    const trader = new Trader(w, 470_081);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ surnames: "Midupload" });
    const kycCase = await trader.currentCase();
    const photo = await freshPhoto();
    const started = await trader.beginUpload("identity", "page", photo.length);
    expect(started.status).toBe(201);
    const form = started.body as StartedUpload;

    // Erased now, the browser's POST would land in clear at a key no row names.
    const admin = await signedInStaff(w, "upload.admin@broker.example", "admin");
    expect(await admin.erasureRequest(kycCase.id)).toBe("erasure_refused");
    const [request] = await sqlRows<{ reason: string; runs_at: string | null }>(
      w.db.db,
      sql`select reason, runs_at from erasure_requests where trader_id = ${kycCase.traderId}
        order by requested_at desc limit 1`,
    );
    expect(request).toEqual({ reason: "upload_in_progress", runs_at: null });
    const page = await admin.casePage(kycCase.id);
    expect(page).toContain('data-reason="upload_in_progress"');
    expect(textOf(page)).toContain("a file upload is under way");

    expect((await postToStorage(form, photo, "image/jpeg")).status).toBeLessThan(300);
    expect(await trader.confirm(form.documentId)).toEqual({
      status: 200,
      body: { documentId: form.documentId, state: "accepted" },
    });
    expect(objectsOf(w, kycCase.id)).toContainEqual(
      expect.stringMatching(new RegExp(`^${form.documentId}\\.verified-[0-9a-f]+$`)),
    );

    // The draft goes by its own rule later: with every object it had.
    await w.worker(new Date(Date.now() + 91 * DAY));
    const [purged] = await sqlRows<{ purge_rule: string }>(
      w.db.db,
      sql`select purge_rule from case_retention where case_id = ${kycCase.id} and purged_at is not null`,
    );
    expect(purged?.purge_rule).toBe("abandoned_draft");
    expect(objectsOf(w, kycCase.id)).toEqual([]);
  });
});

describe("scenario: an erasure request decided on a draft the trader submits meanwhile", () => {
  it("keeps the submission: the purge erases only the round the request read", async () => {
    const w = world();
    const trader = new Trader(w, 470_083);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ surnames: "Sentmeanwhile" });
    const draft = await trader.currentCase();
    expect(draft.round).toBe(0);
    // The admin's request reads the draft (nothing submitted: erasable at once); before its purge
    // takes the case's lock the trader sends the case. The purge the request then runs carries
    // the round it read: one step inside requestErasure, called as it calls it.
    await trader.uploadStandardDocuments();
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const hourLater = new Date(Date.now() + 60 * 60_000);
    const cut = { endedBefore: new Date(0), rules: [] };
    expect(
      // An hour on: the upload forms have expired, so only the round can keep the case.
      await purgeCase(draft.id, { rule: "erasure_request", round: draft.round, cut }, hourLater, {
        type: "staff",
        id: "admin",
      }),
    ).toBe(false);
    expect(await trader.currentCase()).toMatchObject({ id: draft.id, round: 1 });
    expect(await trader.status()).toBe("submitted");
    // A request read now (round 1, nothing decided) is refused: the submission is kept.
    const admin = await signedInStaff(w, "meanwhile.admin@broker.example", "admin");
    expect(await admin.erasureRequest(draft.id)).toBe("erasure_refused");
    expect(await admin.casePage(draft.id)).not.toContain('data-testid="tombstone"');
  });
});

describe("scenario: the trader saves and uploads while an erasure request erases the case", () => {
  // A second connection holds the case, so the erasure's purge waits for its lock first and the
  // trader's save and upload start queue behind it: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "refuses the save and the upload that waited for the erasure, says the details were erased, and the trader starts again",
    async () => {
      const w = world();
      const trader = new Trader(w, 470_096);
      await trader.launch("kyc", { kycType: "standard" });
      await trader.fillStandardForms({ surnames: "Waitedlate" });
      const kycCase = await trader.currentCase();
      const admin = await signedInStaff(w, "waited.admin@broker.example", "admin");
      const photo = await freshPhoto();

      let saved: ReturnType<Trader["continue"]> | undefined;
      let started: ReturnType<Trader["beginUpload"]> | undefined;
      const answer = await whileCaseHeld(w, kycCase.id, 1, () => admin.erasureRequest(kycCase.id), {
        meanwhile: async (untilWaiting) => {
          saved = trader.continue("personal", { ...PERSONAL, surnames: "Waitedlater" });
          started = trader.beginUpload("identity", "page", photo.length);
          await untilWaiting(3, Promise.all([saved, started]));
        },
      });
      expect(answer).toBe("erasure_executed");
      expect(await saved).toMatchObject({
        value: {
          status: "failed",
          message: expect.stringContaining("Your earlier details were erased"),
        },
      });
      expect(await started).toEqual({
        status: 410,
        body: expect.objectContaining({ reason: "case_erased" }),
      });
      // Nothing of either landed on the erased case.
      const rows = await rowsOf(w, kycCase.id);
      expect(rows.drafts).toEqual([]);
      expect(rows.documents).toEqual([]);
      expect(objectsOf(w, kycCase.id)).toEqual([]);

      // Opened again from the trading app: a new, empty verification.
      await trader.launch("kyc", { kycType: "standard" });
      const fresh = await trader.currentCase();
      expect(fresh.id).not.toBe(kycCase.id);
      expect(await trader.status()).toBe("draft");
    },
    400_000,
  );
});

describe("scenario: a legal hold set while the purge erases the case", () => {
  // A second connection holds the case's key row (as a key rotation would), so the purge has the
  // case locked and its hold check done, and waits further on in its erasure: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "answers that the case was erased instead of confirming a hold on a case that goes",
    async () => {
      const w = world();
      const { kycCase } = await approvedCase(w, 470_097, "Heldtoolate");
      const admin = await signedInStaff(w, "late.hold.admin@broker.example", "admin");
      // An earlier inquiry held the case and was closed: the case has its retention row.
      expect(await admin.legalHold(kycCase.id, "set", "regulator inquiry 2026-30")).toBe(
        "legal_hold_set",
      );
      expect(await admin.legalHold(kycCase.id, "lift", "inquiry 2026-30 closed")).toBe(
        "legal_hold_lifted",
      );
      const ended = new Date(Date.now() - DAY).toISOString().slice(0, 10);
      expect(await admin.relationshipEnd(kycCase.id, ended)).toBe("relationship_ended");

      let held: Promise<string> | undefined;
      await whileCaseHeld(w, kycCase.id, 1, () => w.worker(new Date(Date.now() + 6 * 366 * DAY)), {
        caseKey: true,
        meanwhile: async (untilWaiting) => {
          // The run's clock dropped the admin's session: they sign in again.
          await admin.signIn();
          held = admin.legalHold(kycCase.id, "set", "regulator inquiry 2026-31 opened");
          await untilWaiting(2, held);
        },
      });
      // The purge had checked the hold under the case's lock: the admin is told the case went,
      // never that a hold is set on a case the purge then erased.
      expect(await held).toBe("error:case_purged");
      expect(await admin.casePage(kycCase.id)).toContain('data-testid="tombstone"');
      expect(await retentionActions(w, kycCase.id)).toEqual([
        "retention.legal_hold_set",
        "retention.legal_hold_lifted",
        "retention.purged",
      ]);
    },
    400_000,
  );
});

describe("scenario: the CRM moves the relationship end while an erasure request erases", () => {
  // A second connection holds the case, so the CRM's new end waits for the case's lock, and the
  // request, which has read the old end, waits behind it with its purge: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "keeps the case the request read as past its period, once the new end makes it not",
    async () => {
      const w = world();
      const { trader, kycCase } = await approvedCase(w, 470_098, "Movedmeanwhile");
      const admin = await signedInStaff(w, "moved.admin@broker.example", "admin");
      const ended = new Date(Date.now() - DAY).toISOString().slice(0, 10);
      expect(await admin.relationshipEnd(kycCase.id, ended)).toBe("relationship_ended");
      try {
        // Six years on, the trader asks for erasure: past the 5 years of the end recorded.
        setClock(Date.now() + 6 * 366 * DAY);
        await admin.signIn();
        let answer: Promise<string> | undefined;
        // The CRM corrects the end: the relationship ended only now.
        const moved = await whileCaseHeld(
          w,
          kycCase.id,
          1,
          () => crm(trader.userId, { endedAt: new Date().toISOString() }),
          {
            meanwhile: async (untilWaiting) => {
              answer = admin.erasureRequest(kycCase.id);
              await untilWaiting(2, answer);
            },
          },
        );
        expect(moved.status).toBe(200);
        expect(await answer).toBe("erasure_refused");
        expect(await admin.casePage(kycCase.id)).not.toContain('data-testid="tombstone"');
        expect((await rowsOf(w, kycCase.id)).documents.length).toBeGreaterThan(0);
        expect(objectsOf(w, kycCase.id).length).toBeGreaterThan(0);
      } finally {
        jest.useRealTimers();
      }
    },
    400_000,
  );

  // A second connection holds the case's key row, so the purge has the case locked and checked
  // against the old end, and waits further on in its erasure: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "records the new end only after the erasure under the old one, never before it while it commits",
    async () => {
      const w = world();
      const { trader, kycCase } = await approvedCase(w, 470_099, "Movedtoolate");
      const admin = await signedInStaff(w, "toolate.admin@broker.example", "admin");
      // An earlier inquiry held the case and was closed: the case has its retention row.
      expect(await admin.legalHold(kycCase.id, "set", "regulator inquiry 2026-32")).toBe(
        "legal_hold_set",
      );
      expect(await admin.legalHold(kycCase.id, "lift", "inquiry 2026-32 closed")).toBe(
        "legal_hold_lifted",
      );
      const ended = new Date(Date.now() - DAY).toISOString().slice(0, 10);
      expect(await admin.relationshipEnd(kycCase.id, ended)).toBe("relationship_ended");

      try {
        // Six years on, the purge runs: past the 5 years of the end recorded.
        setClock(Date.now() + 6 * 366 * DAY);
        let moved: ReturnType<typeof crm> | undefined;
        await whileCaseHeld(w, kycCase.id, 1, () => w.worker(), {
          caseKey: true,
          meanwhile: async (untilWaiting) => {
            // The CRM says the relationship ended later than recorded: yesterday.
            moved = crm(trader.userId, { endedAt: new Date(Date.now() - DAY).toISOString() });
            await untilWaiting(2, moved);
          },
        });
        // The purge had checked the old end under the case's lock: the new end waited for it
        // and is recorded after the erasure, in the audit trail's order too.
        expect((await moved)!.status).toBe(200);
        await admin.signIn();
        expect(await admin.casePage(kycCase.id)).toContain('data-testid="tombstone"');
      } finally {
        jest.useRealTimers();
      }
      const actions = await sqlRows<{ action: string }>(
        w.db.db,
        sql`select action from audit_events
          where (case_id = ${kycCase.id} and action = 'retention.purged')
            or (trader_id = ${kycCase.traderId} and action = 'retention.relationship_ended')
          order by seq`,
      );
      expect(actions.map((a) => a.action)).toEqual([
        "retention.relationship_ended",
        "retention.purged",
        "retention.relationship_ended",
      ]);
    },
    400_000,
  );
});

describe("scenario: a case opens while the CRM records the relationship end", () => {
  // A second connection holds the trader's erased case (the end waits for its lock) while another
  // connection's open case holds up the trader's new launch at the one-open-case index: the new
  // case commits while the end waits. PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "dates the erasure by that case too: the end reads the trader's cases under its locks",
    async () => {
      const w = world();
      // The broker opens `notice` on a compliance notice, whose cases are kept 9 years.
      const levels = complianceNoticeLevels(w, "notice");
      w.configure({ KYC_LEVELS_PATH: levels, RETENTION_CASE_YEARS_BY: "compliance_notice=9" });
      try {
        const trader = new Trader(w, 470_088);
        await trader.launch("kyc", { kycType: "standard" });
        const first = await trader.currentCase();
        const admin = await signedInStaff(w, "opening.admin@broker.example", "admin");
        expect(await admin.erasureRequest(first.id)).toBe("erasure_executed");

        // The trader opens the app on the compliance notice: the new case's opening is on its way.
        const opening = await holdCaseOpening(w, first.traderId);
        let launchDone = false;
        const launched = trader.launch("kyc", { kycType: "notice" }).finally(() => {
          launchDone = true;
        });
        await opening.waiting(1, () => launchDone);
        const endedAt = new Date(Date.now() - 3_600_000);
        const answer = await whileCaseHeld(
          w,
          first.id,
          1,
          () => crm(trader.userId, { endedAt: endedAt.toISOString() }),
          {
            meanwhile: async () => {
              await opening.release();
              await launched;
            },
          },
        );
        const opened = await trader.currentCase();
        expect(opened.id).not.toBe(first.id);
        expect(opened.trigger).toBe("compliance_notice");
        expect(answer.status).toBe(200);
        const { erasableFrom } = (await answer.json()) as { erasableFrom: string };
        // Opened before the end was recorded, the case is the ended relationship's: its 9 years.
        expect(new Date(erasableFrom).getUTCFullYear()).toBe(endedAt.getUTCFullYear() + 9);
        const [audited] = await sqlRows<{ erasable_from: string }>(
          w.db.db,
          sql`select data->>'erasableFrom' as erasable_from from audit_events
            where trader_id = ${first.traderId} and action = 'retention.relationship_ended'`,
        );
        expect(audited?.erasable_from).toBe(erasableFrom);
      } finally {
        w.configure({});
      }
    },
    400_000,
  );
});

describe("scenario: an erasure request the storage cannot carry out", () => {
  it("records the request as failed, with nothing of the case erased, and executes it when asked again", async () => {
    const w = world();
    const trader = new Trader(w, 470_100);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ surnames: "Stuckfile" });
    expect((await trader.upload("identity")).status).toBe(200);
    const kycCase = await trader.currentCase();
    const [document] = (await rowsOf(w, kycCase.id)).documents;
    // The storage cannot delete the upload: a directory stands at its key.
    const unblock = blockStorageDelete(w, document!.storage_key);
    try {
      // An hour on: the upload's form has expired, so nothing but the storage stands in the way.
      setClock(Date.now() + 60 * 60_000);
      const admin = await signedInStaff(w, "stuck.admin@broker.example", "admin");
      expect(await admin.erasureRequest(kycCase.id)).toBe("erasure_failed");
      const requests = () =>
        sqlRows<{ outcome: string; reason: string | null }>(
          w.db.db,
          sql`select outcome, reason from erasure_requests where trader_id = ${kycCase.traderId}`,
        );
      expect(await requests()).toEqual([{ outcome: "failed", reason: null }]);
      const page = await admin.casePage(kycCase.id);
      expect(page).toContain('data-outcome="failed"');
      expect(textOf(page)).toContain("failed — an error stopped the erasure");
      expect(page).not.toContain('data-testid="tombstone"');
      expect((await rowsOf(w, kycCase.id)).drafts.length).toBeGreaterThan(0);

      // The storage works again: the request recorded anew is executed.
      unblock();
      expect(await admin.erasureRequest(kycCase.id)).toBe("erasure_executed");
      // Both stay, the failure too (the clock stands still: compared without their order).
      expect(await requests()).toHaveLength(2);
      expect(await requests()).toEqual(
        expect.arrayContaining([
          { outcome: "failed", reason: null },
          { outcome: "executed", reason: null },
        ]),
      );
      expect(await admin.casePage(kycCase.id)).toContain('data-testid="tombstone"');
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("scenario: an erasure request the storage stops part-way", () => {
  it("records it as failed with the files it had deleted, never as refused, and executes it when asked again", async () => {
    const w = world();
    const trader = new Trader(w, 470_101);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ surnames: "Halfgone" });
    const uploaded = await trader.upload("identity");
    expect(uploaded.status).toBe(200);
    const kycCase = await trader.currentCase();
    const [document] = (await rowsOf(w, kycCase.id)).documents;
    // The storage deletes the sealed file, then fails on the next one: a directory stands at the
    // upload key (which the confirm had emptied).
    const unblock = blockStorageDelete(w, documentKey(kycCase.id, uploaded.documentId!));
    try {
      setClock(Date.now() + 60 * 60_000);
      const admin = await signedInStaff(w, "halfgone.admin@broker.example", "admin");
      expect(await admin.erasureRequest(kycCase.id)).toBe("erasure_failed");
      expect(
        await sqlRows<{ outcome: string; reason: string | null }>(
          w.db.db,
          sql`select outcome, reason from erasure_requests where trader_id = ${kycCase.traderId}`,
        ),
      ).toEqual([{ outcome: "failed", reason: null }]);
      // The rows stay (rolled back), but the sealed file is gone: the record says so.
      expect((await rowsOf(w, kycCase.id)).documents).toHaveLength(1);
      expect(existsSync(objectPath(w, document!.storage_key))).toBe(false);
      const [audited] = await sqlRows<{ data: Record<string, unknown> }>(
        w.db.db,
        sql`select data from audit_events
          where case_id = ${kycCase.id} and action = 'retention.erasure_requested'`,
      );
      expect(audited?.data).toEqual({ outcome: "failed", erased: 0, objectsDeleted: 1 });

      unblock();
      expect(await admin.erasureRequest(kycCase.id)).toBe("erasure_executed");
      expect(await admin.casePage(kycCase.id)).toContain('data-testid="tombstone"');
      expect(objectsOf(w, kycCase.id)).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("scenario: ended relationships that change while the purge works through its list", () => {
  // A second connection holds the uploader's case as an insert referencing it would, so the
  // purge has read its list and waits for that case's lock while the others act (its own trader
  // uploading included): PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "erases a file uploaded after the listing with its case, and keeps a case whose end the CRM moved",
    async () => {
      const w = world();
      const uploader = new Trader(w, 470_092);
      await uploader.completeStandardLevel({ surnames: "Lateupload" });
      const uploaderCase = await uploader.currentCase();
      const moved = new Trader(w, 470_093);
      await moved.completeStandardLevel({ surnames: "Movedend" });
      const movedCase = await moved.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "late.reviewer@broker.example", "reviewer");
      expect(
        await reviewer.requestInformation(
          uploaderCase.id,
          ["document:identity"],
          "The photo page is cut off: please send it again.",
        ),
      ).toBe("action_requested");
      await w.worker();

      const endedAt = new Date(Date.now() - 3_600_000);
      let erasableFrom = new Date(0);
      for (const t of [uploader, moved]) {
        const answer = await crm(t.userId, { endedAt: endedAt.toISOString() });
        expect(answer.status).toBe(200);
        erasableFrom = new Date(((await answer.json()) as { erasableFrom: string }).erasableFrom);
      }

      let lateId = "";
      await whileCaseHeld(w, uploaderCase.id, 1, () => w.worker(erasableFrom), {
        keyShare: true,
        meanwhile: async () => {
          // The session has gone with the run's clock: the trader opens the screen again.
          await uploader.launch("kyc", { kycType: "standard" });
          const late = await uploader.upload("identity");
          expect(late.status).toBe(200);
          lateId = late.documentId!;
          // The CRM says the relationship ended later than it first said (just now).
          expect((await crm(moved.userId, { endedAt: new Date().toISOString() })).status).toBe(200);
        },
      });
      const tombstones = await sqlRows<{ case_id: string; documents: { id: string }[] }>(
        w.db.db,
        sql`select case_id, tombstone->'documents' as documents from case_retention
          where purged_at is not null and case_id in (${uploaderCase.id}, ${movedCase.id})`,
      );
      expect(tombstones.map((t) => t.case_id)).toEqual([uploaderCase.id]);
      // The upload confirmed after the listing is in the tombstone, and none of its objects stay.
      const uploaded = tombstones.find((t) => t.case_id === uploaderCase.id)!;
      expect(uploaded.documents.map((d) => d.id)).toContain(lateId);
      expect(objectsOf(w, uploaderCase.id)).toEqual([]);
      expect((await rowsOf(w, uploaderCase.id)).documents).toHaveLength(0);
      // Listed under the first end, kept under the one the CRM recorded before the purge got there.
      expect((await rowsOf(w, movedCase.id)).documents.length).toBeGreaterThan(0);
      expect(objectsOf(w, movedCase.id).length).toBeGreaterThan(0);
    },
    400_000,
  );
});

describe("scenario: /admin/retention lists what the purge deleted besides whole cases", () => {
  it("lists a replaced document and an erased case's outbox events that settled later, each audited", async () => {
    const w = world();
    const trader = new Trader(w, 470_021);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ surnames: "Ekdahl" });
    const first = await trader.upload("identity");
    expect(first.status).toBe(200);
    await trader.uploadStandardDocuments();
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();
    await w.worker();
    // The CRM is down from the approval on: its status event is still pending at the erasure.
    w.setDown({ crm: true });
    const reviewer = await signedInStaff(w, "deleted.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const admin = await signedInStaff(w, "deleted.admin@broker.example", "admin");
    const page = await admin.retentionPage();
    expect(page).toContain(`data-deleted="document" data-document="${first.documentId}"`);

    const answer = await crm(trader.userId, { endedAt: new Date(Date.now() - DAY).toISOString() });
    const erasableFrom = new Date(((await answer.json()) as { erasableFrom: string }).erasableFrom);
    await w.worker(erasableFrom);
    const pending = await sqlRows<{ n: number }>(
      w.db.db,
      sql`select count(*)::int as n from outbox_events where case_id = ${kycCase.id}`,
    );
    expect(pending[0]?.n).toBeGreaterThan(0);
    w.setDown({ crm: false });
    await w.worker(new Date(erasableFrom.getTime() + DAY));
    await w.worker(new Date(erasableFrom.getTime() + 2 * DAY));
    const left = await sqlRows<{ n: number }>(
      w.db.db,
      sql`select count(*)::int as n from outbox_events where case_id = ${kycCase.id}`,
    );
    expect(left[0]?.n).toBe(0);

    const audit = await sqlRows<{ action: string; data: Record<string, unknown> }>(
      w.db.db,
      sql`select action, data from audit_events where case_id = ${kycCase.id}
          and action in ('retention.document_deleted', 'retention.outbox_deleted') order by seq`,
    );
    expect(audit).toEqual([
      {
        action: "retention.document_deleted",
        data: expect.objectContaining({ documentId: first.documentId }),
      },
      { action: "retention.outbox_deleted", data: { events: pending[0]!.n } },
    ]);
    await admin.signIn();
    const list = await admin.retentionPage();
    expect(list).toContain(`data-case="${kycCase.id}" data-deleted="outbox"`);
    expect(list).toContain(`data-deleted="document" data-document="${first.documentId}"`);
    expect(list).toContain(`data-case="${kycCase.id}" data-rule="relationship_ended"`);
  });
});

describe("scenario: periods per outcome and trigger (RETENTION_CASE_YEARS_BY)", () => {
  it("erases a rejected case and an approval opened on a compliance notice each at its own boundary", async () => {
    const w = world();
    // The broker's levels open the `standard` kycType on a compliance notice (the case's trigger).
    const levels = complianceNoticeLevels(w, "standard");
    const periods = {
      CRM_API_KEY: CRM_KEY,
      RETENTION_CASE_YEARS_BY: "rejected=7,approved/compliance_notice=10,compliance_notice=6",
    };
    w.configure(periods);
    try {
      const refused = new Trader(w, 470_041);
      await refused.completeStandardLevel({ surnames: "Rejektsson" });
      await w.worker();
      const rejected = await refused.currentCase();
      const reviewer = await signedInStaff(w, "periods.reviewer@broker.example", "reviewer");
      expect(await reviewer.reject(rejected.id, "underage")).toBe("rejected_final");
      w.configure({ ...periods, KYC_LEVELS_PATH: levels });
      // A passport valid past the ten years: an expired document would make the outcome `expired`.
      const noticed = new Trader(w, 470_042);
      await noticed.completeStandardLevel({ surnames: "Noticeberg" }, { expiryDate: "2045-01-31" });
      await w.worker();
      const notice = await noticed.currentCase();
      expect(await reviewer.approve(notice.id)).toBe("approved");
      await w.worker();
      expect(notice.trigger).toBe("compliance_notice");

      const endedAt = new Date(Date.now() - 3_600_000);
      const erasableFrom = async (userId: number) => {
        const answer = await crm(userId, { endedAt: endedAt.toISOString() });
        expect(answer.status).toBe(200);
        return new Date(((await answer.json()) as { erasableFrom: string }).erasableFrom);
      };
      const rejectedDue = await erasableFrom(refused.userId);
      const noticeDue = await erasableFrom(noticed.userId);
      expect(rejectedDue.getUTCFullYear()).toBe(endedAt.getUTCFullYear() + 7);
      expect(noticeDue.getUTCFullYear()).toBe(endedAt.getUTCFullYear() + 10);
      const admin = await signedInStaff(w, "periods.admin@broker.example", "admin");
      expect(await admin.casePage(notice.id)).toContain(
        `data-testid="erasure-due">${noticeDue.toISOString().slice(0, 10)}`,
      );

      const purged = async () =>
        (
          await sqlRows<{ case_id: string }>(
            w.db.db,
            sql`select case_id from case_retention where purged_at is not null
              and case_id in (${rejected.id}, ${notice.id})`,
          )
        ).map((r) => r.case_id);
      // The default (5 years) and the trigger's own 6 years pass: both are kept.
      await w.worker(new Date(rejectedDue.getTime() - DAY));
      expect(await purged()).toEqual([]);
      await w.worker(rejectedDue);
      expect(await purged()).toEqual([rejected.id]);
      await w.worker(new Date(noticeDue.getTime() - DAY));
      expect(await purged()).toEqual([rejected.id]);
      await w.worker(noticeDue);
      expect((await purged()).sort()).toEqual([rejected.id, notice.id].sort());
    } finally {
      w.configure({});
    }
  }, 400_000);
});

describe("scenario: an approval that expires keeps its outcome's period", () => {
  it("erases an approved case that expired meanwhile on the approval's period, the date the CRM was given", async () => {
    const periods = { CRM_API_KEY: CRM_KEY, RETENTION_CASE_YEARS_BY: "approved=7" };
    const w = world();
    w.configure(periods);
    try {
      // The passport runs out on 2031-05-01 (the scenario's identity): the case expires then.
      const { trader, kycCase } = await approvedCase(w, 470_051, "Utgångsson");
      // (The expiry sweep leaves a case of an ended relationship alone: it expires first.)
      await w.worker(new Date("2031-05-01T00:00:00Z"));
      const [row] = await sqlRows<{ status: string }>(
        w.db.db,
        sql`select status from kyc_cases where id = ${kycCase.id}`,
      );
      expect(row?.status).toBe("expired");

      const answer = await crm(trader.userId, {
        endedAt: new Date(Date.now() - 3_600_000).toISOString(),
      });
      expect(answer.status).toBe(200);
      const erasableFrom = new Date(
        ((await answer.json()) as { erasableFrom: string }).erasableFrom,
      );
      expect(erasableFrom.getUTCFullYear()).toBe(new Date().getUTCFullYear() + 7);

      // Keyed on the status, an expired case would fall to the default five years.
      await w.worker(new Date(erasableFrom.getTime() - DAY));
      expect((await rowsOf(w, kycCase.id)).documents.length).toBeGreaterThan(0);
      await w.worker(erasableFrom);
      expect((await rowsOf(w, kycCase.id)).documents).toHaveLength(0);
      // What a supervisor asks is what was decided: approved; the status the erasure found beside it.
      const [tomb] = await sqlRows<{ tombstone: { outcome: string; statusAtErasure: string } }>(
        w.db.db,
        sql`select tombstone from case_retention where case_id = ${kycCase.id}`,
      );
      expect(tomb?.tombstone.outcome).toBe("approved");
      expect(tomb?.tombstone.statusAtErasure).toBe("expired");
      const [purgedEvent] = await sqlRows<{ data: { outcome: string } }>(
        w.db.db,
        sql`select data from audit_events where action = 'retention.purged' and case_id = ${kycCase.id}`,
      );
      expect(purgedEvent?.data.outcome).toBe("approved");
      const verify = await w.runCommand("scripts/audit-verify.ts");
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain("chain intact");
    } finally {
      w.configure({});
    }
  }, 400_000);
});

describe("scenario: replaced documents follow the case's last decision", () => {
  it("deletes an expired approval's replaced upload RETENTION_SUPERSEDED_DAYS after the approval, not a day earlier", async () => {
    const w = world();
    w.configure({ CRM_API_KEY: CRM_KEY, RETENTION_SUPERSEDED_DAYS: "2000" });
    try {
      const trader = new Trader(w, 470_061);
      await trader.launch("kyc", { kycType: "standard" });
      await trader.fillStandardForms();
      const first = await trader.upload("identity");
      expect(first.status).toBe(200);
      await trader.uploadStandardDocuments();
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "expired.reviewer@broker.example", "reviewer");
      expect(await reviewer.approve(kycCase.id)).toBe("approved");
      const approvedAt = new Date();
      await w.worker();
      const stillThere = async () =>
        (await rowsOf(w, kycCase.id)).documents.some((d) => d.id === first.documentId);

      // The passport runs out on 2031-05-01 (the scenario's identity): the case expires then.
      await w.worker(new Date("2031-05-01T00:00:00Z"));
      const [row] = await sqlRows<{ status: string }>(
        w.db.db,
        sql`select status from kyc_cases where id = ${kycCase.id}`,
      );
      expect(row?.status).toBe("expired");
      expect(await stillThere()).toBe(true);

      await w.worker(new Date(approvedAt.getTime() + 1999 * DAY));
      expect(await stillThere()).toBe(true);
      // Keyed on the status, an expired case's replaced upload would stay until the case goes.
      await w.worker(new Date(approvedAt.getTime() + 2000 * DAY + 60_000));
      expect(await stillThere()).toBe(false);
      const current = (await rowsOf(w, kycCase.id)).documents;
      expect(current.length).toBeGreaterThanOrEqual(2);
      for (const d of current) expect(existsSync(objectPath(w, d.storage_key))).toBe(true);
    } finally {
      w.configure({});
    }
  }, 400_000);
});
