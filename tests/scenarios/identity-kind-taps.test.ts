/**
 * Scenario: a trader on a phone taps between kinds of identity document (passport, ID card,
 * driving licence) on the identity step while uploading, and the saves that carry those taps
 * arrive out of order, from a second window, or in a round a reviewer reopened. Each photo stays
 * the document of the kind picked when it was uploaded: what the upload screen shows and what the
 * round sends is the confirmed kind's photos, never another kind's, and none is lost to a save
 * that did not apply.
 */
import "./support/request-scope";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { sql } from "drizzle-orm";
import { IDENTITY } from "../fixtures/kyc-values";
import { sqlRows } from "../helpers/sql-rows";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

type Evidence = {
  rounds: { documentIds: string[] }[];
  documents: { id: string; replacedAt: string | null }[];
};

/** An ID card's two sides as the upload screen lists them, both in `state`. */
const cardSides = (state: "accepted" | "missing" | "retake") => [
  expect.objectContaining({ side: "front", state }),
  expect.objectContaining({ side: "back", state }),
];

const pageSide = (state: "accepted" | "missing" | "retake") => [
  expect.objectContaining({ side: "page", state }),
];

/** An autosave's own id, as the form's script makes one (32 hex digits). */
const saveIdOf = (n: number) => n.toString(16).padStart(32, "0");

async function uploadCardSides(trader: Trader) {
  const front = await trader.upload("identity", "front");
  const back = await trader.upload("identity", "back");
  expect([front.status, back.status]).toEqual([200, 200]);
  return { front, back };
}

async function evidenceOf(w: ReturnType<typeof world>, trader: Trader, email: string) {
  const approver = await signedInStaff(w, email, "approver");
  const kycCase = await trader.currentCase();
  return (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
}

const replacedAtOf = (evidence: Evidence, id: string | undefined) =>
  evidence.documents.find((d) => d.id === id)?.replacedAt;

describe("scenario: a reviewer asks for a new identity document and the trader switches kind", () => {
  it("sends the ID card uploaded in the new round, never the passport page of the first, through taps back and forth", async () => {
    const w = world();
    const trader = new Trader(w, 481_001);
    await trader.launch("kyc");
    const passport = { ...IDENTITY, documentKind: "passport", documentNumber: "P4810011" };
    await trader.fillStandardForms({}, passport);
    const page = await trader.upload("identity", "page");
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "kind.request.reviewer@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(kycCase.id, ["document:identity"], "A clearer document."),
    ).toBe("action_requested");

    await trader.launch("kyc");
    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4810011" };
    expect(await trader.autosave("identity_document", card, 1)).toMatchObject({
      status: "saved",
      version: 2,
    });
    expect(await trader.sides("identity")).toEqual(cardSides("missing"));
    const { front, back } = await uploadCardSides(trader);
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    // Meanwhile the case page holds both kinds' photos and names each one's kind.
    const between = await reviewer.casePage(kycCase.id);
    for (const [id, kind, label] of [
      [page.documentId, "passport", "Page · Passport"],
      [front.documentId, "id_card", "Front · National identity card"],
      [back.documentId, "id_card", "Back · National identity card"],
    ] as const) {
      expect(between).toContain(`/admin/documents/${id}`);
      expect(between).toContain(`data-identity-kind="${kind}"`);
      expect(between).toContain(label);
    }
    // Back to the passport: its page is the first round's, still to be taken again.
    await trader.autosave("identity_document", passport, 2);
    expect(await trader.sides("identity")).toEqual(pageSide("retake"));
    expect(await trader.html("kyc", { view: "overview" })).toContain(
      'data-document="identity" data-side="page" data-state="retake"',
    );
    // The card again: the sides uploaded for it in this round are its own.
    await trader.autosave("identity_document", card, 3);
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.continue("identity_document", card, 4)).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    expect(await trader.currentCase()).toMatchObject({ round: 2 });
    // Sent: one kind left, its photos named by their sides alone.
    const sent = await reviewer.casePage(kycCase.id);
    expect(sent).not.toContain(`/admin/documents/${page.documentId}`);
    expect(sent).not.toContain("· National identity card");

    const evidence = await evidenceOf(w, trader, "kind.request.approver@broker.example");
    expect(evidence.rounds[0]!.documentIds).toContain(page.documentId);
    expect(evidence.rounds[1]!.documentIds).toEqual(
      expect.arrayContaining([front.documentId, back.documentId]),
    );
    expect(evidence.rounds[1]!.documentIds).not.toContain(page.documentId);
    expect(replacedAtOf(evidence, page.documentId)).toEqual(expect.any(String));
    for (const side of [front, back]) expect(replacedAtOf(evidence, side.documentId)).toBeNull();
  });
});

