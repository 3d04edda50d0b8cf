/**
 * Scenarios about the round an upload belongs to: a file the trader chose for one round (its
 * upload started, the signed form issued) is that round's or nothing. Once the round is sent, its
 * confirm is refused with words that ask for the file again, whatever the case asks for later: a
 * bill picked for the draft never turns up as the answer to a reviewer's request for a new bill.
 */
import "./support/request-scope";
import { IDENTITY } from "../fixtures/kyc-values";
import {
  freshPhoto,
  postToStorage,
  signedInStaff,
  Trader,
  type StartedUpload,
} from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

type Evidence = {
  rounds: { documentIds: string[] }[];
  documents: { id: string }[];
};

/** The upload screen starts an upload and the browser posts the file; the confirm is not sent. */
async function startedNotConfirmed(trader: Trader, type: "identity" | "address", side = "page") {
  const photo = await freshPhoto();
  const started = await trader.beginUpload(type, side as "page", photo.length);
  expect(started.status).toBe(201);
  const form = started.body as StartedUpload;
  expect((await postToStorage(form, photo, "image/jpeg")).status).toBeLessThan(300);
  return form;
}

const earlierRound = { status: 409, body: expect.objectContaining({ reason: "earlier_round" }) };

describe("scenario: a bill's upload started before the submit, confirmed after a reviewer asks for a new bill", () => {
  it("is refused as a file of an earlier round, and the answer the reviewer gets is the file uploaded for it", async () => {
    const w = world();
    const trader = new Trader(w, 497_001);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({}, { ...IDENTITY, documentNumber: "P4970011" });
    await trader.uploadStandardDocuments();
    // A second bill is on its way to replace the first when the trader sends the case.
    const early = await startedNotConfirmed(trader, "address");
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();

    const reviewer = await signedInStaff(w, "round.bill.reviewer@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(kycCase.id, ["document:address"], "The bill is cut off."),
    ).toBe("action_requested");

    // The tab that chose the early bill sends its confirm now: the draft it was chosen for is
    // gone, so it is not taken as the answer to the request.
    expect(await trader.confirm(early.documentId)).toMatchObject(earlierRound);
    await trader.launch("kyc");
    expect(await trader.sides("address")).toEqual([
      expect.objectContaining({ side: "page", state: "retake" }),
    ]);
    // The refusal took no file's place: the request is answered with the file uploaded for it.
    const answer = await trader.upload("address");
    expect(answer).toMatchObject({ status: 200, body: { state: "accepted" } });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    const approver = await signedInStaff(w, "round.bill.approver@broker.example", "approver");
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as Evidence;
    expect(evidence.rounds).toHaveLength(2);
    expect(evidence.rounds[1]!.documentIds).toContain(answer.documentId);
    for (const round of evidence.rounds) expect(round.documentIds).not.toContain(early.documentId);
    expect(evidence.documents.map((d) => d.id)).not.toContain(early.documentId);
    expect(await approver.casePage(kycCase.id)).not.toContain(
      `/admin/documents/${early.documentId}`,
    );
  });
});

describe("scenario: an answer's upload started before the resubmit, confirmed after the next request", () => {
  it("is refused: the file of one answer never lands in the next", async () => {
    const w = world();
    const trader = new Trader(w, 497_002);
    await trader.completeStandardLevel({}, { documentNumber: "P4970021" });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "round.answer.reviewer@broker.example", "reviewer");
    expect(await reviewer.requestInformation(kycCase.id, ["document:identity"], "Too dark.")).toBe(
      "action_requested",
    );
    await trader.launch("kyc");
    expect(await trader.upload("identity")).toMatchObject({ status: 200 });
    const early = await startedNotConfirmed(trader, "identity");
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    expect(await reviewer.requestInformation(kycCase.id, ["document:identity"], "Glare.")).toBe(
      "action_requested",
    );

    expect(await trader.confirm(early.documentId)).toMatchObject(earlierRound);
    await trader.launch("kyc");
    expect(await trader.sides("identity")).toEqual([
      expect.objectContaining({ side: "page", state: "retake" }),
    ]);
  });
});

describe("scenario: an answer's upload started, the case taken back into review, then asked again", () => {
  it("is refused: the file chosen for the first request is not the answer to the second", async () => {
    const w = world();
    const trader = new Trader(w, 497_003);
    await trader.completeStandardLevel({}, { documentNumber: "P4970031" });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "round.resume.reviewer@broker.example", "reviewer");
    expect(await reviewer.requestInformation(kycCase.id, ["document:address"], "Cut off.")).toBe(
      "action_requested",
    );
    await trader.launch("kyc");
    const early = await startedNotConfirmed(trader, "address");
    // The trader seems gone: the reviewer takes the case back, then asks for the bill again.
    expect(await reviewer.resumeReview(kycCase.id)).toBe("review_resumed");
    expect(await reviewer.requestInformation(kycCase.id, ["document:address"], "Newer bill.")).toBe(
      "action_requested",
    );

    expect(await trader.confirm(early.documentId)).toMatchObject(earlierRound);
    await trader.launch("kyc");
    expect(await trader.sides("address")).toEqual([
      expect.objectContaining({ side: "page", state: "retake" }),
    ]);
  });
});

describe("scenario: a draft's upload started, the case rejected with a retry, the trader tries again", () => {
  it("is refused: the rejected attempt's file does not turn up in the new draft", async () => {
    const w = world();
    const trader = new Trader(w, 497_004);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({}, { ...IDENTITY, documentNumber: "P4970041" });
    await trader.uploadStandardDocuments();
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "round.retry.reviewer@broker.example", "reviewer");
    expect(await reviewer.requestInformation(kycCase.id, ["document:address"], "Cut off.")).toBe(
      "action_requested",
    );
    await trader.launch("kyc");
    const early = await startedNotConfirmed(trader, "address");
    expect(await reviewer.reject(kycCase.id, "address_proof_invalid")).toBe("rejected_retry");
    await trader.launch("status");
    expect(await trader.retry()).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.currentCase()).status).toBe("draft");

    expect(await trader.confirm(early.documentId)).toMatchObject(earlierRound);
  });
});
