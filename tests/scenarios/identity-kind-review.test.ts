/**
 * Scenarios: an identity photo whose upload started for one kind of document (an ID card) lands
 * after the trader confirmed another (a driving licence), from the desktop or from the phone the
 * upload was handed to. Both kinds have a front and a back, so the card's front must never become
 * the licence's: it is kept as evidence, marked superseded, never current, never sent nor read by
 * the checks, and the trader is told it was not used. That holds too when the phone's start read
 * the card as the picked kind just before the desktop's "Save and continue" on the licence wrote.
 */
import "./support/request-scope";
import { POST as createHandoff } from "@/app/api/inapp/handoff/route";
import { GET as listSides, POST as startUpload } from "@/app/api/inapp/documents/route";
import { POST as confirmUpload } from "@/app/api/inapp/documents/[id]/confirm/route";
import UploadPage from "@/app/inapp/kyc/upload/page";
import { phoneHandoffResponse } from "@/lib/identity/handoff-contract";
import { renderPage } from "../helpers/render-page";
import { IDENTITY } from "../fixtures/kyc-values";
import {
  freshPhoto,
  postToStorage,
  signedInStaff,
  Trader,
  type StartedUpload,
} from "./support/people";
import { inTurnBehindCase } from "./support/faults";
import { BROKER, scenarioWorld, type World } from "./support/world";
import { HandoffPhone, SAME_ORIGIN } from "./support/phone";

const world = scenarioWorld();

type Evidence = {
  rounds: { documentIds: string[] }[];
  documents: {
    id: string;
    side: string;
    identityKind: string | null;
    replacedAt: string | null;
    superseded: boolean;
  }[];
  checkRuns: { results: { check: string; evidence: { documents?: number } }[] }[];
};

const card = { ...IDENTITY, documentKind: "id_card", documentNumber: "ID4820011" };
const licence = { ...IDENTITY, documentKind: "driving_licence", documentNumber: "DL4820011" };

const twoSides = (state: "accepted" | "missing") => [
  expect.objectContaining({ side: "front", state }),
  expect.objectContaining({ side: "back", state }),
];

const superseded = { status: 409, body: expect.objectContaining({ reason: "superseded" }) };

async function evidenceOf(w: World, trader: Trader, email: string) {
  const approver = await signedInStaff(w, email, "approver");
  const kycCase = await trader.currentCase();
  const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
  return { evidence, casePage: await approver.casePage(kycCase.id) };
}

/** A started upload's own form: the signed POST the file goes to. */
async function begun(trader: Trader, side: "front" | "back") {
  const file = await freshPhoto();
  const started = await trader.beginUpload("identity", side, file.length);
  expect(started.status).toBe(201);
  return { file, form: started.body as StartedUpload };
}

/** The rest of the case sent, the licence's two sides uploaded; what was sent and checked. */
async function sendLicence(
  w: World,
  trader: Trader,
  upload: (side: "front" | "back") => Promise<string>,
) {
  const front = await upload("front");
  const back = await upload("back");
  expect(await trader.sides("identity")).toEqual(twoSides("accepted"));
  expect(await trader.upload("address")).toMatchObject({ status: 200 });
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  await w.worker();
  return { front, back };
}

function expectOnlyLicenceSent(
  evidence: Evidence,
  casePage: string,
  licencePhotos: { front: string; back: string },
  cardFront: string,
) {
  const sent = evidence.rounds[0]!.documentIds;
  expect(sent).toEqual(expect.arrayContaining([licencePhotos.front, licencePhotos.back]));
  expect(sent).not.toContain(cardFront);
  // Kept as evidence of what arrived, with the kind it was taken for, never current.
  expect(evidence.documents.find((d) => d.id === cardFront)).toMatchObject({
    side: "front",
    identityKind: "id_card",
    replacedAt: expect.any(String),
    superseded: true,
  });
  for (const id of [licencePhotos.front, licencePhotos.back])
    expect(evidence.documents.find((d) => d.id === id)).toMatchObject({
      identityKind: "driving_licence",
      replacedAt: null,
      superseded: false,
    });
  // The checks read the licence's two sides and the bill, not the card's front.
  const quality = evidence.checkRuns
    .flatMap((run) => run.results)
    .find((r) => r.check === "upload_quality");
  expect(quality?.evidence.documents).toBe(3);
  expect(casePage).not.toContain(`/admin/documents/${cardFront}`);
  expect(casePage).not.toContain("· National identity card");
}

