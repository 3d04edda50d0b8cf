/**
 * Scenarios of level upgrades and the launch's `account`: a trader approved at basic is asked
 * for enhanced (by a launch or by the broker's CRM), keeps what was approved, fills in only what
 * enhanced adds, and the upgrade is approved or declined while basic stays in force; a lower
 * `kycType` changes nothing; the broker's minimum level holds against the URL; the account the
 * trader launched from travels with the case to the CRM, the console and cTrader.
 */
import "./support/request-scope";
import { POST as relationshipEnd } from "@/app/api/crm/traders/[id]/relationship-end/route";
import { POST as upgradeApi } from "@/app/api/crm/traders/[id]/upgrade/route";
import { textOf } from "../helpers/render-page";
import { caseEvidenceSchema } from "@/lib/review/evidence";
import { documentKey, storage } from "@/lib/storage";
import { ENHANCED_OWN_STEPS, IDENTITY, PERSONAL } from "../fixtures/kyc-values";
import {
  freshPhoto,
  postToStorage,
  signedInStaff,
  Trader,
  type StartedUpload,
  type Staff,
} from "./support/people";
import { BROKER, scenarioWorld, type World } from "./support/world";

/** A move within Sweden: another address, which the bill approved earlier does not show. */
const MOVED = { addressLine1: "Kungsgatan 12", city: "Göteborg", postcode: "411 19" };

const CRM_KEY = "the-brokers-crm-api-key-0123456789abcdef";
const world = scenarioWorld({ CRM_API_KEY: CRM_KEY });

let documentNumber = 500_000;

/** What enhanced asks beyond basic, with valid answers. */
const ENHANCED_EXTRA: [string, Record<string, string | string[]>][] = [
  [
    "proof_of_address",
    {
      addressDocumentKind: "utility_bill",
      issueDate: new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10),
    },
  ],
  ...ENHANCED_OWN_STEPS,
];

/** Approves a case the way the console does, with a co-signature when four eyes apply. */
async function approve(first: Staff, second: Staff, caseId: string): Promise<void> {
  const outcome = await first.approve(caseId);
  if (outcome === "awaiting_co_sign") expect(await second.approve(caseId)).toBe("approved");
  else expect(outcome).toBe("approved");
}

/** A trader approved at basic: launch, the two basic steps, the identity photo, approval. */
async function approvedAtBasic(
  w: World,
  userId: number,
  staff: [Staff, Staff],
  query: Record<string, string> = {},
): Promise<Trader> {
  const trader = new Trader(w, userId);
  await trader.launch("kyc", { kycType: "basic", ...query });
  expect(await trader.continue("personal", PERSONAL)).toEqual({ redirect: "/inapp/kyc" });
  expect(
    await trader.continue("identity_document", {
      ...IDENTITY,
      documentNumber: `U${documentNumber++}`,
    }),
  ).toEqual({ redirect: "/inapp/kyc" });
  expect((await trader.upload("identity")).status).toBe(200);
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  await w.worker();
  await approve(...staff, (await trader.currentCase()).id);
  await w.worker();
  expect(await trader.status()).toBe("approved");
  return trader;
}

/** Fills in what enhanced adds beyond basic and sends it. */
async function completeEnhancedExtras(trader: Trader): Promise<void> {
  for (const [step, values] of ENHANCED_EXTRA)
    expect([step, await trader.continue(step, values)]).toEqual([step, { redirect: "/inapp/kyc" }]);
  expect((await trader.upload("address")).status).toBe(200);
  expect((await trader.upload("additional")).status).toBe(200);
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
}

async function staffPair(w: World, name: string): Promise<[Staff, Staff]> {
  return [
    await signedInStaff(w, `${name}.one@broker.example`, "approver"),
    await signedInStaff(w, `${name}.two@broker.example`, "approver"),
  ];
}

/** Polls `done` for up to 20 s. */
async function eventually(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 20_000; waited += 100)
    await new Promise((r) => setTimeout(r, 100));
}

const levelsOf = (w: World, caseId: string) =>
  w.crmEventsFor(caseId).map((e) => {
    const c = e.payload.case as { level: string; approvedLevel: string | null };
    return [e.event, e.status, c.level, c.approvedLevel];
  });

