/**
 * Scenario: a trader used a bad photo anyway ("use anyway" sends it as it is) and replaces it
 * before sending the case — every side of every document type, the additional document too. The
 * replaced file stays as evidence but is no longer the case's document: the checks and the
 * console see the new one. Once the case is sent nothing can be replaced, until a reviewer asks
 * for that document again.
 */
import "./support/request-scope";
import sharp from "sharp";
import { documentKey, storage } from "@/lib/storage";
import { IDENTITY, PERSONAL } from "../fixtures/kyc-values";
import { adminUrl } from "../helpers/db-target";
import {
  freshPhoto,
  postToStorage,
  signedInStaff,
  Trader,
  type StartedUpload,
} from "./support/people";
import { scenarioWorld, setClock } from "./support/world";

const world = scenarioWorld();

/** The photo of the bug report: 50×40, flat grey (too small and blurry, used anyway). */
const greyPng = () =>
  sharp({ create: { width: 50, height: 40, channels: 3, background: "#808080" } })
    .png()
    .toBuffer();

const SIDES = [
  ["identity", "front"],
  ["identity", "back"],
  ["address", "page"],
  ["additional", "page"],
] as const;

/** An ID card's two sides as the upload screen lists them, both in `state`. */
const cardSides = (state: "accepted" | "missing") => [
  expect.objectContaining({ side: "front", state }),
  expect.objectContaining({ side: "back", state }),
];

/** The trader uploads both sides of an ID card; the upload screen shows them accepted. */
async function uploadCardSides(trader: Trader) {
  const front = await trader.upload("identity", "front");
  const back = await trader.upload("identity", "back");
  expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
  return { front, back };
}

type Evidence = {
  rounds: { documentIds: string[] }[];
  documents: { id: string; replacedAt: string | null; superseded: boolean }[];
};

describe("scenario: replacing an uploaded side before the case is sent", () => {
  it("takes the new file in place of the old one, and refuses any replacement after the submit until a reviewer asks", async () => {
    const w = world();
    const trader = new Trader(w, 480_001);
    await trader.launch("kyc");
    await trader.fillStandardForms();
    await trader.continue("identity_document", {
      ...IDENTITY,
      documentKind: "id_card",
      documentNumber: "ID4800011",
    });

    const first = new Map<string, string>();
    for (const [type, side] of SIDES) {
      const bad = await trader.upload(type, side, await greyPng(), "image/png");
      expect(bad).toMatchObject({ status: 200, body: { state: "accepted" } });
      first.set(`${type}/${side}`, bad.documentId!);
    }
    // Every accepted side offers "Replace" on the upload screen.
    const identityScreen = await trader.uploadScreen("identity");
    expect(identityScreen).toContain('data-testid="upload-done"');
    expect(identityScreen).toContain('data-testid="replace-front"');
    expect(identityScreen).toContain('data-testid="replace-back"');
    expect(await trader.uploadScreen("additional")).toContain('data-testid="replace-page"');

    const second = new Map<string, string>();
    for (const [type, side] of SIDES) {
      const good = await trader.upload(type, side);
      expect(good).toMatchObject({ status: 200, body: { state: "accepted" } });
      second.set(`${type}/${side}`, good.documentId!);
    }
    for (const type of ["identity", "address", "additional"] as const)
      expect((await trader.sides(type)).every((s) => s.state === "accepted")).toBe(true);

    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();

    // The console and the checks see only the new files: no grey 50×40 picture to flag.
    const reviewer = await signedInStaff(w, "replace.reviewer@broker.example", "reviewer");
    const page = await reviewer.casePage(kycCase.id);
    for (const id of second.values()) expect(page).toContain(`/admin/documents/${id}`);
    for (const id of first.values()) expect(page).not.toContain(`/admin/documents/${id}`);
    expect(page).toContain('data-check="upload_quality" data-outcome="pass"');

    // The old files stay as evidence, marked replaced; the round froze the new ones.
    const approver = await signedInStaff(w, "replace.approver@broker.example", "approver");
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    expect([...evidence.rounds[0]!.documentIds].sort()).toEqual([...second.values()].sort());
    for (const id of first.values())
      expect(evidence.documents.find((d) => d.id === id)?.replacedAt).toEqual(expect.any(String));
    for (const id of second.values())
      expect(evidence.documents.find((d) => d.id === id)?.replacedAt).toBeNull();

    // Sent: a replacement is refused with a reason the screen words, and offered nowhere.
    for (const [type, side] of SIDES) {
      const late = await trader.beginUpload(type, side, 10_000);
      expect(late).toEqual({
        status: 409,
        body: expect.objectContaining({ reason: "not_editable" }),
      });
    }
    const sent = await trader.uploadScreen("identity");
    expect(sent).not.toContain('data-testid="replace-');
    expect(sent).not.toContain('data-testid="file-input"');

    // The reviewer asks for the identity document again: that one can be replaced, nothing else.
    expect(await reviewer.requestInformation(kycCase.id, ["document:identity"], "Too dark.")).toBe(
      "action_requested",
    );
    expect(await trader.upload("identity", "front")).toMatchObject({ status: 200 });
    const asked = await trader.uploadScreen("identity");
    expect(asked).toContain('data-testid="replace-front"');
    expect(asked).toContain('data-testid="upload-screen" data-side="back"');
    expect((await trader.beginUpload("address", "page", 10_000)).status).toBe(409);
    expect(await trader.uploadScreen("address")).not.toContain('data-testid="replace-');
  });
});