describe("scenario: an ID card's front still uploading when the trader confirms a driving licence", () => {
  it("lands superseded, never the licence's front: the licence's own sides are asked for and sent", async () => {
    const w = world();
    const trader = new Trader(w, 482_001);
    await trader.launch("kyc");
    await trader.fillStandardForms({}, card);
    const { file, form } = await begun(trader, "front");
    // The trader switches to the licence and confirms it before the card's front has arrived.
    expect(await trader.continue("identity_document", licence)).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.sides("identity")).toEqual(twoSides("missing"));
    expect((await postToStorage(form, file, "image/jpeg")).status).toBeLessThan(300);
    expect(await trader.confirm(form.documentId)).toMatchObject(superseded);
    expect(await trader.confirm(form.documentId)).toMatchObject(superseded);
    expect(await trader.sides("identity")).toEqual(twoSides("missing"));

    const licencePhotos = await sendLicence(w, trader, async (side) => {
      const up = await trader.upload("identity", side);
      expect(up.status).toBe(200);
      return up.documentId!;
    });
    const { evidence, casePage } = await evidenceOf(w, trader, "late.card.approver@broker.example");
    expectOnlyLicenceSent(evidence, casePage, licencePhotos, form.documentId);
  });

  it("lands after the licence's own front: it takes no place of it, whichever kind is confirmed again", async () => {
    const w = world();
    const trader = new Trader(w, 482_002);
    await trader.launch("kyc");
    await trader.fillStandardForms({}, { ...card, documentNumber: "ID4820021" });
    const { file, form } = await begun(trader, "front");
    const dl = { ...licence, documentNumber: "DL4820021" };
    expect(await trader.continue("identity_document", dl)).toEqual({ redirect: "/inapp/kyc" });
    const front = await trader.upload("identity", "front");
    expect(front.status).toBe(200);
    expect((await postToStorage(form, file, "image/jpeg")).status).toBeLessThan(300);
    expect(await trader.confirm(form.documentId)).toMatchObject(superseded);
    expect(await trader.sides("identity")).toEqual([
      expect.objectContaining({ side: "front", state: "accepted" }),
      expect.objectContaining({ side: "back", state: "missing" }),
    ]);
    // "Save and continue" on the licence again changes nothing of its front.
    const version = Number(
      /name="draftVersion" value="(\d+)"/.exec(
        await trader.html("kyc", { step: "identity_document" }),
      )?.[1],
    );
    expect(await trader.continue("identity_document", dl, version)).toEqual({
      redirect: "/inapp/kyc",
    });
    const licencePhotos = await sendLicence(w, trader, async (side) => {
      if (side === "front") return front.documentId!;
      const up = await trader.upload("identity", side);
      expect(up.status).toBe(200);
      return up.documentId!;
    });
    const { evidence, casePage } = await evidenceOf(
      w,
      trader,
      "late.card2.approver@broker.example",
    );
    expectOnlyLicenceSent(evidence, casePage, licencePhotos, form.documentId);
  });
});

/** The trader's phone, given the identity upload by the desktop's QR code. */
class Phone extends HandoffPhone {
  /** The sign-in reference the phone's upload screen wrote, which its requests carry. */
  private window = "";
  /** The kind of identity document the screen shows the sides of, as its last answer said. */
  private shown: string | null = null;

