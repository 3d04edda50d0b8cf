/**
 * Scenario: a level Onfido verifies instead of our own identity upload (`local: false`; Onfido
 * stubbed at its API with msw). The overview sends the trader to Onfido's step once the forms
 * are done; the trader runs the capture and submits; Onfido posts its signed `check.completed`;
 * its "consider" reaches a reviewer as a warning with the check's report, and a person decides.
 */
import "./support/request-scope";
import { http, HttpResponse } from "msw";
import { PERSONAL } from "../fixtures/kyc-values";
import { ctraderServer } from "../helpers/ctrader-stub";
import {
  checkCompleted,
  ONFIDO_API,
  ONFIDO_SETTINGS,
  onfidoWebhook,
  stubOnfido,
} from "../helpers/onfido-stub";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import {
  getVendorVerification,
  recordVendorVerdict,
  recordVendorVerdictUnavailable,
} from "@/lib/db/queries/vendors";
import { signedInStaff, Trader } from "./support/people";
import {
  deliverTwice,
  openVendorReport,
  postVendorWebhook,
  STORED_ONCE,
  REPORT_OPENED,
  vendorCheckOn,
  verdictSeen,
} from "./support/vendors";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld({
  VENDOR_LEVELS: JSON.stringify({ basic: { vendor: "onfido", local: false } }),
  ...ONFIDO_SETTINGS,
  // On, as a broker with other levels would have it: a level Onfido verifies alone has no photo
  // of ours to read, so no MRZ check appears (it could only warn "no image").
  MRZ_CHECK: "1",
});

/** The passport the trader types for Onfido's level (each scenario its own number). */
const PASSPORT = { documentKind: "passport", issuingCountry: "SE", expiryDate: "2031-05-01" };

const VENDOR_SCREEN = 'href="/inapp/kyc/upload?documentType=identity"';