describe("scenario: the trader changes the kind of identity document after uploading it", () => {
  it("stops counting the old document's photos, so the case never pairs one document's data with another's pictures", async () => {
    const w = world();
    const trader = new Trader(w, 480_002);
    await trader.launch("kyc");
    await trader.fillStandardForms({}, { documentKind: "id_card", documentNumber: "ID4800021" });
    const front = await trader.upload("identity", "front");
    const back = await trader.upload("identity", "back");
    expect((await trader.sides("identity")).map((s) => s.state)).toEqual(["accepted", "accepted"]);

    // The same kind saved again (an autosave, a second "continue") keeps the photos.
    await trader.continue("identity_document", {
      ...IDENTITY,
      documentKind: "id_card",
      documentNumber: "ID4800021",
    });
    expect((await trader.sides("identity")).map((s) => s.state)).toEqual(["accepted", "accepted"]);

    // A driving licence also has a front and a back: the ID card's photos must not stand in.
    await trader.continue("identity_document", {
      ...IDENTITY,
      documentKind: "driving_licence",
      documentNumber: "DL4800021",
    });
    expect(await trader.sides("identity")).toEqual(cardSides("missing"));
    // Then a passport: one page to upload; the ID card's photos stay as evidence only.
    await trader.continue("identity_document", {
      ...IDENTITY,
      documentKind: "passport",
      documentNumber: "P4800021",
    });
    expect(await trader.sides("identity")).toEqual([
      expect.objectContaining({ side: "page", state: "missing" }),
    ]);
    const page = await trader.upload("identity", "page");
    expect(page).toMatchObject({ status: 200, body: { state: "accepted" } });
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();

    // The round holds the passport page and the address only; the ID card is evidence, replaced.
    const approver = await signedInStaff(w, "kind.approver@broker.example", "approver");
    const reviewerPage = await approver.casePage(kycCase.id);
    expect(reviewerPage).toContain(`/admin/documents/${page.documentId}`);
    for (const old of [front, back]) expect(reviewerPage).not.toContain(old.documentId!);
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    const roundIds = evidence.rounds[0]!.documentIds;
    expect(roundIds).toContain(page.documentId);
    expect(roundIds).not.toContain(front.documentId);
    expect(roundIds).not.toContain(back.documentId);
    for (const old of [front, back])
      expect(evidence.documents.find((d) => d.id === old.documentId)?.replacedAt).toEqual(
        expect.any(String),
      );
  });
});

