/**
 * Scenario: a level that asks for a selfie. The trader's screen gets an attempt (prompts in an
 * order the server drew), uploads one live frame per prompt through the ordinary upload API, and
 * cannot submit before the selfie is complete; a repeated frame and a replayed attempt are
 * refused. The reviewer sees each frame with the prompt it answered, beside the identity
 * document, and the selfie check asks them to compare (never an auto-approval).
 */
import "./support/request-scope";
import path from "node:path";
import { portrait } from "../fixtures/selfie/portrait";
import { freshPhoto, signedInStaff, Trader } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

// The built-in levels plus `standard_selfie` (the browser tests run with the same file).
const levelsPath = path.join(__dirname, "../fixtures/levels/with-selfie.json");

const world = scenarioWorld({ KYC_LEVELS_PATH: levelsPath, AUTO_APPROVE: "1" });

beforeAll(async () => {
  await world().importLists([OFAC_EXCERPT]);
});

describe("scenario: a level that asks for a selfie", () => {
  it("takes one live frame per prompt, refuses repeats and replays, and shows the reviewer the frames", async () => {
    const w = world();
    const trader = new Trader(w, 530_001, "en");
    await trader.launch("kyc", { kycType: "standard_selfie" });
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    expect(await trader.sides("selfie")).toEqual([
      expect.objectContaining({ side: "page", state: "missing" }),
    ]);
    expect(await trader.submit()).not.toEqual({ redirect: "/inapp/kyc/status" });

    const attempt = await trader.selfieChallenge();
    expect(attempt.status).toBe(201);
    const { challengeId, prompts } = attempt.body as { challengeId: string; prompts: string[] };
    expect([...prompts].sort()).toEqual(["blink", "look_left", "look_right"]);

    const first = await portrait(250, 1);
    expect((await trader.uploadSelfieFrame(challengeId, "frame_1", first)).status).toBe(200);
    expect(
      (await trader.uploadSelfieFrame(challengeId, "frame_2", await portrait(390, 2))).status,
    ).toBe(200);
    // One photo for two prompts is not a live capture.
    const repeated = await trader.uploadSelfieFrame(challengeId, "frame_3", first);
    expect(repeated).toMatchObject({ status: 422, body: { reason: "frame_repeated" } });
    expect(await trader.sides("selfie")).toEqual([
      expect.objectContaining({ side: "page", state: "missing" }),
    ]);
    expect(
      (await trader.uploadSelfieFrame(challengeId, "frame_3", await portrait(320, 3))).status,
    ).toBe(200);
    expect(await trader.sides("selfie")).toEqual([
      expect.objectContaining({ side: "page", state: "accepted" }),
    ]);
    // The attempt is spent: its requests cannot put other frames into the case.
    const replay = await trader.uploadSelfieFrame(challengeId, "frame_1", await portrait(200, 4));
    expect(replay).toMatchObject({ status: 409, body: { reason: "challenge_invalid" } });

    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    // Clean lists, every other check passed, AUTO_APPROVE on: the selfie still needs a person.
    expect(await trader.status()).toBe("in_review");

    const kycCase = await trader.currentCase();
    const reviewer = await signedInStaff(w, "selfie.reviewer@broker.example", "reviewer");
    const page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-check="selfie" data-outcome="warn"');
    for (const [i, prompt] of prompts.entries())
      expect(page).toContain(`data-selfie-frame="frame_${i + 1}" data-prompt="${prompt}"`);
    expect(page).toContain('data-testid="selfie-identity"');
  });

  it("offers no selfie on a level that does not ask for one", async () => {
    const w = world();
    const trader = new Trader(w, 530_002, "en");
    await trader.launch("kyc", { kycType: "standard" });
    expect(await trader.selfieChallenge()).toMatchObject({
      status: 409,
      body: { reason: "not_editable" },
    });
    expect((await trader.upload("identity", "page", await freshPhoto())).status).toBe(200);
  });
});