describe("scenario: a basic trader upgrades to enhanced from a launch", () => {
  it("keeps what was approved, asks only for what enhanced adds, and basic stays in force until the approval", async () => {
    const w = world();
    const staff = await staffPair(w, "upgrade");
    const trader = await approvedAtBasic(w, 610_001, staff);
    const kycCase = await trader.currentCase();

    // cTrader opens the screen for enhanced: the same case, back to the trader, at enhanced.
    await trader.launch("kyc", { kycType: "enhanced" });
    expect(await trader.status()).toBe("draft");
    const html = await trader.html("kyc", { view: "overview" });
    // What basic approved is kept as sent; only enhanced's own steps are asked for.
    for (const step of ["personal", "identity_document"])
      expect(html).toMatch(new RegExp(`data-step="${step}" data-done="true"(?! data-requested)`));
    for (const [step] of ENHANCED_EXTRA)
      expect(html).toMatch(
        new RegExp(`data-step="${step}"(?: data-done="true")? data-requested="true"`),
      );
    expect(textOf(html)).toContain("Kept as sent");
    // A kept step cannot be changed meanwhile.
    expect(await trader.continue("personal", { ...PERSONAL, givenNames: "Other" })).toMatchObject({
      value: { status: "failed" },
    });

    await completeEnhancedExtras(trader);
    await w.worker();
    // The reviewer sees an upgrade, with the level in force.
    const page = await staff[0].casePage(kycCase.id);
    expect(textOf(page)).toContain("upgrade from Basic, which stays in force");
    await approve(...staff, kycCase.id);
    await w.worker();

    expect(await trader.status()).toBe("approved");
    const after = await trader.currentCase();
    expect([after.id, after.level, after.approvedLevel]).toEqual([
      kycCase.id,
      "enhanced",
      "enhanced",
    ]);
    // The CRM heard the upgrade open with basic in force, and its approval.
    expect(levelsOf(w, kycCase.id)).toEqual([
      ["submit", "submitted", "basic", null],
      ["start_review", "in_review", "basic", null],
      ["approve", "approved", "basic", "basic"],
      ["upgrade", "draft", "enhanced", "basic"],
      ["submit", "submitted", "enhanced", "basic"],
      ["start_review", "in_review", "enhanced", "basic"],
      ["approve", "approved", "enhanced", "enhanced"],
    ]);
    // Basic's limits while the upgrade was open; enhanced's (no limit) once approved.
    const payloads = w.crmEventsFor(kycCase.id).map((e) => e.payload.limits);
    expect(payloads[3]).toMatchObject({ maxDepositPerMonth: 2_000 });
    expect(payloads[6]).toMatchObject({ maxDepositPerMonth: null });
    // cTrader never saw the trader lose access during the upgrade.
    expect(
      new Set(
        w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights),
      ),
    ).toEqual(new Set(["FULL_ACCESS"]));
  });
});

describe("scenario: an upgrade the reviewer declines", () => {
  it("returns the trader to the approved basic level", async () => {
    const w = world();
    const staff = await staffPair(w, "decline");
    const trader = await approvedAtBasic(w, 610_002, staff);
    const kycCase = await trader.currentCase();
    await trader.launch("kyc", { kycType: "enhanced" });
    await completeEnhancedExtras(trader);
    await w.worker();

    expect(await staff[0].reject(kycCase.id, "source_of_funds_unclear")).toBe("upgrade_declined");
    await w.worker();

    expect(await trader.status()).toBe("approved");
    const after = await trader.currentCase();
    expect([after.level, after.approvedLevel, after.closedAt]).toEqual(["basic", "basic", null]);
    // The CRM is told it was an upgrade that was refused (a refused renewal says `renewal`).
    expect(
      w
        .crmEventsFor(kycCase.id)
        .flatMap((e) => (e.event === "decline_upgrade" ? [e.payload.declined] : [])),
    ).toEqual(["upgrade"]);
    expect(levelsOf(w, kycCase.id).at(-1)).toEqual([
      "decline_upgrade",
      "approved",
      "basic",
      "basic",
    ]);
    expect(
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights),
    ).not.toContain("NO_TRADING");
    // The trader reads that the upgrade was refused, why, and that basic stands.
    const status = await trader.html("status");
    expect(status).toContain('data-testid="declined-change" data-kind="upgrade"');
    expect(textOf(status)).toContain("Your upgrade was not approved");
    expect(textOf(status)).toContain(
      "The Enhanced level was not approved. Your Basic verification stays in force",
    );
  });
});