describe("scenario: a mis-tapped kind of identity document, autosaved and corrected", () => {
  it("keeps both uploaded sides through the autosaves, and retires them only when another kind is saved and continued", async () => {
    const w = world();
    const trader = new Trader(w, 480_003);
    await trader.launch("kyc");
    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4800031" };
    await trader.fillStandardForms({}, card);
    const { front, back } = await uploadCardSides(trader);
    const both = cardSides("accepted");

    // A tap on "passport" by mistake, autosaved (the form was rendered at version 1), then the
    // ID card again: the card's photos are still the case's, not lost to the mis-tap.
    expect(
      await trader.autosave("identity_document", { ...card, documentKind: "passport" }, 1),
    ).toMatchObject({ status: "saved", version: 2 });
    expect(await trader.sides("identity")).toEqual([
      expect.objectContaining({ side: "page", state: "missing" }),
    ]);
    expect(await trader.autosave("identity_document", card, 2)).toMatchObject({
      status: "saved",
      version: 3,
    });
    expect(await trader.sides("identity")).toEqual(both);
    expect(await trader.continue("identity_document", card, 3)).toBeDefined();
    expect(await trader.sides("identity")).toEqual(both);

    // Confirmed with "Save and continue", a driving licence retires the card's photos as before.
    await trader.autosave("identity_document", { ...card, documentKind: "driving_licence" }, 4);
    await trader.continue(
      "identity_document",
      { ...card, documentKind: "driving_licence", documentNumber: "DL4800031" },
      5,
    );
    expect(await trader.sides("identity")).toEqual(cardSides("missing"));
    const approver = await signedInStaff(w, "mistap.approver@broker.example", "approver");
    const kycCase = await trader.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    for (const old of [front, back])
      expect(evidence.documents.find((d) => d.id === old.documentId)?.replacedAt).toEqual(
        expect.any(String),
      );
  });
});