describe("scenario: a level verified by Onfido alone, from the cTrader launch to the reviewer's decision", () => {
  it("points the trader to Onfido's step, takes its signed consider as a warning a reviewer sees with its report, and a person approves", async () => {
    const w = world();
    const onfido = stubOnfido(ctraderServer);
    const trader = new Trader(w, 431_001);
    await trader.launch("kyc", { kycType: "basic" });
    await trader.continue("personal", PERSONAL);
    await trader.continue("identity_document", {
      documentKind: "passport",
      documentNumber: "ON1234567",
      issuingCountry: "SE",
      expiryDate: "2031-05-01",
    });

    // Every form is done and nothing of ours is to be uploaded: Onfido's step is what is next.
    const overview = await trader.html("kyc");
    expect(overview).toContain('data-step="vendor"');
    expect(overview).not.toMatch(/data-step="vendor" data-done/);
    const nextStep = /data-testid="next-step"[\s\S]*?<\/section>/.exec(overview)?.[0] ?? "";
    expect(nextStep).toContain(VENDOR_SCREEN);
    expect(overview).not.toContain('data-document="identity"');
    expect("redirect" in (await trader.submit())).toBe(false);
    expect(await trader.uploadScreen("identity")).toContain('data-vendor="onfido"');

    const started = await trader.startVendorStep();
    expect(started).toEqual({
      status: 201,
      body: { vendor: "onfido", token: "sdk.applicant-1", reference: "applicant-1" },
    });
    // The applicant carries the name the trader typed.
    expect(onfido.calls[0]).toMatchObject({
      method: "POST",
      path: "/v3.6/applicants",
      body: { first_name: PERSONAL.givenNames, last_name: PERSONAL.surnames },
    });
    expect(await trader.finishVendorStep()).toEqual({ status: 200, body: { status: "captured" } });
    expect(onfido.calls.at(-1)).toMatchObject({
      method: "POST",
      path: "/v3.6/checks",
      body: { applicant_id: "applicant-1", report_names: ["document", "facial_similarity_photo"] },
    });
    const after = await trader.html("kyc", { view: "overview" });
    expect(after).toMatch(/data-step="vendor" data-done="true"/);
    expect(after).not.toContain(VENDOR_SCREEN);

    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();
    await w.worker();
    expect(await trader.status()).toBe("in_review");
    const approver = await signedInStaff(w, "onfido.approver@broker.example", "approver");
    let page = await approver.casePage(kycCase.id);
    expect(vendorCheckOn(page).outcome).toBe("warn");
    expect(page).toContain("No verdict from onfido yet.");

    // Onfido's check: the document clear, the photo comparison to be considered.
    onfido.checkResult = "consider";
    onfido.reports = [
      {
        name: "document",
        status: "complete",
        result: "clear",
        completed_at_iso8601: "2026-12-02T10:06:00Z",
      },
      {
        name: "facial_similarity_photo",
        status: "complete",
        result: "consider",
        sub_result: "consider",
        completed_at_iso8601: "2026-12-02T10:06:00Z",
      },
    ];
    const completed = checkCompleted("check-1");
    // Another token's signature is refused before anything is read; a vendor no level names
    // is not there.
    expect(
      (await postVendorWebhook("onfido", onfidoWebhook(completed, "not-the-token"))).status,
    ).toBe(401);
    expect((await postVendorWebhook("onfido", onfidoWebhook("{not json"))).status).toBe(400);
    expect((await postVendorWebhook("sumsub", onfidoWebhook(completed))).status).toBe(404);
    // The real one, delivered twice (Onfido retries): stored once.
    expect(await deliverTwice("onfido", onfidoWebhook(completed))).toEqual(STORED_ONCE);

    // The worker runs the checks again with the verdict: a warning, the face match named.
    await w.worker();
    page = await approver.casePage(kycCase.id);
    expect(vendorCheckOn(page)).toEqual({
      outcome: "warn",
      vendorOutcome: "review",
      signals: expect.objectContaining({ documentAuthenticity: "clear", faceMatch: "consider" }),
      signalWords: expect.objectContaining({
        documentAuthenticity: "Clear",
        faceMatch: "Consider",
      }),
      reportLink: true,
    });
    expect(page).toContain("facial_similarity_photo:consider");
    expect(page).not.toContain('data-check="mrz_match"');
    expect(await trader.status()).toBe("in_review");

    // The reviewer opens Onfido's check report: fetched from Onfido, and the opening is audited.
    expect(await openVendorReport(approver, kycCase.id)).toEqual(REPORT_OPENED);
    expect(onfido.reportsServed).toBe(1);

    // A person looked at the photo comparison and decides.
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    expect(await trader.status()).toBe("approved");
  });

  it("asks for Onfido's capture again when a reviewer asks for the identity document again; the earlier verdict does not carry over", async () => {
    const w = world();
    stubOnfido(ctraderServer, { idPrefix: "again-" });
    const trader = new Trader(w, 431_002);
    await trader.launch("kyc", { kycType: "basic" });
    await trader.continue("personal", PERSONAL);
    await trader.continue("identity_document", {
      documentKind: "passport",
      documentNumber: "ON7654321",
      issuingCountry: "SE",
      expiryDate: "2031-05-01",
    });
    // In the draft as later: Onfido's capture is this level's identity document, not a photo of ours.
    expect(await trader.beginUpload("identity", "page", 40_000)).toEqual({
      status: 409,
      body: expect.objectContaining({ reason: "not_editable" }),
    });
    expect((await trader.startVendorStep()).body).toMatchObject({ reference: "again-applicant-1" });
    expect((await trader.finishVendorStep()).body).toEqual({ status: "captured" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();
    // Onfido clears the first capture.
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("again-check-1"))),
    ).toEqual(STORED_ONCE[0]);
    await w.worker();
    const reviewer = await signedInStaff(w, "onfido.again@broker.example", "reviewer");
    expect(vendorCheckOn(await reviewer.casePage(kycCase.id)).outcome).toBe("pass");

    // The reviewer wants the document captured again (say, the photo showed an old passport).
    expect(
      await reviewer.requestInformation(
        kycCase.id,
        ["document:identity"],
        "Please capture your current passport.",
      ),
    ).toBe("action_requested");
    await trader.launch("kyc");
    const overview = await trader.html("kyc", { view: "overview" });
    expect(overview).toContain('data-step="vendor"');
    expect(overview).not.toMatch(/data-step="vendor" data-done/);
    expect("redirect" in (await trader.submit())).toBe(false);
    // The request names the identity document, but on this level Onfido's capture is it: the
    // upload API takes no photo of ours for it, as the screen offers none.
    expect(await trader.uploadScreen("identity")).toContain('data-vendor="onfido"');
    expect(await trader.beginUpload("identity", "page", 40_000)).toEqual({
      status: 409,
      body: expect.objectContaining({ reason: "not_editable" }),
    });

    // A new capture at Onfido (a new applicant and check), sent again.
    expect((await trader.startVendorStep()).body).toMatchObject({ reference: "again-applicant-2" });
    expect((await trader.finishVendorStep()).body).toEqual({ status: "captured" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    let page = await reviewer.casePage(kycCase.id);
    expect(vendorCheckOn(page).outcome).toBe("warn");
    expect(page).toContain("No verdict from onfido yet.");

    // The first check's webhook again (a late retry) names nothing of this round.
    expect(
      (await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("again-check-1")))).body,
    ).toEqual({ ok: true, outcome: "unknown_reference" });
    // Had that retry found the row just before the new capture started, its writes, asked with
    // the reference it found, refuse under the row's lock: the row names the new capture only,
    // which is neither completed without a verdict nor given the old check's verdict.
    const late = { caseId: kycCase.id, vendor: "onfido", verdictReference: "again-check-1" };
    expect(await recordVendorVerdictUnavailable({ ...late, now: new Date() })).toBe("superseded");
    expect(
      await recordVendorVerdict({
        ...late,
        verdict: { outcome: "declined" },
        outcome: "declined",
        now: new Date(),
      }),
    ).toBe("superseded");
    expect(await getVendorVerification(kycCase.id)).toMatchObject({
      status: "captured",
      verdict: null,
      verdictReference: "again-check-2",
    });
    // The new check's verdict is what counts.
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("again-check-2"))),
    ).toEqual(STORED_ONCE[0]);
    await w.worker();
    page = await reviewer.casePage(kycCase.id);
    expect(vendorCheckOn(page).outcome).toBe("pass");
  });

  it("holds the account when Onfido's consider arrives after the approval, until an approver keeps the approval", async () => {
    const w = world();
    const onfido = stubOnfido(ctraderServer, { idPrefix: "late-" });
    const trader = new Trader(w, 431_003);
    await trader.launch("kyc", { kycType: "basic" });
    await trader.continue("personal", PERSONAL);
    await trader.continue("identity_document", {
      documentKind: "passport",
      documentNumber: "ON5550123",
      issuingCountry: "SE",
      expiryDate: "2031-05-01",
    });
    expect((await trader.startVendorStep()).status).toBe(201);
    expect((await trader.finishVendorStep()).body).toEqual({ status: "captured" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();

    // The approver does not wait for Onfido.
    const approver = await signedInStaff(w, "onfido.late@broker.example", "approver");
    expect(await approver.casePage(kycCase.id)).toContain("No verdict from onfido yet.");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const rights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
    expect(rights().at(-1)).toBe("FULL_ACCESS");
    const eventsBefore = w.crmEventsFor(kycCase.id).length;

    // Then Onfido: the photo comparison is to be considered.
    onfido.checkResult = "consider";
    onfido.reports = [
      {
        name: "document",
        status: "complete",
        result: "clear",
        completed_at_iso8601: "2026-12-03T09:00:00Z",
      },
      {
        name: "facial_similarity_photo",
        status: "complete",
        result: "consider",
        sub_result: "consider",
        completed_at_iso8601: "2026-12-03T09:00:00Z",
      },
    ];
    expect(await deliverTwice("onfido", onfidoWebhook(checkCompleted("late-check-1")))).toEqual(
      STORED_ONCE,
    );
    await w.worker();

    // A person is told, the CRM hears of it once, and the account is held; the case stays approved.
    expect(await approver.queue({ queue: "monitoring" })).toContain(`data-case="${kycCase.id}"`);
    const page = await approver.casePage(kycCase.id);
    expect(page).toContain('data-testid="vendor-verdict-task"');
    expect(page).toContain('data-signal="faceMatch"');
    expect(page).toContain('data-label="facial_similarity_photo:consider"');
    const alerts = w.crmEventsFor(kycCase.id).slice(eventsBefore);
    expect(alerts.map((e) => e.type)).toEqual(["case.vendor_alert"]);
    expect(alerts[0]!.payload).toMatchObject({
      vendor: { name: "onfido", outcome: "review", considered: ["faceMatch"] },
    });
    expect(rights().at(-1)).toBe("CLOSE_ONLY");
    expect(await trader.status()).toBe("approved");

    // The approver compared the photos again and keeps the approval.
    expect(
      await approver.keepApproval(kycCase.id, "Compared the selfie and passport: same person."),
    ).toBe("approval_kept");
    await w.worker();
    expect(await approver.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
    expect(w.crmEventsFor(kycCase.id).at(-1)?.type).toBe("case.vendor_alert_cleared");
    expect(rights().at(-1)).toBe("FULL_ACCESS");
    const actions = (await listCaseAuditEvents(kycCase.id)).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["case.vendor_verdict_after_decision", "case.approval_kept"]),
    );
  });

  it("answers 502 while Onfido's API fails or drops the connection, so Onfido delivers again, and stores the verdict once when it is back", async () => {
    const w = world();
    const onfido = stubOnfido(ctraderServer, { idPrefix: "outage-" });
    const trader = new Trader(w, 431_004);
    await trader.launch("kyc", { kycType: "basic" });
    await trader.continue("personal", PERSONAL);
    await trader.continue("identity_document", { ...PASSPORT, documentNumber: "ON3141592" });
    expect((await trader.startVendorStep()).status).toBe(201);
    expect((await trader.finishVendorStep()).body).toEqual({ status: "captured" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();
    onfido.checkResult = "consider";
    onfido.reports = [
      { name: "document", status: "complete", result: "clear" },
      { name: "facial_similarity_photo", status: "complete", result: "consider" },
    ];
    const completed = onfidoWebhook(checkCompleted("outage-check-1"));

    // Onfido's check is done, but its reports cannot be fetched: the connection drops, then
    // the check itself answers 500.
    ctraderServer.use(
      http.get(`${ONFIDO_API}/reports`, () => HttpResponse.error(), { once: true }),
    );
    expect(await postVendorWebhook("onfido", completed)).toEqual({
      status: 502,
      body: { error: "Bad Gateway", message: "onfido unreachable", code: "UPSTREAM_UNAVAILABLE" },
    });
    ctraderServer.use(
      http.get(
        `${ONFIDO_API}/checks/:id`,
        () =>
          HttpResponse.json(
            { error: { type: "internal_server_error", message: "Something went wrong" } },
            { status: 500 },
          ),
        { once: true },
      ),
    );
    expect(await postVendorWebhook("onfido", completed)).toEqual({
      status: 502,
      body: {
        error: "Bad Gateway",
        message: "onfido answered 500 (internal_server_error)",
        code: "internal_server_error",
      },
    });
    // Nothing of either half answer was kept.
    await w.worker();
    const reviewer = await signedInStaff(w, "onfido.outage@broker.example", "reviewer");
    expect(await verdictSeen(reviewer, kycCase.id)).toMatchObject({
      check: { outcome: "warn" },
      waiting: true,
      verdictsAudited: 0,
    });

    // Onfido's API is back and it delivers again (and once more): the verdict is stored once.
    expect(await deliverTwice("onfido", completed)).toEqual(STORED_ONCE);
    await w.worker();
    expect(await verdictSeen(reviewer, kycCase.id)).toMatchObject({
      check: {
        outcome: "warn",
        vendorOutcome: "review",
        signals: { documentAuthenticity: "clear", faceMatch: "consider" },
      },
      waiting: false,
      verdictsAudited: 1,
    });
  });

  it("acknowledges Onfido's check.completed for a check of ours its API then cannot find: the case records it, a reviewer sees the verdict could not be fetched, and Onfido stops redelivering", async () => {
    const w = world();
    const onfido = stubOnfido(ctraderServer, { idPrefix: "gone-" });
    const trader = new Trader(w, 431_005);
    await trader.launch("kyc", { kycType: "basic" });
    await trader.continue("personal", PERSONAL);
    await trader.continue("identity_document", { ...PASSPORT, documentNumber: "ON2718281" });
    expect((await trader.startVendorStep()).status).toBe(201);
    expect((await trader.finishVendorStep()).body).toEqual({ status: "captured" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();

    // Onfido says our check is done, then answers 404 resource_not_found for it (and its reports).
    onfido.checks.splice(0);
    const completed = onfidoWebhook(checkCompleted("gone-check-1"));
    // A 2xx, or Onfido would deliver it again for as long as it retries; a repeat changes nothing.
    expect(await deliverTwice("onfido", completed)).toEqual([
      { status: 200, body: { ok: true, outcome: "verdict_unavailable" } },
      { status: 200, body: { ok: true, outcome: "unchanged" } },
    ]);
    // A check that is not ours stays acknowledged and ignored, as before.
    expect(
      (await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("someone-elses-check"))))
        .body,
    ).toEqual({ ok: true, outcome: "unknown_reference" });

    // The checks run again: the vendor check warns that the verdict could not be fetched, so the
    // case waits for a person instead of passing; the audit trail has it once.
    await w.worker();
    const reviewer = await signedInStaff(w, "onfido.gone@broker.example", "reviewer");
    const page = await reviewer.casePage(kycCase.id);
    expect(vendorCheckOn(page).outcome).toBe("warn");
    expect(page).toContain('data-reason="verdict_unavailable"');
    expect(page).toContain("its API answers that the check does not exist");
    expect(page).not.toContain("No verdict from onfido yet.");
    expect(await trader.status()).toBe("in_review");
    const audited = (await listCaseAuditEvents(kycCase.id)).map((e) => e.action);
    expect(audited.filter((a) => a === "vendor.verdict_unavailable")).toHaveLength(1);
    expect(audited).not.toContain("vendor.verdict");

    // Onfido finds the check again and its redelivery stores the verdict; the same event
    // redelivered while its API loses the check once more keeps that verdict, answers
    // "unchanged" and audits nothing new.
    onfido.checks.push("gone-check-1");
    expect((await postVendorWebhook("onfido", completed)).body).toEqual({
      ok: true,
      outcome: "recorded",
    });
    onfido.checks.splice(0);
    expect(await deliverTwice("onfido", completed)).toEqual([
      { status: 200, body: { ok: true, outcome: "unchanged" } },
      { status: 200, body: { ok: true, outcome: "unchanged" } },
    ]);
    const after = (await listCaseAuditEvents(kycCase.id)).map((e) => e.action);
    expect(after.filter((a) => a === "vendor.verdict_unavailable")).toHaveLength(1);
    expect(after.filter((a) => a === "vendor.verdict")).toHaveLength(1);
    expect(await getVendorVerification(kycCase.id)).toMatchObject({
      status: "completed",
      verdictReference: "gone-check-1",
      verdict: expect.objectContaining({ outcome: expect.any(String) }),
    });
  });

  it("tells the approver of an approved case that Onfido's verdict could not be fetched, without holding the account", async () => {
    const w = world();
    const onfido = stubOnfido(ctraderServer, { idPrefix: "gone-late-" });
    const trader = new Trader(w, 431_006);
    await trader.launch("kyc", { kycType: "basic" });
    await trader.continue("personal", PERSONAL);
    await trader.continue("identity_document", { ...PASSPORT, documentNumber: "ON1414213" });
    expect((await trader.startVendorStep()).status).toBe(201);
    expect((await trader.finishVendorStep()).body).toEqual({ status: "captured" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();
    const approver = await signedInStaff(w, "onfido.gone-late@broker.example", "approver");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const eventsBefore = w.crmEventsFor(kycCase.id).length;

    onfido.checks.splice(0);
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("gone-late-check-1"))),
    ).toEqual({ status: 200, body: { ok: true, outcome: "verdict_unavailable" } });
    await w.worker();

    // The approval was given without a verdict and nothing new is known of the trader: no task,
    // no alert, no hold; the case page says the verdict could not be fetched.
    const page = await approver.casePage(kycCase.id);
    expect(page).toContain(
      'data-testid="vendor-verdict-missing" data-reason="verdict_unavailable"',
    );
    expect(page).not.toContain('data-testid="vendor-verdict-task"');
    expect(w.crmEventsFor(kycCase.id).slice(eventsBefore)).toEqual([]);
    expect(
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).at(-1)?.accessRights,
    ).toBe("FULL_ACCESS");
    expect(await trader.status()).toBe("approved");
  });
});
