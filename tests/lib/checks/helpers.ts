/**
 * Submitted cases for the checks and review tests, made the way traders make them, in the
 * scenario world (tests/scenarios/support): cTrader launches the trader at the basic level, the
 * trader answers the personal and identity document steps through the step actions, uploads the
 * passport photo through the upload API and submits. Outside a request the app leaves the
 * automated checks to the worker, so the case is `submitted` with its checks not run: a test
 * runs them itself (the unit under test) or through the world's worker.
 *
 * What the checks find in a document comes from the photo itself: a blurred photo is one with
 * an upload quality issue, the same photo uploaded by two traders is one used by another trader.
 */
import { getStaffByEmail } from "@/lib/db/queries/staff";
import type { KycCase, StaffRole } from "@/lib/db/schema";
import type { PersonalValues } from "@/lib/kyc/steps/personal";
import type { Reviewer } from "@/lib/review/decisions";
import { IDENTITY, PERSONAL } from "../../fixtures/kyc-values";
import { freshPhoto, Trader } from "../../scenarios/support/people";
import { scenarioWorld, type World } from "../../scenarios/support/world";

export { IDENTITY, PERSONAL };

/** A person on the OFAC excerpt (ent_num 6707), living in Sweden. */
export const LISTED_PERSON: PersonalValues = {
  ...PERSONAL,
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
  nationalities: ["MX"],
};

let world: (() => World) | undefined;

/**
 * The scenario world the cases below are made in: call once at a file's top level (it registers
 * the file's beforeAll/afterAll). `env` overrides the world's configuration.
 */
export function checksWorld(env: Record<string, string | undefined> = {}): () => World {
  world = scenarioWorld(env);
  return world;
}

function w(): World {
  if (!world) throw new Error("call checksWorld() at the top of the test file");
  return world();
}

let nextUser = 880_000;
let documentNumber = 100_000;

export type CaseOptions = {
  personal?: Partial<PersonalValues>;
  /** The passport's answers; without a number, one no other trader has. */
  identity?: Partial<typeof IDENTITY>;
  /** The passport photo the trader uploads; without one, a sharp photo no other trader has. */
  photo?: Buffer;
};

/**
 * A basic-level case (personal details, a passport and its photo), submitted by its trader.
 * `trader`: the trader's record; `person`: the trader's browser, for what the trader does next.
 */
export async function submittedCase(
  options: CaseOptions = {},
): Promise<{ trader: { id: string }; kycCase: KycCase; person: Trader }> {
  const person = new Trader(w(), nextUser++);
  await person.launch("kyc", { kycType: "basic" });
  const answer = async (step: string, values: Record<string, string | string[]>) => {
    const saved = await person.continue(step, values);
    if (!("redirect" in saved)) throw new Error(`${step}: ${JSON.stringify(saved)}`);
  };
  await answer("personal", { ...PERSONAL, ...options.personal });
  await answer("identity_document", {
    ...IDENTITY,
    documentNumber: `C${documentNumber++}`,
    ...options.identity,
  });
  const upload = await person.upload("identity", "page", options.photo ?? (await freshPhoto()));
  if (upload.status !== 200 || upload.body.state !== "accepted")
    throw new Error(`upload: ${JSON.stringify(upload.body)}`);
  const submitted = await person.submit();
  if (!("redirect" in submitted) || submitted.redirect !== "/inapp/kyc/status")
    throw new Error(`submit: ${JSON.stringify(submitted)}`);
  const kycCase = await person.currentCase();
  if (kycCase.status !== "submitted") throw new Error(`not submitted: ${kycCase.status}`);
  return { trader: { id: kycCase.traderId }, kycCase, person };
}

/**
 * A console account made as `npm run staff:create` makes it, as the review functions know their
 * caller: its id and role.
 */
export async function staffAccount(email: string, role: StaffRole): Promise<Reviewer> {
  await w().createStaff(email, role);
  const staff = await getStaffByEmail(email);
  if (!staff) throw new Error(`no account for ${email}`);
  return { id: staff.id, role: staff.role };
}