describe("scenario: a passport page uploaded for the pre-fill, then an ID card chosen", () => {
  it("stops counting the page for the card, and keeps it for a passport", async () => {
    const w = world();
    // Photographed first to fill the form in, before the kind of document was chosen.
    const card = new Trader(w, 480_101);
    await card.launch("kyc");
    const prefill = await card.upload("identity", "page");
    expect(prefill).toMatchObject({ status: 200, body: { state: "accepted" } });
    await card.fillStandardForms({}, { documentKind: "id_card", documentNumber: "ID4801011" });
    expect(await card.sides("identity")).toEqual([
      expect.objectContaining({ side: "front", state: "missing" }),
      expect.objectContaining({ side: "back", state: "missing" }),
    ]);
    const front = await card.upload("identity", "front");
    const back = await card.upload("identity", "back");
    expect(await card.upload("address")).toMatchObject({ status: 200 });
    expect(await card.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const approver = await signedInStaff(w, "prefill.approver@broker.example", "approver");
    const kycCase = await card.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    const roundIds = evidence.rounds[0]!.documentIds;
    expect(roundIds).toEqual(expect.arrayContaining([front.documentId, back.documentId]));
    expect(roundIds).not.toContain(prefill.documentId);
    expect(evidence.documents.find((d) => d.id === prefill.documentId)?.replacedAt).toEqual(
      expect.any(String),
    );
    expect(await approver.casePage(kycCase.id)).not.toContain(prefill.documentId!);

    // The same photo for a passport is the passport's page: it stays.
    const passport = new Trader(w, 480_102);
    await passport.launch("kyc");
    await passport.upload("identity", "page");
    await passport.fillStandardForms({}, { documentKind: "passport" });
    expect(await passport.sides("identity")).toEqual([
      expect.objectContaining({ side: "page", state: "accepted" }),
    ]);
  });
});

describe("scenario: a passport page still uploading when an ID card is chosen", () => {
  it("arrives after the choice: the trader is told it was not used, and it is neither sent with the case nor seen by its checks", async () => {
    const w = world();
    const card = new Trader(w, 480_201);
    await card.launch("kyc");
    // The page's upload starts for the pre-fill; the file is still on its way.
    const page = await freshPhoto();
    const started = await card.beginUpload("identity", "page", page.length);
    expect(started.status).toBe(201);
    const form = started.body as StartedUpload;
    await card.fillStandardForms({}, { documentKind: "id_card", documentNumber: "ID4802011" });
    const front = await card.upload("identity", "front");
    const back = await card.upload("identity", "back");
    expect(await card.upload("address")).toMatchObject({ status: 200 });
    // Now the page lands: the kind's choice retired it on its way, and the trader is told so
    // (the upload screen words `superseded` and shows the card's sides), again on a replay.
    expect((await postToStorage(form, page, "image/jpeg")).status).toBeLessThan(300);
    const superseded = { status: 409, body: expect.objectContaining({ reason: "superseded" }) };
    expect(await card.confirm(form.documentId)).toMatchObject(superseded);
    expect(await card.confirm(form.documentId)).toMatchObject(superseded);
    expect(await card.sides("identity")).toEqual([
      expect.objectContaining({ side: "front", state: "accepted" }),
      expect.objectContaining({ side: "back", state: "accepted" }),
    ]);
    expect(await card.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    const approver = await signedInStaff(w, "late.page.approver@broker.example", "approver");
    const kycCase = await card.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence & {
      checkRuns: { results: { check: string; evidence: { documents?: number } }[] }[];
    };
    const roundIds = evidence.rounds[0]!.documentIds;
    expect(roundIds).toEqual(expect.arrayContaining([front.documentId, back.documentId]));
    expect(roundIds).not.toContain(form.documentId);
    // The checks saw what was sent: the card's two sides and the bill, not the page.
    const quality = evidence.checkRuns
      .flatMap((run) => run.results)
      .find((r) => r.check === "upload_quality");
    expect(quality?.evidence.documents).toBe(3);
    // Nor does the console show it among the case's documents.
    expect(await approver.casePage(kycCase.id)).not.toContain(
      `/admin/documents/${form.documentId}`,
    );
  });
});

describe("scenario: a new kind of identity document autosaved, its photos uploaded, then confirmed", () => {
  it("keeps the photos uploaded for the new kind, and retires only the old kind's", async () => {
    const w = world();
    const trader = new Trader(w, 480_004);
    await trader.launch("kyc");
    const passport = { ...IDENTITY, documentKind: "passport", documentNumber: "P4800041" };
    await trader.fillStandardForms({}, passport);
    const page = await trader.upload("identity", "page");
    expect(page).toMatchObject({ status: 200, body: { state: "accepted" } });

    // The form autosaves the switch to an ID card; the upload screen asks for its two sides.
    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4800041" };
    expect(await trader.autosave("identity_document", card, 1)).toMatchObject({
      status: "saved",
      version: 2,
    });
    // A further autosave of the same kind (the number typed) keeps the time it was picked.
    expect(await trader.autosave("identity_document", card, 2)).toMatchObject({
      status: "saved",
      version: 3,
    });
    const { front, back } = await uploadCardSides(trader);
    const both = cardSides("accepted");

    expect(await trader.continue("identity_document", card, 3)).toBeDefined();
    expect(await trader.sides("identity")).toEqual(both);
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });

    const approver = await signedInStaff(w, "picked.approver@broker.example", "approver");
    const kycCase = await trader.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    expect(evidence.rounds[0]!.documentIds).toEqual(
      expect.arrayContaining([front.documentId, back.documentId]),
    );
    expect(evidence.rounds[0]!.documentIds).not.toContain(page.documentId);
    expect(evidence.documents.find((d) => d.id === page.documentId)?.replacedAt).toEqual(
      expect.any(String),
    );
    for (const side of [front, back])
      expect(evidence.documents.find((d) => d.id === side.documentId)?.replacedAt).toBeNull();
  });
});