describe('scenario: a tap\'s autosave still on its way when the trader presses "Save and continue"', () => {
  const passport = { ...IDENTITY, documentKind: "passport", documentNumber: "P4810021" };
  const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4810021" };

  /** A confirmed passport with its page, then the ID card picked and both its sides uploaded. */
  async function cardPickedAndUploaded(userId: number) {
    const w = world();
    const trader = new Trader(w, userId);
    await trader.launch("kyc");
    await trader.fillStandardForms({}, passport);
    const page = await trader.upload("identity", "page");
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    await trader.autosave("identity_document", card, 1);
    const sides = await uploadCardSides(trader);
    return { w, trader, page, ...sides };
  }

  it("lands after the confirm: refused as stale, and the card confirmed keeps its photos and sends them", async () => {
    const { w, trader, page, front, back } = await cardPickedAndUploaded(481_002);
    // A tap on the passport was autosaved from version 2; the ID card is tapped again and the form
    // sent before that autosave answered.
    const late = saveIdOf(1);
    expect(await trader.continue("identity_document", { ...card, abandonedSave: late }, 2)).toEqual(
      { redirect: "/inapp/kyc" },
    );
    expect(
      await trader.autosave("identity_document", { ...passport, saveId: late }, 2),
    ).toMatchObject({ http: 409, reason: "stale_draft" });
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });

    const evidence = await evidenceOf(w, trader, "late.tap.approver@broker.example");
    expect(evidence.rounds[0]!.documentIds).toEqual(
      expect.arrayContaining([front.documentId, back.documentId]),
    );
    expect(evidence.rounds[0]!.documentIds).not.toContain(page.documentId);
  });

  it("lands before the confirm: the card confirmed over it keeps the photos uploaded while it was picked", async () => {
    const { w, trader, page, front, back } = await cardPickedAndUploaded(481_003);
    const early = saveIdOf(2);
    expect(
      await trader.autosave("identity_document", { ...passport, saveId: early }, 2),
    ).toMatchObject({ status: "saved", version: 3 });
    // The form the trader sent was rendered at version 2 and stopped waiting for that autosave.
    expect(
      await trader.continue("identity_document", { ...card, abandonedSave: early }, 2),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });

    const evidence = await evidenceOf(w, trader, "early.tap.approver@broker.example");
    expect(evidence.rounds[0]!.documentIds).toEqual(
      expect.arrayContaining([front.documentId, back.documentId]),
    );
    expect(evidence.rounds[0]!.documentIds).not.toContain(page.documentId);
    expect(replacedAtOf(evidence, page.documentId)).toEqual(expect.any(String));
  });
});

describe("scenario: a second window still showing the confirmed passport", () => {
  it('refuses its "Save and continue" as stale and retires none of the ID card\'s photos uploaded on the phone', async () => {
    const w = world();
    const phone = new Trader(w, 481_004);
    await phone.launch("kyc");
    const passport = { ...IDENTITY, documentKind: "passport", documentNumber: "P4810041" };
    await phone.fillStandardForms({}, passport);
    const page = await phone.upload("identity", "page");
    expect(await phone.upload("address")).toMatchObject({ status: 200 });
    // Of the same sign-in, the desktop shows the identity step as confirmed: version 1, passport.
    const desktop = phone;
    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4810041" };
    await phone.autosave("identity_document", card, 1);
    const { front, back } = await uploadCardSides(phone);
    expect(await desktop.continue("identity_document", passport, 1)).toEqual({
      value: expect.objectContaining({ status: "stale" }),
    });
    // Nothing of the desktop's form applied: the card is still picked with its photos.
    expect(await phone.sides("identity")).toEqual(cardSides("accepted"));
    expect(await phone.continue("identity_document", card, 2)).toEqual({ redirect: "/inapp/kyc" });
    expect(await phone.sides("identity")).toEqual(cardSides("accepted"));
    expect(await phone.submit()).toEqual({ redirect: "/inapp/kyc/status" });

    const evidence = await evidenceOf(w, phone, "two.windows.approver@broker.example");
    expect(evidence.rounds[0]!.documentIds).toEqual(
      expect.arrayContaining([front.documentId, back.documentId]),
    );
    expect(replacedAtOf(evidence, page.documentId)).toEqual(expect.any(String));
  });
});