/**
 * A trader approved at standard is upgraded to enhanced: the approved personal step and bill are
 * kept as sent; the upgrade's reviewer asks for the personal details again, the trader moves and
 * sends a new bill. Returns with the upgrade back in review.
 */
async function upgradeWithMove(w: World, userId: number, staff: [Staff, Staff]) {
  const trader = new Trader(w, userId);
  await trader.completeStandardLevel();
  await w.worker();
  const kycCase = await trader.currentCase();
  await approve(...staff, kycCase.id);
  await w.worker();

  await trader.launch("kyc", { kycType: "enhanced" });
  for (const [step, values] of ENHANCED_EXTRA.filter(([s]) => s !== "proof_of_address"))
    expect([step, await trader.continue(step, values)]).toEqual([step, { redirect: "/inapp/kyc" }]);
  expect((await trader.upload("additional")).status).toBe(200);
  expect(await trader.sides("address")).toEqual([
    expect.objectContaining({ side: "page", state: "accepted" }),
  ]);
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  await w.worker();

  expect(
    await staff[0].requestInformation(kycCase.id, ["step:personal"], "Please check your details."),
  ).toBe("action_requested");
  await trader.launch("kyc");
  expect(await trader.continue("personal", { ...PERSONAL, ...MOVED })).toEqual({
    redirect: "/inapp/kyc",
  });
  expect(await trader.sides("address")).toEqual([
    expect.objectContaining({ side: "page", state: "retake", reason: "address_changed" }),
  ]);
  expect(textOf(await trader.html("kyc"))).toContain("Your address changed");
  expect(await trader.submit()).toEqual({
    value: { status: "error", message: expect.stringContaining("still missing") },
  });
  expect((await trader.upload("address")).status).toBe(200);
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  await w.worker();
  return { trader, caseId: kycCase.id };
}

/** The console's "trader data" section: the answers the case stands on. */
async function consoleTraderData(staff: Staff, caseId: string): Promise<string> {
  const page = await staff.casePage(caseId);
  const section = page.slice(page.indexOf('data-testid="trader-data"'));
  return textOf(section.slice(0, section.indexOf("</section>")));
}

const evidenceOf = async (staff: Staff, caseId: string) =>
  caseEvidenceSchema.parse(await (await staff.exportEvidence(caseId)).json());

const addressLine = (answers: { data: unknown } | undefined) =>
  (answers?.data as { addressLine1?: string } | undefined)?.addressLine1;

describe("scenario: an upgrade carries the approved address over and the trader moves", () => {
  it("asks for a new bill, and the upgrade's approval makes the new address the case's", async () => {
    const w = world();
    const staff = await staffPair(w, "moved-upgrade");
    const { caseId } = await upgradeWithMove(w, 610_016, staff);
    // The reviewer of the upgrade reviews what the trader sent in it.
    expect(await consoleTraderData(staff[0], caseId)).toContain(MOVED.addressLine1);

    await approve(...staff, caseId);
    await w.worker();
    expect(await consoleTraderData(staff[0], caseId)).toContain(MOVED.addressLine1);
    const evidence = await evidenceOf(staff[0], caseId);
    expect(addressLine(evidence.currentAnswers.personal)).toBe(MOVED.addressLine1);
  }, 300_000);
});