describe("scenario: an ID card's photos uploaded, then a driving licence picked (autosaved)", () => {
  it("asks for the licence's own sides at once, never counting the card's photos that confirming it retires", async () => {
    const w = world();
    const trader = new Trader(w, 480_005);
    await trader.launch("kyc");
    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4800051" };
    await trader.fillStandardForms({}, card);
    const cardPhotos = await uploadCardSides(trader);

    // A licence has a front and a back too: the card's must not read as the licence's, on the
    // upload screen, the upload API or the overview, as "Save and continue" would retire them.
    const licence = { ...card, documentKind: "driving_licence", documentNumber: "DL4800051" };
    expect(await trader.autosave("identity_document", licence, 1)).toMatchObject({
      status: "saved",
      version: 2,
    });
    expect(await trader.sides("identity")).toEqual(cardSides("missing"));
    const screen = await trader.uploadScreen("identity");
    expect(screen).not.toContain('data-testid="upload-done"');
    expect(screen).toContain('data-testid="upload-screen" data-side="front"');
    const overview = await trader.html("kyc", { view: "overview" });
    for (const side of ["front", "back"])
      expect(overview).toContain(
        `data-document="identity" data-side="${side}" data-state="missing"`,
      );

    // The licence's photos, uploaded before the kind is confirmed, are the ones the case sends.
    const licencePhotos = await uploadCardSides(trader);
    expect(await trader.continue("identity_document", licence, 2)).toBeDefined();
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const approver = await signedInStaff(w, "licence.approver@broker.example", "approver");
    const kycCase = await trader.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    const roundIds = evidence.rounds[0]!.documentIds;
    expect(roundIds).toEqual(
      expect.arrayContaining([licencePhotos.front.documentId, licencePhotos.back.documentId]),
    );
    for (const old of [cardPhotos.front, cardPhotos.back])
      expect(roundIds).not.toContain(old.documentId);
  });
});

// PGlite runs in the app's process, on its clock: only a database server's clock can be off it.
(adminUrl() ? describe : describe.skip)(
  "scenario: the app server's clock is off the database's when a new kind is picked",
  () => {
    const SKEW_MS = 2 * 60_000;
    afterEach(() => jest.useRealTimers());

    it("ahead: keeps the ID card's sides uploaded after the pick, on the screen and through the confirm", async () => {
      const w = world();
      const trader = new Trader(w, 480_006);
      await trader.launch("kyc");
      const passport = { ...IDENTITY, documentKind: "passport", documentNumber: "P4800061" };
      await trader.fillStandardForms({}, passport);
      const page = await trader.upload("identity", "page");
      expect(page).toMatchObject({ status: 200, body: { state: "accepted" } });

      setClock(Date.now() + SKEW_MS, { advance: true });
      const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4800061" };
      await trader.autosave("identity_document", card, 1);
      const { front, back } = await uploadCardSides(trader);
      expect(await trader.continue("identity_document", card, 2)).toBeDefined();
      expect(await trader.sides("identity")).toEqual(cardSides("accepted"));

      const approver = await signedInStaff(w, "ahead.approver@broker.example", "approver");
      const evidence = (await (
        await approver.exportEvidence((await trader.currentCase()).id)
      ).json()) as Evidence;
      for (const side of [front, back])
        expect(evidence.documents.find((d) => d.id === side.documentId)?.replacedAt).toBeNull();
      expect(evidence.documents.find((d) => d.id === page.documentId)?.replacedAt).toEqual(
        expect.any(String),
      );
    });

    it("behind: never lets the ID card's photos, uploaded before a driving licence was picked, stand in for it", async () => {
      const w = world();
      const trader = new Trader(w, 480_007);
      await trader.launch("kyc");
      const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4800071" };
      await trader.fillStandardForms({}, card);
      const { front, back } = await uploadCardSides(trader);

      setClock(Date.now() - SKEW_MS, { advance: true });
      const licence = { ...card, documentKind: "driving_licence", documentNumber: "DL4800071" };
      await trader.autosave("identity_document", licence, 1);
      expect(await trader.sides("identity")).toEqual(cardSides("missing"));
      expect(await trader.continue("identity_document", licence, 2)).toBeDefined();
      expect(await trader.sides("identity")).toEqual(cardSides("missing"));

      const approver = await signedInStaff(w, "behind.approver@broker.example", "approver");
      const evidence = (await (
        await approver.exportEvidence((await trader.currentCase()).id)
      ).json()) as Evidence;
      for (const old of [front, back])
        expect(evidence.documents.find((d) => d.id === old.documentId)?.replacedAt).toEqual(
          expect.any(String),
        );
    });
  },
);

