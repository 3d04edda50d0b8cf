/**
 * Shared by the delivery tests: cases made the way they really are, and delivery state reads.
 * A trader launches from cTrader, fills the level's forms through the trader's actions, uploads
 * through the upload API and submits; the checks run in the worker's sweep; staff created as
 * `npm run staff:create` does decide in the console (tests/scenarios/support).
 */
import { listOutboxEventsForCase } from "@/lib/db/queries/outbox";
import { getDeliveriesForEvent, listAttemptsForEvent } from "@/lib/db/queries/outbox";
import { runHousekeeping } from "@/lib/jobs/housekeeping";
import { IDENTITY, PERSONAL } from "../../fixtures/kyc-values";
import { signedInStaff, Trader, type Staff } from "../../scenarios/support/people";
import { scenarioWorld, type World } from "../../scenarios/support/world";

let world: (() => World) | undefined;

/**
 * The scenario world the helpers below act in: call once at a file's top level (it registers
 * the file's beforeAll/afterAll). `env` overrides the world's configuration.
 */
export function deliveryWorld(env: Record<string, string | undefined> = {}): () => World {
  world = scenarioWorld(env);
  return world;
}

function w(): World {
  if (!world) throw new Error("call deliveryWorld() at the top of the test file");
  return world();
}

let nextUser = 40_000 + Math.floor(Math.random() * 1000) * 100;
let documentNumber = 100_000 + Math.floor(Math.random() * 800_000);
const traders = new Map<string, Trader>();

export type Person = { email?: string; locale?: string };

/**
 * A trader cTrader opens the verification screen for (`kycType` = level), in the trader's
 * language, with the email cTrader gives ("" for none): the draft case the launch opened.
 */
export async function freshCase(level = "standard", person: Person = {}) {
  const trader = new Trader(w(), nextUser++, person.locale);
  if (person.email !== undefined) w().setCtraderEmail(trader.userId, person.email);
  await trader.launch("kyc", { kycType: level });
  const kycCase = await trader.currentCase();
  traders.set(kycCase.id, trader);
  return kycCase;
}

/** The trader of a case from freshCase, for what the trader does next. */
export function traderOf(kycCase: { id: string }): Trader {
  const trader = traders.get(kycCase.id);
  if (!trader) throw new Error(`no trader launched case ${kycCase.id} here`);
  return trader;
}

/** The trader answers every form of the case's level and uploads its documents: ready to send. */
export async function completeCase(kycCase: { id: string; level: string }): Promise<void> {
  const trader = traderOf(kycCase);
  const expectRedirect = async (saved: ReturnType<Trader["continue"]>) => {
    const outcome = await saved;
    if (!("redirect" in outcome)) throw new Error(`a step was refused: ${JSON.stringify(outcome)}`);
  };
  if (kycCase.level === "standard") {
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
  } else if (kycCase.level === "basic") {
    await expectRedirect(trader.continue("personal", PERSONAL));
    await expectRedirect(
      trader.continue("identity_document", { ...IDENTITY, documentNumber: `B${documentNumber++}` }),
    );
    const upload = await trader.upload("identity");
    if (upload.status !== 200) throw new Error(`identity upload: ${JSON.stringify(upload)}`);
  } else throw new Error(`no forms known for level ${kycCase.level}`);
}

/** A launched case ready to submit: every form answered, every document uploaded. */
export async function readyCase(level = "standard") {
  const kycCase = await freshCase(level);
  await completeCase(kycCase);
  return kycCase;
}

/**
 * The trader completes the case (completeCase) and submits it: the submission's outbox event,
 * the only one the case has then, and its time.
 */
export async function submitCase(kycCase: {
  id: string;
  level: string;
}): Promise<{ eventId: string; at: Date }> {
  await completeCase(kycCase);
  const submitted = await traderOf(kycCase).submit();
  if (!("redirect" in submitted) || submitted.redirect !== "/inapp/kyc/status")
    throw new Error(`submit: ${JSON.stringify(submitted)}`);
  const events = await listOutboxEventsForCase(kycCase.id);
  if (events.length !== 1) throw new Error(`${events.length} events after the submission`);
  return { eventId: events[0]!.id, at: events[0]!.createdAt };
}

/**
 * A freshly launched trader's standard case, completed and submitted: one status change, so
 * one outbox event, not yet delivered (outside a request the app leaves it to the worker).
 * `at`: when it was submitted, the time its first delivery is due.
 */
export async function submitFreshCase(): Promise<{ eventId: string; caseId: string; at: Date }> {
  const kycCase = await freshCase();
  return { ...(await submitCase(kycCase)), caseId: kycCase.id };
}

let signers: { world: World; pair: Promise<[Staff, Staff]> } | undefined;
/** A reviewer and an approver signed in to the console of this file's world. */
export function staffPair(): Promise<[Staff, Staff]> {
  if (signers?.world !== w()) {
    const id = crypto.randomUUID().slice(0, 8);
    signers = {
      world: w(),
      pair: (async () => [
        await signedInStaff(w(), `reviewer-${id}@broker.example`, "reviewer"),
        await signedInStaff(w(), `approver-${id}@broker.example`, "approver"),
      ])(),
    };
  }
  return signers.pair;
}

/**
 * Takes a launched case through the trader's submit, the automated checks (the worker's sweep)
 * and a decision in the console; an approval gets the second signature when the risk asks for
 * one. Nothing is delivered meanwhile. The submission's and the decision's event ids.
 */
export async function decideCase(
  kycCase: { id: string; level: string },
  event: "approve" | "reject" | "request_action",
  messageForTrader?: string,
): Promise<{ submitEventId: string; eventId: string }> {
  const { eventId: submitEventId } = await submitCase(kycCase);
  return { submitEventId, eventId: await decideSubmittedCase(kycCase, event, messageForTrader) };
}

/** decideCase from the automated checks on, for a case submitted already: the decision's id. */
export async function decideSubmittedCase(
  kycCase: { id: string; level: string },
  event: "approve" | "reject" | "request_action",
  messageForTrader?: string,
): Promise<string> {
  await runHousekeeping();
  const [reviewer, approver] = await staffPair();
  let outcome: string;
  if (event === "approve") {
    outcome = await reviewer.approve(kycCase.id);
    if (outcome === "awaiting_co_sign") outcome = await approver.approve(kycCase.id);
  } else if (event === "reject") {
    outcome = await reviewer.reject(kycCase.id, "document_unreadable");
  } else {
    outcome = await reviewer.requestInformation(
      kycCase.id,
      ["document:identity"],
      messageForTrader ?? "Please send a sharper photo.",
    );
  }
  const expected = { approve: "approved", reject: "rejected_", request_action: "action_requested" };
  if (!outcome.startsWith(expected[event])) throw new Error(`the console answered ${outcome}`);
  const decided = (await listOutboxEventsForCase(kycCase.id)).at(-1);
  if (!decided) throw new Error("no event for the decision");
  return decided.id;
}

export async function deliveryOf(eventId: string) {
  const [row] = await getDeliveriesForEvent(eventId);
  if (!row) throw new Error(`no delivery for ${eventId}`);
  return row;
}

export { listAttemptsForEvent };

export async function until<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A probe may fail while connections are being cut (the connection-drop test): try again.
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
