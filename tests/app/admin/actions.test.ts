/**
 * Console actions with bad, forged and unauthorised input: nothing changes, nothing crashes,
 * and the answer says why. The cases are a trader's real submission (cTrader's launch, the
 * forms, the uploads, the submit); the reviewer's account is made as `npm run staff:create` does.
 */
import { and, eq } from "drizzle-orm";
import { caseEvents } from "@/lib/db/schema";
import { getCaseForTrader } from "@/lib/db/queries/cases";
import { STAFF_COOKIE } from "@/lib/staff/auth";
import { Staff, Trader } from "../../scenarios/support/people";
import { Browser, scenarioWorld } from "../../scenarios/support/world";

jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextHeaders({ "x-forwarded-for": "192.0.2.10" }),
);
jest.mock("next-intl/server", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextIntlServer(),
);

import {
  approveAction,
  assignAction,
  claimAction,
  loginAction,
  rejectAction,
  replayDeadAction,
  replayEventAction,
  requestAction,
} from "@/app/admin/actions";

// These are the case actions; sign-in with a second factor: staff-accounts.test.ts.
const world = scenarioWorld({ STAFF_MFA_REVIEWERS: "0" });
let account: { email: string; password: string };
beforeAll(async () => {
  account = await world().createStaff("rev@broker.example", "reviewer");
});

const redirectOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    const digest = (error as { digest?: string }).digest ?? "";
    return decodeURIComponent(digest.split(";")[2] ?? "");
  }
  throw new Error("expected a redirect");
};
const form = (values: Record<string, string | string[]>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) for (const one of [v].flat()) f.append(k, one);
  return f;
};

/** The reviewer, signed in through the console's login form. */
async function signedIn(): Promise<Staff> {
  const reviewer = new Staff(account);
  await reviewer.signIn();
  return reviewer;
}

let nextUser = 81_000;
/** A trader's standard case, sent by the trader; its checks not yet run (the worker's job). */
async function submitted() {
  const trader = new Trader(world(), nextUser++);
  await trader.completeStandardLevel();
  const kycCase = await trader.currentCase();
  return { trader, kycCase, traderId: kycCase.traderId };
}

/** The event sequence a case page's forms send with every action (case-fields.tsx). */
const asShown = (kycCase: { eventSeq: number }) => ({ shownSeq: String(kycCase.eventSeq) });

