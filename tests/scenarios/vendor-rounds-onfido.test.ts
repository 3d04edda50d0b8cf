/**
 * Scenario: Onfido's references across an upgrade and its decline. Onfido makes a new applicant
 * and check for every capture, so each round's verdict comes under its own reference: while the
 * upgrade's capture is in force, a late webhook about the approved capture is still a verdict on
 * the approval in force (a task and a hold, and the upgrade cannot be approved meanwhile); once the
 * upgrade is declined, the approved capture is in force again, and a verdict about it is a verdict
 * on the approval, while the declined capture's names nothing.
 */
import "./support/request-scope";
import { sql } from "drizzle-orm";
import { loadVendorState } from "@/lib/vendors/verification";
import { ENHANCED_OWN_STEPS } from "../fixtures/kyc-values";
import { ctraderServer } from "../helpers/ctrader-stub";
import { checkCompleted, ONFIDO_SETTINGS, onfidoWebhook, stubOnfido } from "../helpers/onfido-stub";
import { signedInStaff, Trader } from "./support/people";
import { postVendorWebhook, STORED_ONCE, vendorCheckOn } from "./support/vendors";
import { scenarioWorld, type World } from "./support/world";

const world = scenarioWorld({
  VENDOR_LEVELS: JSON.stringify({ standard: { vendor: "onfido" }, enhanced: { vendor: "onfido" } }),
  ...ONFIDO_SETTINGS,
});

const UNKNOWN = { status: 200, body: { ok: true, outcome: "unknown_reference" } };

/**
 * A trader approved at standard on Onfido's capture (applicant and check `<prefix>…-1`), its
 * clear verdict stored before the approval (co-signed where four eyes apply).
 */
async function approvedOnOnfido(w: World, userId: number, prefix: string) {
  const onfido = stubOnfido(ctraderServer, { idPrefix: prefix });
  const trader = new Trader(w, userId);
  await trader.launch("kyc", { kycType: "standard" });
  await trader.fillStandardForms();
  await trader.uploadStandardDocuments();
  const started = await trader.startVendorStep();
  expect(started.status).toBe(201);
  expect(started.body).toMatchObject({ reference: `${prefix}applicant-1` });
  expect((await trader.finishVendorStep()).status).toBe(200);
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  const kycCase = await trader.currentCase();
  expect(
    await postVendorWebhook("onfido", onfidoWebhook(checkCompleted(`${prefix}check-1`))),
  ).toEqual(STORED_ONCE[0]);
  await w.worker();
  const name = prefix.replace(/-$/, "");
  const approver = await signedInStaff(w, `onfido.${name}@broker.example`, "approver");
  const second = await signedInStaff(w, `onfido.${name}2@broker.example`, "approver");
  const outcome = await approver.approve(kycCase.id);
  if (outcome === "awaiting_co_sign") expect(await second.approve(kycCase.id)).toBe("approved");
  else expect(outcome).toBe("approved");
  await w.worker();
  return { onfido, trader, kycCase, approver };
}

