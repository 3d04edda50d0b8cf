/**
 * No case can get stuck. Random sequences of what people and the worker do — the trader
 * submitting, answering and starting again; reviewers approving, rejecting and asking for more;
 * approvers co-signing and withdrawing; admins reopening; the worker running the checks — walk
 * the case state machine through the real entry points. After every step, whatever state the
 * case reached, someone is offered a way forward on their screen: the trader on the
 * verification screen, or staff in the console.
 */
import "./support/request-scope";
import fc from "fast-check";
import { ADDRESS, signedInStaff, Trader, type Staff } from "./support/people";
import { scenarioWorld, type World } from "./support/world";

const world = scenarioWorld();

type Cast = { trader: Trader; reviewer: Staff; approver: Staff; admin: Staff; w: World };
type Step = (cast: Cast, caseId: string) => Promise<unknown>;

/** The trader sends what is open: every form and document they may change, then submit. */
const traderSends: Step = async ({ trader }) => {
  await trader.launch("kyc");
  await trader.continue("proof_of_address", ADDRESS());
  await trader.upload("identity");
  await trader.upload("address");
  return trader.submit();
};

const STEPS: Record<string, Step> = {
  "trader sends": traderSends,
  "trader starts again": ({ trader }) => trader.retry(),
  "worker runs": ({ w }) => w.worker(),
  "reviewer approves": ({ reviewer }, id) => reviewer.approve(id),
  "approver approves": ({ approver }, id) => approver.approve(id),
  "reviewer rejects (retry)": ({ reviewer }, id) => reviewer.reject(id, "address_proof_invalid"),
  "reviewer rejects (final)": ({ reviewer }, id) => reviewer.reject(id, "fraud_suspected"),
  "approver withdraws": ({ approver }, id) => approver.reject(id, "duplicate_account"),
  "reviewer asks for more": ({ reviewer }, id) =>
    reviewer.requestInformation(id, ["document:address"], "A newer bill, please."),
  "reviewer takes it back": ({ reviewer }, id) => reviewer.resumeReview(id),
  "admin reopens": ({ admin }, id) => admin.reopen(id, "Decided in error, reviewing again"),
};

/** Controls that move a case on, as rendered for the trader and for an admin. */
const TRADER_WAYS = ['data-testid="submit-form"', 'data-testid="retry-case"', "/inapp/kyc?step="];
const STAFF_WAYS = [
  'data-testid="reject"',
  'data-testid="reopen"',
  'data-testid="resume-review"',
  'data-testid="retry-checks"',
];

async function someoneCanAct(cast: Cast, caseId: string): Promise<boolean> {
  const console = await cast.admin.casePage(caseId);
  if (STAFF_WAYS.some((w) => console.includes(w))) return true;
  const screen = await cast.trader.html("kyc");
  return TRADER_WAYS.some((w) => screen.includes(w));
}

describe("the case state machine, walked through the real actions", () => {
  it("never reaches a state in which nobody has a way forward", async () => {
    const w = world();
    const reviewer = await signedInStaff(w, "walk.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "walk.approver@broker.example", "approver");
    const admin = await signedInStaff(w, "walk.admin@broker.example", "admin");
    let userId = 480_000;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...Object.keys(STEPS)), { minLength: 3, maxLength: 8 }),
        async (steps) => {
          const trader = new Trader(w, ++userId);
          const cast = { trader, reviewer, approver, admin, w };
          await trader.completeStandardLevel();
          const caseId = (await trader.currentCase()).id;
          // The worker runs after every submit in real life; the walk starts from there.
          for (const step of ["worker runs", ...steps]) {
            await STEPS[step]!(cast, caseId);
            const status = (await trader.currentCase()).status;
            seen.add(status);
            expect({
              after: step,
              status,
              someoneCanAct: await someoneCanAct(cast, caseId),
            }).toEqual({ after: step, status, someoneCanAct: true });
          }
        },
      ),
      {
        numRuns: 8,
        seed: 20261202,
        // Walks that surely pass through every state, before the random ones.
        examples: [
          [
            [
              "reviewer asks for more",
              "trader sends",
              "reviewer takes it back",
              "reviewer approves",
            ],
          ],
          [
            [
              "reviewer rejects (retry)",
              "trader starts again",
              "trader sends",
              "approver withdraws",
            ],
          ],
          [
            [
              "reviewer rejects (final)",
              "admin reopens",
              "reviewer approves",
              "approver withdraws",
            ],
          ],
        ],
      },
    );
    // The walk went through the states a case lives in.
    for (const status of [
      "draft",
      "resubmitted",
      "in_review",
      "action_required",
      "rejected",
      "approved",
    ])
      expect(seen).toContain(status);
  }, 600_000);
});