describe("scenario: an upload on its way when the upgrade is declined", () => {
  it("is void: a new upgrade started while its form is still valid cannot confirm it", async () => {
    const w = world();
    const staff = await staffPair(w, "void-upload");
    const trader = await approvedAtBasic(w, 587_011, staff);
    const kycCase = await trader.currentCase();
    await trader.launch("kyc", { kycType: "enhanced" });
    // The trader chose a file for the upgrade; it reached storage, the confirm did not follow.
    const file = await freshPhoto();
    const started = await trader.beginUpload("additional", "page", file.length);
    expect(started.status).toBe(201);
    const form = started.body as StartedUpload;
    expect((await postToStorage(form, file, "image/jpeg")).status).toBeLessThan(300);
    // And one that is no photo at all: void too, whatever its checks would have said of it.
    const junk = Buffer.alloc(2048, 7);
    const junkStarted = await trader.beginUpload("additional", "page", junk.length);
    expect(junkStarted.status).toBe(201);
    const junkForm = junkStarted.body as StartedUpload;
    expect((await postToStorage(junkForm, junk, "image/jpeg")).status).toBeLessThan(300);

    expect(await staff[0].reject(kycCase.id, "source_of_funds_unclear")).toBe("upgrade_declined");
    // While no round is open, the confirm is refused as for any case not taking documents.
    expect((await trader.confirm(form.documentId)).status).toBe(409);

    // The broker asks for enhanced again within the form's lifetime: a new round, editable.
    await trader.launch("kyc", { kycType: "enhanced" });
    expect((await trader.currentCase()).status).toBe("draft");
    const late = await trader.confirm(form.documentId);
    expect(late).toMatchObject({ status: 409, body: { reason: "earlier_round" } });
    // Refused as void before any check (the trader is asked for the file again): not as a bad
    // file, which would count against the new round's file limit.
    expect(await trader.confirm(junkForm.documentId)).toMatchObject({
      status: 409,
      body: { reason: "earlier_round" },
    });
    // Refused like a file confirmed after a submit: deleted, and the refusal in the case's trail.
    expect(await storage().head(documentKey(kycCase.id, form.documentId))).toBeNull();
    const evidence = caseEvidenceSchema.parse(
      await (await staff[0].exportEvidence(kycCase.id)).json(),
    );
    expect(
      evidence.audit.rows.filter((r) => r.action === "document.refused").map((r) => r.data),
    ).toEqual([
      expect.objectContaining({ documentId: form.documentId, reason: "earlier_round" }),
      expect.objectContaining({ documentId: junkForm.documentId, reason: "earlier_round" }),
    ]);
    // The new round asks for the document afresh: the declined round's file is none of its own.
    expect(await trader.sides("additional")).toEqual([
      expect.objectContaining({ side: "page", state: "missing" }),
    ]);
    expect((await trader.upload("additional")).status).toBe(200);
  });
});

describe("scenario: a declined upgrade in which the trader moved", () => {
  it("leaves the approved answers and bill in force and keeps the declined rounds as history", async () => {
    const w = world();
    const staff = await staffPair(w, "moved-decline");
    const { trader, caseId } = await upgradeWithMove(w, 610_017, staff);

    expect(await staff[0].reject(caseId, "source_of_funds_unclear")).toBe("upgrade_declined");
    await w.worker();
    expect(await trader.status()).toBe("approved");

    // The approval at standard rests on the address and bill it saw, not on the declined ones.
    const data = await consoleTraderData(staff[0], caseId);
    expect(data).toContain(PERSONAL.addressLine1);
    expect(data).not.toContain(MOVED.addressLine1);
    const evidence = await evidenceOf(staff[0], caseId);
    expect(addressLine(evidence.currentAnswers.personal)).toBe(PERSONAL.addressLine1);
    const [approvedRound, ...declined] = evidence.rounds;
    const currentBills = evidence.documents
      .filter((d) => d.documentType === "address" && d.replacedAt === null)
      .map((d) => d.id);
    expect(currentBills).toHaveLength(1);
    expect(approvedRound?.documentIds).toContain(currentBills[0]);
    // The declined rounds stay for the reviewer: what was sent, with the new bill.
    expect(declined.map((r) => addressLine(r.answers.personal))).toEqual([
      PERSONAL.addressLine1,
      MOVED.addressLine1,
    ]);
    expect(
      evidence.documents.filter(
        (d) => d.documentType === "address" && declined.at(-1)?.documentIds.includes(d.id),
      ),
    ).toEqual([expect.objectContaining({ replacedAt: expect.any(String) })]);
    // The case page still shows what changed in the declined round.
    expect(textOf(await staff[0].casePage(caseId))).toContain(MOVED.addressLine1);

    // Asked again, the trader finds the approved answers kept, not the declined ones.
    await trader.launch("kyc", { kycType: "enhanced" });
    expect(await trader.html("kyc", { view: "overview" })).toMatch(
      /data-step="personal" data-done="true"(?! data-requested)/,
    );
    expect(await trader.sides("address")).toEqual([
      expect.objectContaining({ side: "page", state: "accepted" }),
    ]);
  }, 300_000);
});