describe("scenario: an ID card's front still uploading when the trader switches to a driving licence", () => {
  it("keeps the card's front as evidence, never as the licence's front, in the flow, the console or the case sent", async () => {
    const w = world();
    const trader = new Trader(w, 480_301);
    await trader.launch("kyc");
    await trader.fillStandardForms({}, { documentKind: "id_card", documentNumber: "ID4803011" });
    const cardFront = await freshPhoto();
    const started = await trader.beginUpload("identity", "front", cardFront.length);
    expect(started.status).toBe(201);
    const form = started.body as StartedUpload;
    // A licence has the same two sides: nothing about the side tells the card's front apart.
    expect(
      await trader.continue("identity_document", {
        ...IDENTITY,
        documentKind: "driving_licence",
        documentNumber: "DL4803011",
      }),
    ).toBeDefined();
    expect((await postToStorage(form, cardFront, "image/jpeg")).status).toBeLessThan(300);
    // The card's front is not used, and the trader is told why.
    expect(await trader.confirm(form.documentId)).toMatchObject({
      status: 409,
      body: expect.objectContaining({ reason: "superseded" }),
    });
    // The licence still needs its front: the upload screen does not count the card's.
    expect(await trader.sides("identity")).toEqual(cardSides("missing"));
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    await expect(trader.submit()).resolves.not.toEqual({ redirect: "/inapp/kyc/status" });

    const { front, back } = await uploadCardSides(trader);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    const approver = await signedInStaff(w, "late.front.approver@broker.example", "approver");
    const kycCase = await trader.currentCase();
    const page = await approver.casePage(kycCase.id);
    expect(page).toContain(`/admin/documents/${front.documentId}`);
    expect(page).not.toContain(`/admin/documents/${form.documentId}`);
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    expect(evidence.rounds[0]!.documentIds).toEqual(
      expect.arrayContaining([front.documentId, back.documentId]),
    );
    expect(evidence.rounds[0]!.documentIds).not.toContain(form.documentId);
    // Kept as evidence of what the trader sent, marked as replaced and as never the case's.
    expect(evidence.documents.find((d) => d.id === form.documentId)).toMatchObject({
      replacedAt: expect.any(String),
      superseded: true,
    });
    expect(evidence.documents.find((d) => d.id === front.documentId)?.superseded).toBe(false);
  });
});