describe("console actions", () => {
  it("without a staff session every action goes to the login page, also with a trader's cookie", async () => {
    const { trader, kycCase, traderId } = await submitted();
    // The trader's own browser, its session cookie also sent under the console's cookie name.
    const session = trader.cookies.get("__Host-kyc_session");
    expect(session).toBeDefined();
    trader.cookies.set(STAFF_COOKIE, session!);
    for (const action of [approveAction, claimAction, rejectAction, requestAction])
      expect(await trader.act(() => redirectOf(action(form({ caseId: kycCase.id }))))).toBe(
        "/admin/login",
      );
    expect((await getCaseForTrader(kycCase.id, traderId))?.status).toBe("submitted");
  });

  it("a wrong password is refused with a plain message; the right one signs in", async () => {
    const browser = new Browser();
    await browser.act(async () => {
      expect(
        await loginAction({}, form({ email: "rev@broker.example", password: "nope" })),
      ).toEqual({ error: "Email or password is wrong." });
      expect(await loginAction({}, form({}))).toEqual({ error: "Enter your email and password." });
      expect(
        await redirectOf(
          loginAction({}, form({ email: "REV@broker.example", password: account.password })),
        ),
      ).toBe("/admin");
    });
    expect(browser.cookies.get(STAFF_COOKIE)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("answers malformed and forged input with an explanation and changes nothing", async () => {
    const reviewer = await signedIn();
    const { kycCase, traderId } = await submitted();
    await reviewer.act(async () => {
      expect(await redirectOf(approveAction(form({ caseId: "../../etc/passwd" })))).toBe(
        "/admin?error=bad_case",
      );
      expect(await redirectOf(approveAction(form({})))).toBe("/admin?error=bad_case");
      expect(
        await redirectOf(
          approveAction(form({ caseId: "00000000-0000-4000-8000-000000000000", confirmed: "yes" })),
        ),
      ).toContain("?error=not_found");
      expect(
        await redirectOf(
          rejectAction(
            form({
              caseId: kycCase.id,
              ...asShown(kycCase),
              reasonCode: "<script>",
              confirmed: "yes",
            }),
          ),
        ),
      ).toBe(`/admin/cases/${kycCase.id}?error=unknown_reason`);
      // A decision sent without its confirmation (the dialog's "Yes") is refused, in words.
      expect(
        await redirectOf(approveAction(form({ caseId: kycCase.id, ...asShown(kycCase) }))),
      ).toBe(`/admin/cases/${kycCase.id}?error=confirmation_required`);
      expect(
        await redirectOf(
          rejectAction(
            form({
              caseId: kycCase.id,
              ...asShown(kycCase),
              reasonCode: "fraud_suspected",
              confirmed: "no",
            }),
          ),
        ),
      ).toBe(`/admin/cases/${kycCase.id}?error=confirmation_required`);
      // A decision whose form does not say which case the page showed (forged, or a page from
      // before this rule) decides nothing: the page shows the case again.
      expect(await redirectOf(approveAction(form({ caseId: kycCase.id, confirmed: "yes" })))).toBe(
        `/admin/cases/${kycCase.id}?error=changed`,
      );
      expect(
        await redirectOf(
          approveAction(form({ caseId: kycCase.id, shownSeq: "x", confirmed: "yes" })),
        ),
      ).toBe(`/admin/cases/${kycCase.id}?error=changed`);
      // An approval before the checks ran is refused, and says why.
      expect(
        await redirectOf(
          approveAction(form({ caseId: kycCase.id, ...asShown(kycCase), confirmed: "yes" })),
        ),
      ).toBe(`/admin/cases/${kycCase.id}?error=checks_running`);
      expect(
        await redirectOf(
          requestAction(
            form({
              caseId: kycCase.id,
              ...asShown(kycCase),
              items: ["step:../../x", "document:passport"],
              message: "hi",
            }),
          ),
        ),
      ).toContain("?error=items_required");
      expect(
        await redirectOf(
          requestAction(
            form({ caseId: kycCase.id, ...asShown(kycCase), items: "step:personal", message: "" }),
          ),
        ),
      ).toContain("?error=message_required");
    });
    const status = (await getCaseForTrader(kycCase.id, traderId))?.status;
    expect(["submitted", "in_review"]).toContain(status);
  });

  it("a reviewer cannot assign cases to others; the attempt changes nothing", async () => {
    const reviewer = await signedIn();
    const { kycCase, traderId } = await submitted();
    expect(
      await reviewer.act(() =>
        redirectOf(
          assignAction(form({ caseId: kycCase.id, ...asShown(kycCase), assignee: kycCase.id })),
        ),
      ),
    ).toBe("/admin?error=forbidden");
    expect((await getCaseForTrader(kycCase.id, traderId))?.assignedTo).toBeNull();
  });

  it("only an admin may replay deliveries", async () => {
    const reviewer = await signedIn();
    expect(await reviewer.act(() => redirectOf(replayDeadAction()))).toBe("/admin?error=forbidden");
    const { kycCase } = await submitted();
    expect(
      await reviewer.act(() =>
        redirectOf(
          replayEventAction(form({ caseId: kycCase.id, ...asShown(kycCase), eventId: kycCase.id })),
        ),
      ),
    ).toBe("/admin?error=forbidden");
  });

  it("a valid request for more reaches the trader", async () => {
    const reviewer = await signedIn();
    const { trader, kycCase, traderId } = await submitted();
    expect(
      await reviewer.act(() =>
        redirectOf(
          requestAction(
            form({
              caseId: kycCase.id,
              ...asShown(kycCase),
              items: ["step:personal", "document:identity"],
              message: "Name differs",
            }),
          ),
        ),
      ),
    ).toBe(`/admin/cases/${kycCase.id}?outcome=action_requested`);
    expect((await getCaseForTrader(kycCase.id, traderId))?.status).toBe("action_required");
    expect(await trader.status()).toBe("action_required");
  });

  it("keeps NUL out of the database: a login with one is refused plainly, a message with one is sent without it", async () => {
    expect(
      await new Browser().act(() =>
        loginAction({}, form({ email: "rev@broker.example\u0000", password: "x\u0000" })),
      ),
    ).toEqual({ error: "Email or password is wrong." });
    const reviewer = await signedIn();
    const { kycCase, traderId } = await submitted();
    expect(
      await reviewer.act(() =>
        redirectOf(
          requestAction(
            form({
              caseId: kycCase.id,
              ...asShown(kycCase),
              items: "step:personal",
              message: "Name\u0000 differs\nplease",
            }),
          ),
        ),
      ),
    ).toBe(`/admin/cases/${kycCase.id}?outcome=action_requested`);
    const [event] = await world()
      .db.db.select()
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, kycCase.id), eq(caseEvents.toStatus, "action_required")));
    expect(event?.messageForTrader).toBe("Name differs\nplease");
    expect((await getCaseForTrader(kycCase.id, traderId))?.status).toBe("action_required");
  });

  it("refuses a call whose argument is not a form, without reading it", async () => {
    const reviewer = await signedIn();
    await reviewer.act(async () => {
      for (const action of [approveAction, claimAction, rejectAction, requestAction, assignAction])
        for (const argument of [undefined, "caseId", { get: () => "x" }, new Map()])
          expect(await redirectOf(action(argument as never))).toBe("/admin?error=failed");
    });
    expect(await new Browser().act(() => loginAction({}, "email" as never))).toEqual({
      error: "Enter your email and password.",
    });
  });
});