describe("scenario: a declined renewal puts the approved ID card back, then the trader taps a driving licence", () => {
  it("reads the card put back as the confirmed kind: its sides never count for the licence, which sends only its own", async () => {
    const w = world();
    const trader = new Trader(w, 481_005);
    await trader.launch("kyc", { kycType: "standard" });
    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4810051" };
    await trader.fillStandardForms({}, card);
    const cardPhotos = await uploadCardSides(trader);
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "put.back.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");

    // The renewal notice (the card expires on 2031-05-01): a passport is sent and declined, so
    // the approved round's card, its answers and its photos, is put back.
    await w.worker(new Date("2031-04-01T00:00:00Z"));
    const renew = async () => {
      await trader.launch("status");
      expect(await trader.renew()).toEqual({ redirect: "/inapp/kyc?step=identity_document" });
    };
    await renew();
    const passport = {
      ...IDENTITY,
      documentKind: "passport",
      documentNumber: "P4810051",
      expiryDate: "2036-05-01",
    };
    expect(await trader.continue("identity_document", passport)).toEqual({
      redirect: "/inapp/kyc",
    });
    const page = await trader.upload("identity", "page");
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const officer = await signedInStaff(w, "put.back.officer@broker.example", "reviewer");
    expect(await officer.reject(kycCase.id, "document_unreadable")).toBe("renewal_declined");

    await renew();
    const form = await trader.html("kyc", { step: "identity_document" });
    const version = Number(/name="draftVersion" value="(\d+)"/.exec(form)?.[1]);
    expect(form).toContain('name="documentKind" checked="" value="id_card"');
    // The card's photos are the case's again, asked for anew by the renewal.
    expect(await trader.sides("identity")).toEqual(cardSides("retake"));
    const licence = {
      ...card,
      documentKind: "driving_licence",
      documentNumber: "DL4810051",
      expiryDate: "2036-05-01",
    };
    expect(await trader.autosave("identity_document", licence, version)).toMatchObject({
      status: "saved",
      version: version + 1,
    });
    expect(await trader.sides("identity")).toEqual(cardSides("missing"));
    const licencePhotos = await uploadCardSides(trader);
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.continue("identity_document", licence, version + 1)).toEqual({
      redirect: "/inapp/kyc",
    });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });

    const evidence = await evidenceOf(w, trader, "put.back.approver@broker.example");
    const sent = evidence.rounds.at(-1)!.documentIds;
    expect(sent).toEqual(
      expect.arrayContaining([licencePhotos.front.documentId, licencePhotos.back.documentId]),
    );
    for (const other of [cardPhotos.front, cardPhotos.back, page])
      expect(sent).not.toContain(other.documentId);
  });
});

describe("scenario: a client that taps between two kinds without end", () => {
  it("keeps each kind's own photos through every tap, and the draft does not grow with the taps", async () => {
    const w = world();
    const trader = new Trader(w, 481_006);
    await trader.launch("kyc");
    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4810061" };
    const licence = { ...card, documentKind: "driving_licence", documentNumber: "DL4810061" };
    await trader.fillStandardForms({}, card);
    const cardPhotos = await uploadCardSides(trader);
    const kycCase = await trader.currentCase();
    let version = (await loadStepDrafts(kycCase.id)).identity_document!.version;
    const tap = async (values: typeof card) => {
      const reply = await trader.autosave("identity_document", values, version);
      expect(reply).toMatchObject({ status: "saved" });
      version = Number(reply.version);
    };
    const draftBytes = async () =>
      (
        await sqlRows<{ n: number | string }>(
          w.db.db,
          sql`select length(payload) as n from case_drafts where case_id = ${kycCase.id} and step = 'identity_document'`,
        )
      ).map((r) => Number(r.n))[0];
    await tap(licence);
    const licencePhotos = await uploadCardSides(trader);
    await tap(card);
    const afterTwo = await draftBytes();
    // Taps back and forth, each one autosaved, far past what anyone taps.
    for (let i = 0; i < 30; i++) await tap(i % 2 === 0 ? licence : card);
    expect(await draftBytes()).toBe(afterTwo);
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    await tap(licence);
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));

    expect(await trader.continue("identity_document", licence, version)).toEqual({
      redirect: "/inapp/kyc",
    });
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const evidence = await evidenceOf(w, trader, "kind.bounded.approver@broker.example");
    expect(evidence.rounds[0]!.documentIds).toEqual(
      expect.arrayContaining([licencePhotos.front.documentId, licencePhotos.back.documentId]),
    );
    for (const old of [cardPhotos.front, cardPhotos.back]) {
      expect(evidence.rounds[0]!.documentIds).not.toContain(old.documentId);
      expect(replacedAtOf(evidence, old.documentId)).toEqual(expect.any(String));
    }
  });
});