describe("scenario: the signed form posted again after its confirm decided (local storage)", () => {
  it("refuses the replay, refused file or accepted one, and the upload key stays empty", async () => {
    const w = world();
    const trader = new Trader(w, 480_401);
    await trader.launch("kyc");
    const kycCase = await trader.currentCase();

    // A file the check refuses: not the picture its type says.
    const junk = Buffer.from("not a picture at all, only text pretending to be one");
    const refused = await trader.upload("identity", "page", junk, "image/jpeg");
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(await storage().head(documentKey(kycCase.id, refused.documentId!))).toBeNull();
    // The same form, still valid for minutes: the file would wait in clear with no row.
    const replayed = await postToStorage(refused.form!, junk, "image/jpeg");
    expect(replayed.status).toBe(409);
    expect(await storage().head(documentKey(kycCase.id, refused.documentId!))).toBeNull();

    // A file the check accepts: its form is spent as well.
    const photo = await freshPhoto();
    const accepted = await trader.upload("identity", "page", photo);
    expect(accepted).toMatchObject({ status: 200, body: { state: "accepted" } });
    expect((await postToStorage(accepted.form!, photo, "image/jpeg")).status).toBe(409);
    expect(await storage().head(documentKey(kycCase.id, accepted.documentId!))).toBeNull();
    expect(await trader.confirm(accepted.documentId!)).toMatchObject({
      status: 200,
      body: { state: "accepted" },
    });
  });
});

describe("scenario: a trader taps between two kinds of identity document after uploading for one", () => {
  it("keeps the ID card's photos through a tap back to the confirmed passport, and sends them once the card is confirmed", async () => {
    const w = world();
    const trader = new Trader(w, 480_008);
    await trader.launch("kyc");
    const passport = { ...IDENTITY, documentKind: "passport", documentNumber: "P4800081" };
    await trader.fillStandardForms({}, passport);
    const page = await trader.upload("identity", "page");
    expect(page).toMatchObject({ status: 200, body: { state: "accepted" } });

    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4800081" };
    await trader.autosave("identity_document", card, 1);
    const { front, back } = await uploadCardSides(trader);
    // Back to the passport: its page is its own again, the card's sides are not a passport's.
    await trader.autosave("identity_document", passport, 2);
    expect(await trader.sides("identity")).toEqual([
      expect.objectContaining({ side: "page", state: "accepted" }),
    ]);
    // The ID card again: the photos uploaded for it are still its own, on every screen.
    await trader.autosave("identity_document", card, 3);
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.uploadScreen("identity")).toContain('data-testid="upload-done"');

    expect(await trader.continue("identity_document", card, 4)).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });

    const approver = await signedInStaff(w, "taps.approver@broker.example", "approver");
    const kycCase = await trader.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    expect(evidence.rounds[0]!.documentIds).toEqual(
      expect.arrayContaining([front.documentId, back.documentId]),
    );
    expect(evidence.rounds[0]!.documentIds).not.toContain(page.documentId);
    for (const side of [front, back])
      expect(evidence.documents.find((d) => d.id === side.documentId)?.replacedAt).toBeNull();
  });

  it("keeps the confirmed ID card's photos through a driving licence's uploaded between taps, and never counts the licence's as the card's", async () => {
    const w = world();
    const trader = new Trader(w, 480_009);
    await trader.launch("kyc");
    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4800091" };
    await trader.fillStandardForms({}, card);
    const cardPhotos = await uploadCardSides(trader);

    // Both kinds have a front and a back: the licence's photos are its own, beside the card's.
    const licence = { ...card, documentKind: "driving_licence", documentNumber: "DL4800091" };
    await trader.autosave("identity_document", licence, 1);
    expect(await trader.sides("identity")).toEqual(cardSides("missing"));
    const licencePhotos = await uploadCardSides(trader);
    await trader.autosave("identity_document", card, 2);
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    const overview = await trader.html("kyc", { view: "overview" });
    for (const side of ["front", "back"])
      expect(overview).toContain(
        `data-document="identity" data-side="${side}" data-state="accepted"`,
      );

    // Confirming the card keeps its photos and retires the licence's: they never go out as the card's.
    expect(await trader.continue("identity_document", card, 3)).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const approver = await signedInStaff(w, "tapback.approver@broker.example", "approver");
    const kycCase = await trader.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    expect(evidence.rounds[0]!.documentIds).toEqual(
      expect.arrayContaining([cardPhotos.front.documentId, cardPhotos.back.documentId]),
    );
    for (const side of [licencePhotos.front, licencePhotos.back]) {
      expect(evidence.rounds[0]!.documentIds).not.toContain(side.documentId);
      expect(evidence.documents.find((d) => d.id === side.documentId)?.replacedAt).toEqual(
        expect.any(String),
      );
    }
  });

  it("keeps a driving licence's photos for the licence when the card is tapped and the licence picked again", async () => {
    const w = world();
    const trader = new Trader(w, 480_010);
    await trader.launch("kyc");
    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4800101" };
    await trader.fillStandardForms({}, card);
    await uploadCardSides(trader);

    const licence = { ...card, documentKind: "driving_licence", documentNumber: "DL4800101" };
    await trader.autosave("identity_document", licence, 1);
    const licencePhotos = await uploadCardSides(trader);
    await trader.autosave("identity_document", card, 2);
    await trader.autosave("identity_document", licence, 3);
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.continue("identity_document", licence, 4)).toEqual({
      redirect: "/inapp/kyc",
    });
    expect(await trader.sides("identity")).toEqual(cardSides("accepted"));
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const approver = await signedInStaff(w, "licence.again.approver@broker.example", "approver");
    const kycCase = await trader.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    expect(evidence.rounds[0]!.documentIds).toEqual(
      expect.arrayContaining([licencePhotos.front.documentId, licencePhotos.back.documentId]),
    );
  });

  it("before any kind is confirmed, never counts an ID card's photos for a driving licence picked after them", async () => {
    const w = world();
    const trader = new Trader(w, 480_011);
    await trader.launch("kyc");
    await trader.continue("personal", PERSONAL);
    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4800111" };
    expect(await trader.autosave("identity_document", card, 0)).toMatchObject({
      status: "saved",
      version: 1,
    });
    const cardPhotos = await uploadCardSides(trader);
    const licence = { ...card, documentKind: "driving_licence", documentNumber: "DL4800111" };
    await trader.autosave("identity_document", licence, 1);
    expect(await trader.sides("identity")).toEqual(cardSides("missing"));
    expect(await trader.continue("identity_document", licence, 2)).toEqual({
      redirect: "/inapp/kyc",
    });
    expect(await trader.sides("identity")).toEqual(cardSides("missing"));
    const approver = await signedInStaff(w, "first.kind.approver@broker.example", "approver");
    const kycCase = await trader.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    for (const side of [cardPhotos.front, cardPhotos.back])
      expect(evidence.documents.find((d) => d.id === side.documentId)?.replacedAt).toEqual(
        expect.any(String),
      );
  });
});