describe("scenario: a lower kycType", () => {
  it("never lowers an approved level", async () => {
    const w = world();
    const staff = await staffPair(w, "lower");
    const trader = new Trader(w, 610_003);
    await trader.completeStandardLevel();
    await w.worker();
    const kycCase = await trader.currentCase();
    await approve(...staff, kycCase.id);
    await w.worker();
    const heard = w.crmEventsFor(kycCase.id).length;

    await trader.launch("kyc", { kycType: "basic" });
    expect(await trader.status()).toBe("approved");
    const after = await trader.currentCase();
    expect([after.level, after.approvedLevel]).toEqual(["standard", "standard"]);
    await w.worker();
    expect(w.crmEventsFor(kycCase.id)).toHaveLength(heard);
  });
});

describe("scenario: the broker's minimum level", () => {
  it("opens a new case at the minimum for its trigger, whatever the URL asks", async () => {
    const w = world();
    w.configure({ CRM_API_KEY: CRM_KEY, KYC_MINIMUM_LEVELS: "manual=standard" });
    try {
      const trader = new Trader(w, 610_004);
      await trader.launch("kyc", { kycType: "basic" });
      expect((await trader.currentCase()).level).toBe("standard");
      expect(await trader.html("kyc", { view: "overview" })).toContain(
        'data-step="proof_of_address"',
      );
    } finally {
      w.configure({ CRM_API_KEY: CRM_KEY, KYC_MINIMUM_LEVELS: undefined });
    }
  });
});

function crmCall(userId: string, body: unknown, key: string | null = CRM_KEY): Promise<Response> {
  return upgradeApi(
    new Request(`${BROKER}/api/crm/traders/${userId}/upgrade`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    { params: Promise.resolve({ id: userId }) },
  );
}

describe("scenario: the broker's CRM asks for an upgrade", () => {
  it("opens it with a good key, refuses a bad key and a malformed body with clear errors", async () => {
    const w = world();
    const staff = await staffPair(w, "crm");
    const trader = await approvedAtBasic(w, 610_005, staff);
    const kycCase = await trader.currentCase();

    const wrong = await crmCall("610005", { kycType: "enhanced" }, "not-the-key");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    expect((await crmCall("610005", { kycType: "enhanced" }, null)).status).toBe(401);

    const malformed = await crmCall("610005", "{not json");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ message: "body must be a JSON object" });
    const missing = await crmCall("610005", { level: "enhanced" });
    expect(missing.status).toBe(400);
    expect((await missing.json()).message).toMatch(/kycType|body/);
    const unknown = await crmCall("610005", { kycType: "platinum" });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).message).toBe('kycType: "platinum" names no KYC level');
    expect((await crmCall("abc", { kycType: "enhanced" })).status).toBe(400);
    expect((await crmCall("699999", { kycType: "enhanced" })).status).toBe(404);
    // Nothing changed through any of those.
    expect(await trader.status()).toBe("approved");

    const opened = await crmCall("610005", { kycType: "enhanced" });
    expect(opened.status).toBe(201);
    expect(await opened.json()).toEqual({
      outcome: "upgrade_opened",
      caseId: kycCase.id,
      status: "draft",
      level: "enhanced",
      approvedLevel: "basic",
    });
    // Asking again is answered, not repeated; asking for less keeps the level.
    expect(await (await crmCall("610005", { kycType: "enhanced" })).json()).toMatchObject({
      outcome: "upgrade_open",
    });
    expect(await (await crmCall("610005", { kycType: "basic" })).json()).toMatchObject({
      outcome: "level_kept",
      level: "enhanced",
    });
    // The trader finds the upgrade at the next launch, whatever kycType cTrader sends.
    await trader.launch("kyc");
    expect(await trader.html("kyc", { view: "overview" })).toContain('data-step="tax"');
    await w.worker();
    // Outside a request scope the route's first delivery attempt runs detached and may still
    // hold the delivery's lease when the worker looks (PGlite is slow enough to show it).
    await eventually(() => levelsOf(w, kycCase.id).at(-1)?.[0] === "upgrade");
    expect(levelsOf(w, kycCase.id).at(-1)).toEqual(["upgrade", "draft", "enhanced", "basic"]);
  });
});

