/**
 * What the overview tells a trader to do next, through a first round and a request for more:
 * a step whose form is in but whose photos are not is not "Done"; with everything in, the
 * screens say to send it (for review the first time, again after a request), not to continue
 * with steps that are finished; a refused submit does not speak of sending "again" on a first
 * submission.
 */
import "./support/request-scope";
import en from "@/messages/en.json";
import { textOf } from "../helpers/render-page";
import { ADDRESS, signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

/** The branch of an ICU select, as the screen prints it for that value. */
function branch(message: string, key: string): string {
  const found = new RegExp(`\\b${key} \\{([^{}]*)\\}`).exec(message);
  if (!found) throw new Error(`no branch ${key}`);
  return found[1]!;
}

/** The state the overview's step list shows for one step. */
function stepState(html: string, step: string): string {
  const item = new RegExp(
    `<li[^>]*data-step="${step}"[\\s\\S]*?<span class="step-state">([\\s\\S]*?)</span>`,
  ).exec(html);
  if (!item) throw new Error(`no step ${step}`);
  return textOf(item[1]!);
}

const nextOf = (html: string) =>
  /data-testid="next-step"[^>]*data-next="([a-z_]+)"/.exec(html)?.[1];

describe("scenario: the overview's next step follows what the trader has done", () => {
  it("says what is missing, then to send, then to send again after a request", async () => {
    const w = world();
    const trader = new Trader(w, 578_001);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();

    // Forms in, photos not: the steps with documents are not done, and the screens say so.
    let html = await trader.html("kyc", { view: "overview" });
    expect(stepState(html, "identity_document")).toContain(en.Steps.saved);
    expect(stepState(html, "identity_document")).not.toMatch(new RegExp(`^${en.Steps.done}\\b`));
    expect(stepState(html, "personal")).toMatch(new RegExp(`^${en.Steps.done}\\b`));
    expect(nextOf(html)).toBe("in_progress");
    expect(await trader.submit()).toEqual({
      value: { status: "error", message: en.Kyc.incomplete },
    });
    expect(en.Kyc.incomplete).not.toMatch(/again/i);

    await trader.uploadStandardDocuments();
    html = await trader.html("kyc", { view: "overview" });
    expect(stepState(html, "identity_document")).toMatch(new RegExp(`^${en.Steps.done}\\b`));
    expect(nextOf(html)).toBe("ready");
    expect(textOf(html)).toContain(branch(en.Phase.next, "ready"));
    expect(textOf(html)).not.toContain(branch(en.Phase.next, "in_progress"));
    // The status screen agrees.
    expect(nextOf(await trader.html("status"))).toBe("ready");

    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const reviewer = await signedInStaff(w, "next-step.reviewer@broker.example", "reviewer");
    const caseId = (await trader.currentCase()).id;
    expect(
      await reviewer.requestInformation(caseId, ["step:proof_of_address"], "A newer bill, please."),
    ).toBe("action_requested");

    await trader.launch("kyc");
    html = await trader.html("kyc", { view: "overview" });
    expect(nextOf(html)).toBe("action_required");
    await trader.continue("proof_of_address", ADDRESS());
    expect((await trader.upload("address")).status).toBe(200);
    html = await trader.html("kyc", { view: "overview" });
    expect(nextOf(html)).toBe("ready_again");
    expect(textOf(html)).toContain(branch(en.Phase.next, "ready_again"));
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    expect(nextOf(await trader.html("status"))).toBe("waiting");
  });
});