  override async redeem(url: string): Promise<void> {
    await super.redeem(url);
    const screen = await this.act(() =>
      renderPage(UploadPage({ searchParams: Promise.resolve({ documentType: "identity" }) })),
    );
    this.window = /data-window="([^"]+)"/.exec(screen)?.[1] ?? "";
    expect(this.window).not.toBe("");
    await this.sides();
  }

  private get headers() {
    return { ...SAME_ORIGIN, "x-kyc-window": this.window };
  }

  async begin(side: "front" | "back", size: number): Promise<StartedUpload> {
    const started = await this.start(side, size);
    expect(started.status).toBe(201);
    return started.body as StartedUpload;
  }

  /** The upload screen asks where to post a file: the answer as it came. */
  start(side: "front" | "back", size: number) {
    return this.act(async () => {
      const response = await startUpload(
        new Request(`${BROKER}/api/inapp/documents`, {
          method: "POST",
          headers: { ...this.headers, "content-type": "application/json" },
          body: JSON.stringify({
            documentType: "identity",
            side,
            contentType: "image/jpeg",
            size,
            identityKind: this.shown,
          }),
        }),
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    });
  }

  confirm(documentId: string) {
    return this.act(async () => {
      const response = await confirmUpload(
        new Request(`${BROKER}/api/inapp/documents/${documentId}/confirm`, {
          method: "POST",
          headers: this.headers,
        }),
        { params: Promise.resolve({ id: documentId }) },
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    });
  }

  async upload(side: "front" | "back"): Promise<string> {
    const file = await freshPhoto();
    const form = await this.begin(side, file.length);
    expect((await postToStorage(form, file, "image/jpeg")).status).toBeLessThan(300);
    expect(await this.confirm(form.documentId)).toMatchObject({ status: 200 });
    return form.documentId;
  }

  /** The kind the screen shows the sides of. */
  get shownKind() {
    return this.shown;
  }

  sides() {
    return this.act(async () => {
      const response = await listSides(
        new Request(`${BROKER}/api/inapp/documents?documentType=identity`, {
          headers: this.headers,
        }),
      );
      expect(response.status).toBe(200);
      const answer = (await response.json()) as {
        sides: { side: string; state: string }[];
        identityKind: string | null;
      };
      this.shown = answer.identityKind;
      return answer.sides;
    });
  }
}

async function handoffLink(desktop: Trader): Promise<string> {
  const window = await desktop.windowRef({ documentType: "identity" });
  return desktop.act(async () => {
    const response = await createHandoff(
      new Request(`${BROKER}/api/inapp/handoff`, {
        method: "POST",
        headers: { ...SAME_ORIGIN, "x-kyc-window": window, "content-type": "application/json" },
        body: JSON.stringify({ documentType: "identity" }),
      }),
    );
    expect(response.status).toBe(201);
    return phoneHandoffResponse.parse(await response.json()).url;
  });
}

describe("scenario: the phone uploads the ID card's front while the desktop confirms a driving licence", () => {
  it("the phone's card front lands superseded; the phone then shows and sends the licence's sides", async () => {
    const w = world();
    const desktop = new Trader(w, 482_011);
    await desktop.launch("kyc");
    await desktop.fillStandardForms({}, { ...card, documentNumber: "ID4820111" });
    const phone = new Phone();
    await phone.redeem(await handoffLink(desktop));
    expect(await phone.sides()).toEqual(twoSides("missing"));
    const file = await freshPhoto();
    const form = await phone.begin("front", file.length);
    // On the desktop, the trader picks the licence (each tap autosaved) and confirms it.
    const dl = { ...licence, documentNumber: "DL4820111" };
    const version = Number(
      /name="draftVersion" value="(\d+)"/.exec(
        await desktop.html("kyc", { step: "identity_document" }),
      )?.[1],
    );
    expect(await desktop.autosave("identity_document", dl, version)).toMatchObject({
      status: "saved",
    });
    expect(await desktop.continue("identity_document", dl, version + 1)).toEqual({
      redirect: "/inapp/kyc",
    });
    expect((await postToStorage(form, file, "image/jpeg")).status).toBeLessThan(300);
    expect(await phone.confirm(form.documentId)).toMatchObject(superseded);
    expect(await phone.sides()).toEqual(twoSides("missing"));
    expect(await desktop.sides("identity")).toEqual(twoSides("missing"));

    const licencePhotos = await sendLicence(w, desktop, async (side) => phone.upload(side));
    const { evidence, casePage } = await evidenceOf(
      w,
      desktop,
      "phone.card.approver@broker.example",
    );
    expectOnlyLicenceSent(evidence, casePage, licencePhotos, form.documentId);
  });
});

describe("scenario: the phone starts the card's front just as the desktop's licence is confirmed", () => {
  it("the start read the card before the confirm wrote: no card front is recorded, and the phone is told it was not used", async () => {
    const w = world();
    if (w.db.target?.kind !== "postgres") return;
    const desktop = new Trader(w, 482_012);
    await desktop.launch("kyc");
    await desktop.fillStandardForms({}, { ...card, documentNumber: "ID4820121" });
    const phone = new Phone();
    await phone.redeem(await handoffLink(desktop));
    const kycCase = await desktop.currentCase();
    const dl = { ...licence, documentNumber: "DL4820121" };
    const file = await freshPhoto();
    // Another write holds the case: the desktop's confirm of the licence waits for it first, then
    // the phone's start, which has read the card as the picked kind by then. Both go on in that
    // order once it lets go.
    const [confirmed, started] = await inTurnBehindCase(
      w,
      kycCase.id,
      () => desktop.continue("identity_document", dl),
      () => phone.start("front", file.length),
    );
    expect(confirmed).toEqual({ redirect: "/inapp/kyc" });
    // Taken for the card, which is retired: neither the card's front nor the licence's. The
    // screen words `superseded` and shows the licence's sides.
    expect(started).toMatchObject(superseded);
    expect(await phone.sides()).toEqual(twoSides("missing"));

    const licencePhotos = await sendLicence(w, desktop, async (side) => phone.upload(side));
    const approver = await signedInStaff(w, "race.card.approver@broker.example", "approver");
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    const current = evidence.documents.filter(
      (d) => d.replacedAt === null && d.identityKind !== null,
    );
    expect(current.map((d) => d.id).sort()).toEqual(
      [licencePhotos.front, licencePhotos.back].sort(),
    );
    expect(evidence.rounds[0]!.documentIds).toEqual(
      expect.arrayContaining([licencePhotos.front, licencePhotos.back]),
    );
    expect(current.every((d) => d.identityKind === "driving_licence")).toBe(true);
  });

  it("a save of the same kind meanwhile (a field typed on the desktop) still takes the card's front", async () => {
    const w = world();
    if (w.db.target?.kind !== "postgres") return;
    const desktop = new Trader(w, 482_013);
    await desktop.launch("kyc");
    const cardValues = { ...card, documentNumber: "ID4820131" };
    await desktop.fillStandardForms({}, cardValues);
    const phone = new Phone();
    await phone.redeem(await handoffLink(desktop));
    const kycCase = await desktop.currentCase();
    const version = Number(
      /name="draftVersion" value="(\d+)"/.exec(
        await desktop.html("kyc", { step: "identity_document" }),
      )?.[1],
    );
    const file = await freshPhoto();
    // A field typed on the desktop saves first, then the phone's start: both behind the case.
    const [saved, reply] = await inTurnBehindCase(
      w,
      kycCase.id,
      () =>
        desktop.autosave(
          "identity_document",
          { ...cardValues, documentNumber: "ID4820132" },
          version,
        ),
      () => phone.start("front", file.length),
    );
    expect(saved).toMatchObject({ status: "saved" });
    expect(reply.status).toBe(201);
    const form = reply.body as StartedUpload;
    expect((await postToStorage(form, file, "image/jpeg")).status).toBeLessThan(300);
    expect(await phone.confirm(form.documentId)).toMatchObject({ status: 200 });
    expect(await phone.sides()).toEqual([
      expect.objectContaining({ side: "front", state: "accepted" }),
      expect.objectContaining({ side: "back", state: "missing" }),
    ]);
  });
});

describe("scenario: the phone still shows the ID card's sides after the desktop picked a driving licence", () => {
  it("refuses the photo taken for the card as not used, records nothing, and takes the licence's once the phone shows its sides", async () => {
    const w = world();
    const desktop = new Trader(w, 482_021);
    await desktop.launch("kyc");
    await desktop.fillStandardForms({}, { ...card, documentNumber: "ID4820211" });
    const phone = new Phone();
    await phone.redeem(await handoffLink(desktop));
    expect(phone.shownKind).toBe("id_card");

    // On the desktop the trader taps the licence (autosaved, not confirmed); the phone's screen
    // has not looked again and still asks for the card's front.
    const dl = { ...licence, documentNumber: "DL4820211" };
    const version = Number(
      /name="draftVersion" value="(\d+)"/.exec(
        await desktop.html("kyc", { step: "identity_document" }),
      )?.[1],
    );
    expect(await desktop.autosave("identity_document", dl, version)).toMatchObject({
      status: "saved",
    });
    expect(await phone.start("front", 10_000)).toMatchObject(superseded);

    // Told so, the screen looks again: the licence's sides, and its front is taken as the licence's.
    expect(await phone.sides()).toEqual(twoSides("missing"));
    expect(phone.shownKind).toBe("driving_licence");
    const front = await phone.upload("front");
    expect(await desktop.sides("identity")).toEqual([
      expect.objectContaining({ side: "front", state: "accepted" }),
      expect.objectContaining({ side: "back", state: "missing" }),
    ]);
    // Back to the card: the licence's front is not the card's.
    expect(await desktop.autosave("identity_document", card, version + 1)).toMatchObject({
      status: "saved",
    });
    expect(await desktop.sides("identity")).toEqual(twoSides("missing"));

    const { evidence } = await evidenceOf(w, desktop, "stale.phone.approver@broker.example");
    expect(evidence.documents.map((d) => [d.id, d.identityKind])).toEqual([
      [front, "driving_licence"],
    ]);
  });
});