describe('scenario: "Save and continue" with another kind of identity document and a form that does not pass', () => {
  it("shows the errors and confirms nothing: the confirmed kind's photos stay the case's", async () => {
    const w = world();
    const trader = new Trader(w, 480_012);
    await trader.launch("kyc");
    const passport = { ...IDENTITY, documentKind: "passport", documentNumber: "P4800121" };
    await trader.fillStandardForms({}, passport);
    const page = await trader.upload("identity", "page");
    expect(page).toMatchObject({ status: 200, body: { state: "accepted" } });

    const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "" };
    expect(await trader.continue("identity_document", card, 1)).toEqual({
      value: expect.objectContaining({
        status: "invalid",
        errors: expect.objectContaining({ documentNumber: expect.any(String) }),
      }),
    });
    // The trader goes back to the passport: its page was never retired.
    expect(await trader.continue("identity_document", passport, 2)).toEqual({
      redirect: "/inapp/kyc",
    });
    expect(await trader.sides("identity")).toEqual([
      expect.objectContaining({ side: "page", state: "accepted" }),
    ]);
    const approver = await signedInStaff(w, "invalid.kind.approver@broker.example", "approver");
    const kycCase = await trader.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    expect(evidence.documents.find((d) => d.id === page.documentId)?.replacedAt).toBeNull();
  });
});