describe("scenario: Onfido's verdicts stay with the round they were captured in", () => {
  it("ignores the approved check while the upgrade's is in force, and holds the approval on it once the upgrade is declined", async () => {
    const w = world();
    const { onfido, trader, kycCase, approver } = await approvedOnOnfido(w, 432_101, "rounds-");

    // The upgrade to enhanced: a new capture at Onfido replaces the approved one.
    await trader.launch("kyc", { kycType: "enhanced" });
    for (const [step, values] of ENHANCED_OWN_STEPS)
      expect(await trader.continue(step, values)).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.upload("additional")).status).toBe(200);
    expect((await trader.startVendorStep()).body).toMatchObject({
      reference: "rounds-applicant-2",
    });
    // A late redelivery about the approved check finds it among the replaced captures: the same
    // verdict again changes nothing.
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("rounds-check-1"))),
    ).toEqual(STORED_ONCE[1]);
    expect((await trader.finishVendorStep()).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    onfido.checkResult = "consider";
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("rounds-check-2"))),
    ).toEqual(STORED_ONCE[0]);
    await w.worker();
    expect(vendorCheckOn(await approver.casePage(kycCase.id)).vendorOutcome).toBe("review");

    // Declined: Onfido's clear verdict of the approved check is the case's again.
    expect(await approver.reject(kycCase.id, "source_of_funds_unclear")).toBe("upgrade_declined");
    await w.worker();
    const page = await approver.casePage(kycCase.id);
    expect(
      /data-testid="vendor-verdict-of-approval"[\s\S]*?data-vendor-outcome="(\w+)"/.exec(page)?.[1],
    ).toBe("approved");
    expect(page).not.toContain('data-testid="vendor-verdict-task"');

    // The declined check names nothing of ours any more; the approved one is in force, and
    // Onfido's re-review of it to "consider" holds the approval like any late verdict.
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("rounds-check-2"))),
    ).toEqual(UNKNOWN);
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("rounds-check-1"))),
    ).toEqual(STORED_ONCE[0]);
    await w.worker();
    expect(await approver.casePage(kycCase.id)).toContain('data-testid="vendor-verdict-task"');
    expect(w.crmEventsFor(kycCase.id).at(-1)?.type).toBe("case.vendor_alert");
    expect(await trader.status()).toBe("approved");
  });

  it("holds the approval on a late adverse verdict about the approved check after the upgrade's capture replaced it", async () => {
    const w = world();
    const { onfido, trader, kycCase, approver } = await approvedOnOnfido(w, 432_102, "held-");

    // The upgrade: the trader starts Onfido's capture again, so the approved check is replaced.
    await trader.launch("kyc", { kycType: "enhanced" });
    for (const [step, values] of ENHANCED_OWN_STEPS)
      expect(await trader.continue(step, values)).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.upload("additional")).status).toBe(200);
    expect((await trader.startVendorStep()).body).toMatchObject({ reference: "held-applicant-2" });

    // Onfido re-reviews the approved check to "consider": the approval in force rests on it.
    onfido.checkResult = "consider";
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("held-check-1"))),
    ).toEqual(STORED_ONCE[0]);
    await w.worker();
    expect(w.crmEventsFor(kycCase.id).at(-1)?.type).toBe("case.vendor_alert");
    expect(await approver.casePage(kycCase.id)).toContain('data-testid="vendor-verdict-task"');
    // Stored on the replaced capture, beside the verdict the approval was given on.
    const replaced =
      /data-testid="replaced-capture" data-round="(\d+)"[\s\S]*?data-vendor-outcome="(\w+)"/g;
    expect(
      [...(await approver.casePage(kycCase.id)).matchAll(replaced)].map((m) => [m[1], m[2]]),
    ).toEqual([
      ["1", "approved"],
      ["1", "review"],
    ]);

    // The upgrade's own capture comes back clear, but the upgrade cannot be approved on a held
    // approval.
    onfido.checkResult = "clear";
    expect((await trader.finishVendorStep()).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("held-check-2"))),
    ).toEqual(STORED_ONCE[0]);
    await w.worker();
    expect(await approver.approve(kycCase.id)).toBe("error:approval_on_hold");
    expect((await trader.currentCase()).approvedLevel).toBe("standard");

    // Declined, the upgrade's check names nothing of ours, and the hold stays.
    expect(await approver.reject(kycCase.id, "source_of_funds_unclear")).toBe("upgrade_declined");
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("held-check-2"))),
    ).toEqual(UNKNOWN);
    expect(await approver.casePage(kycCase.id)).toContain('data-testid="vendor-verdict-task"');
  });

  it("refuses a capture start that a decline of the upgrade overtook, keeping the approved check in force", async () => {
    const w = world();
    const { onfido, trader, kycCase, approver } = await approvedOnOnfido(w, 432_103, "raced-");

    // The upgrade's capture is started and replaces the approved one; the trader starts again
    // (a reload), and while Onfido makes the new applicant the reviewer declines the upgrade.
    await trader.launch("kyc", { kycType: "enhanced" });
    for (const [step, values] of ENHANCED_OWN_STEPS)
      expect(await trader.continue(step, values)).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.startVendorStep()).body).toMatchObject({
      reference: "raced-applicant-2",
    });
    let declined: string | undefined;
    onfido.duringApplicant = async () => {
      onfido.duringApplicant = null;
      declined = await approver.reject(kycCase.id, "source_of_funds_unclear");
    };
    const start = await trader.startVendorStep();
    expect(declined).toBe("upgrade_declined");
    // The same refusal as a start on a case no longer open for changes.
    expect([start.status, start.body]).toMatchObject([
      409,
      { code: "CONFLICT", message: "this verification is not open for changes" },
    ]);

    // The approved check is the case's again, untouched by the start the decline overtook.
    const after = await trader.currentCase();
    expect([after.status, after.approvedLevel]).toEqual(["approved", "standard"]);
    const state = await loadVendorState(after);
    expect([state?.status, state?.verdictReference, state?.verdict?.outcome]).toEqual([
      "completed",
      "raced-check-1",
      "approved",
    ]);
  });

  it("does not call the checks shown the declined round's when the declined upgrade was never sent", async () => {
    const w = world();
    stubOnfido(ctraderServer, { idPrefix: "unsent-" });
    const trader = new Trader(w, 432_104);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    expect((await trader.startVendorStep()).status).toBe(201);
    expect((await trader.finishVendorStep()).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();
    await w.worker();
    // Approved while the vendor check still says "no verdict yet"; Onfido's clear verdict follows.
    const approver = await signedInStaff(w, "onfido.unsent@broker.example", "approver");
    const second = await signedInStaff(w, "onfido.unsent2@broker.example", "approver");
    const outcome = await approver.approve(kycCase.id);
    if (outcome === "awaiting_co_sign") expect(await second.approve(kycCase.id)).toBe("approved");
    else expect(outcome).toBe("approved");
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("unsent-check-1"))),
    ).toEqual(STORED_ONCE[0]);
    await w.worker();
    expect(await approver.casePage(kycCase.id)).toContain(
      'data-testid="vendor-verdict-after-checks"',
    );

    // An upgrade opened and declined before the trader sent it: the round never moved, so the
    // checks shown are still the approved round's.
    await trader.launch("kyc", { kycType: "enhanced" });
    expect(await trader.status()).toBe("draft");
    expect(await approver.reject(kycCase.id, "source_of_funds_unclear")).toBe("upgrade_declined");
    const page = await approver.casePage(kycCase.id);
    expect(page).not.toContain('data-testid="vendor-verdict-of-approval"');
    expect(
      /data-testid="vendor-verdict-after-checks"[\s\S]*?data-vendor-outcome="(\w+)"/.exec(
        page,
      )?.[1],
    ).toBe("approved");
  });

  it("keeps in force a capture migrated with too high a round when the upgrade it predates is declined", async () => {
    const w = world();
    const { onfido, trader, kycCase, approver } = await approvedOnOnfido(w, 432_105, "legacy-");
    await trader.launch("kyc", { kycType: "enhanced" });
    // Migration 0036 gave rows of cases declined before it the round of the declined upgrade (it
    // counted the submissions made before the capture started): no flow of ours makes such a
    // row any more, so the round 0036 would have set stands in for one.
    await w.db.db.execute(
      sql`update vendor_verifications set round = 2 where case_id = ${kycCase.id}`,
    );

    // The upgrade is declined before the trader captured again: the capture stays in force, and
    // a late adverse verdict on it holds the approval.
    expect(await approver.reject(kycCase.id, "source_of_funds_unclear")).toBe("upgrade_declined");
    const state = await loadVendorState(await trader.currentCase());
    expect([state?.status, state?.verdictReference]).toEqual(["completed", "legacy-check-1"]);
    onfido.checkResult = "consider";
    expect(
      await postVendorWebhook("onfido", onfidoWebhook(checkCompleted("legacy-check-1"))),
    ).toEqual(STORED_ONCE[0]);
    await w.worker();
    expect(await approver.casePage(kycCase.id)).toContain('data-testid="vendor-verdict-task"');
  });
});