describe("scenario: the account the trader opened the screen from", () => {
  it("travels with the case to the CRM, the console and cTrader's account update, when cTrader's redeem names it", async () => {
    const w = world();
    const staff = await staffPair(w, "account");
    const trader = new Trader(w, 610_006);
    // The trader opens the screen from their second account: cTrader's token names that login.
    w.setCtraderLogin(610_006, 4_400_123);
    await trader.launch("kyc", { kycType: "standard", account: "4400123" });
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    await trader.submit();
    await w.worker();
    const kycCase = await trader.currentCase();
    // Back on the first account (no `account` in the URL): the case keeps the one it was about.
    w.setCtraderLogin(610_006, trader.tradingLogin);
    await trader.launch("status");
    expect(textOf(await staff[0].casePage(kycCase.id))).toContain("Trading account 4400123");
    await approve(...staff, kycCase.id);
    await w.worker();
    const events = w.crmEventsFor(kycCase.id);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.payload.case).toMatchObject({ account: "4400123" });
    // The access rights went to the account the case is about, not the redeem's latest login.
    expect(w.accountUpdates.filter((u) => u.login === 4_400_123)).toEqual([
      { login: 4_400_123, accessRights: "FULL_ACCESS" },
    ]);
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([]);
  });

  it("is not taken from an edited launch URL: an account cTrader did not name changes nobody's rights", async () => {
    const w = world();
    const staff = await staffPair(w, "edited-account");
    const trader = new Trader(w, 610_007);
    // The launch URL names someone else's login; cTrader's redeem names the trader's own.
    await trader.launch("kyc", { kycType: "standard", account: "4400124" });
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    await trader.launch("kyc", { account: "4400124" });
    await trader.submit();
    await w.worker();
    const kycCase = await trader.currentCase();
    expect(kycCase.account).toBeNull();
    expect(textOf(await staff[0].casePage(kycCase.id))).toContain(
      "Trading account not named by cTrader",
    );
    await approve(...staff, kycCase.id);
    await w.worker();
    for (const e of w.crmEventsFor(kycCase.id))
      expect(e.payload.case).toMatchObject({ account: null });
    expect(w.accountUpdates.filter((u) => u.login === 4_400_124)).toEqual([]);
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([
      { login: trader.tradingLogin, accessRights: "FULL_ACCESS" },
    ]);
  });
});

describe("scenario: the relationship ends after a declined upgrade", () => {
  it("still tells the trader the upgrade was refused: the periodic review's closing is no move of the case", async () => {
    const w = world();
    const monthly = { LOW: "1", MEDIUM: "1", HIGH: "1" };
    w.configure(
      Object.fromEntries(
        Object.entries(monthly).map(([k, v]) => [`PERIODIC_REVIEW_MONTHS_${k}`, v]),
      ),
    );
    const trader = await approvedAtBasic(w, 610_018, await staffPair(w, "ended-decline"));
    const kycCase = await trader.currentCase();
    // A periodic review falls due (before the passport's expiry), and stays open.
    await w.worker(new Date(Date.now() + 40 * 86_400_000));
    // Forty days on, the officers sign in again.
    const staff = await staffPair(w, "ended-decline.later");
    expect(await staff[1].queue({ queue: "periodic" })).toContain(`data-case="${kycCase.id}"`);
    await trader.launch("kyc", { kycType: "enhanced" });
    await completeEnhancedExtras(trader);
    await w.worker();
    expect(await staff[0].reject(kycCase.id, "source_of_funds_unclear")).toBe("upgrade_declined");
    await w.worker();

    const response = await relationshipEnd(
      new Request(`${BROKER}/api/crm/traders/610018/relationship-end`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${CRM_KEY}` },
        body: JSON.stringify({ endedAt: new Date().toISOString() }),
      }),
      { params: Promise.resolve({ id: "610018" }) },
    );
    expect(response.status).toBe(200);
    expect(await staff[1].casePage(kycCase.id)).toContain('data-event="periodic_review_closed"');

    await trader.launch("status");
    const status = await trader.html("status");
    expect(status).toContain('data-testid="declined-change" data-kind="upgrade"');
    expect(textOf(status)).toContain("Your upgrade was not approved");
  }, 300_000);
});
