/**
 * Console actions with bad, forged and unauthorised input: nothing changes, nothing crashes,
 * and the answer says why.
 */
import { and, eq } from "drizzle-orm";
import { caseEvents } from "@/lib/db/schema";
import { ensureOpenCase, getCaseForTrader } from "@/lib/db/queries/cases";
import { insertStaffUser } from "@/lib/db/queries/staff";
import { upsertTrader } from "@/lib/db/queries/traders";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { loginStaff, STAFF_COOKIE } from "@/lib/staff/auth";
import { hashPassword } from "@/lib/staff/passwords";
import { jar } from "../../helpers/request-scope";
import { openSession } from "../../helpers/sessions";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

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

let t: TestDb;
const PASSWORD = "console password 123";
beforeAll(async () => {
  // These are the case actions; sign-in with a second factor: staff-accounts.test.ts.
  setTestEnv({ STAFF_MFA_REVIEWERS: "0" });
  t = await createTestDb();
  await insertStaffUser({
    email: "rev@broker.example",
    displayName: "Rev",
    role: "reviewer",
    passwordHash: await hashPassword(PASSWORD),
  });
});
afterAll(() => t.close());

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

async function signedIn() {
  const result = await loginStaff({ email: "rev@broker.example", password: PASSWORD, client: "x" });
  if (!result.ok) throw new Error("login");
  jar.clear();
  jar.set(STAFF_COOKIE, result.cookie.value);
}

let nextUser = 81_000;
async function submitted() {
  const trader = await upsertTrader(
    { ctraderUserId: nextUser++, email: null, tradingLogin: null },
    "en",
  );
  const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
  await changeCaseStatus({ kycCase, event: "submit", actor: { type: "trader", id: trader.id } });
  return { trader, kycCase };
}

describe("console actions", () => {
  it("without a staff session every action goes to the login page, also with a trader's cookie", async () => {
    jar.clear();
    const { trader, kycCase } = await submitted();
    const session = await openSession(trader.id, kycCase.id);
    jar.set("__Host-kyc_session", session.id);
    jar.set(STAFF_COOKIE, session.id);
    for (const action of [approveAction, claimAction, rejectAction, requestAction])
      expect(await redirectOf(action(form({ caseId: kycCase.id })))).toBe("/admin/login");
    expect((await getCaseForTrader(kycCase.id, trader.id))?.status).toBe("submitted");
  });

  it("a wrong password is refused with a plain message; the right one signs in", async () => {
    jar.clear();
    expect(await loginAction({}, form({ email: "rev@broker.example", password: "nope" }))).toEqual({
      error: "Email or password is wrong.",
    });
    expect(await loginAction({}, form({}))).toEqual({ error: "Enter your email and password." });
    expect(
      await redirectOf(loginAction({}, form({ email: "REV@broker.example", password: PASSWORD }))),
    ).toBe("/admin");
    expect(jar.get(STAFF_COOKIE)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("answers malformed and forged input with an explanation and changes nothing", async () => {
    await signedIn();
    const { trader, kycCase } = await submitted();
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
        rejectAction(form({ caseId: kycCase.id, reasonCode: "<script>", confirmed: "yes" })),
      ),
    ).toBe(`/admin/cases/${kycCase.id}?error=unknown_reason`);
    // A decision sent without its confirmation (the dialog's "Yes") is refused, in words.
    expect(await redirectOf(approveAction(form({ caseId: kycCase.id })))).toBe(
      `/admin/cases/${kycCase.id}?error=confirmation_required`,
    );
    expect(
      await redirectOf(
        rejectAction(form({ caseId: kycCase.id, reasonCode: "fraud_suspected", confirmed: "no" })),
      ),
    ).toBe(`/admin/cases/${kycCase.id}?error=confirmation_required`);
    // An approval before the checks ran is refused, and says why.
    expect(await redirectOf(approveAction(form({ caseId: kycCase.id, confirmed: "yes" })))).toBe(
      `/admin/cases/${kycCase.id}?error=checks_running`,
    );
    expect(
      await redirectOf(
        requestAction(
          form({ caseId: kycCase.id, items: ["step:../../x", "document:passport"], message: "hi" }),
        ),
      ),
    ).toContain("?error=items_required");
    expect(
      await redirectOf(
        requestAction(form({ caseId: kycCase.id, items: "step:personal", message: "" })),
      ),
    ).toContain("?error=message_required");
    const status = (await getCaseForTrader(kycCase.id, trader.id))?.status;
    expect(["submitted", "in_review"]).toContain(status);
  });

  it("a reviewer cannot assign cases to others; the attempt changes nothing", async () => {
    await signedIn();
    const { trader, kycCase } = await submitted();
    expect(await redirectOf(assignAction(form({ caseId: kycCase.id, assignee: kycCase.id })))).toBe(
      "/admin?error=forbidden",
    );
    expect((await getCaseForTrader(kycCase.id, trader.id))?.assignedTo).toBeNull();
  });

  it("only an admin may replay deliveries", async () => {
    await signedIn();
    expect(await redirectOf(replayDeadAction())).toBe("/admin?error=forbidden");
    const { kycCase } = await submitted();
    expect(
      await redirectOf(replayEventAction(form({ caseId: kycCase.id, eventId: kycCase.id }))),
    ).toBe("/admin?error=forbidden");
  });

  it("a valid request for more reaches the trader", async () => {
    await signedIn();
    const { trader, kycCase } = await submitted();
    expect(
      await redirectOf(
        requestAction(
          form({
            caseId: kycCase.id,
            items: ["step:personal", "document:identity"],
            message: "Name differs",
          }),
        ),
      ),
    ).toBe(`/admin/cases/${kycCase.id}?outcome=action_requested`);
    expect((await getCaseForTrader(kycCase.id, trader.id))?.status).toBe("action_required");
  });

  it("keeps NUL out of the database: a login with one is refused plainly, a message with one is sent without it", async () => {
    jar.clear();
    expect(
      await loginAction({}, form({ email: "rev@broker.example\u0000", password: "x\u0000" })),
    ).toEqual({ error: "Email or password is wrong." });
    await signedIn();
    const { trader, kycCase } = await submitted();
    expect(
      await redirectOf(
        requestAction(
          form({
            caseId: kycCase.id,
            items: "step:personal",
            message: "Name\u0000 differs\nplease",
          }),
        ),
      ),
    ).toBe(`/admin/cases/${kycCase.id}?outcome=action_requested`);
    const [event] = await t.db
      .select()
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, kycCase.id), eq(caseEvents.toStatus, "action_required")));
    expect(event?.messageForTrader).toBe("Name differs\nplease");
    expect((await getCaseForTrader(kycCase.id, trader.id))?.status).toBe("action_required");
  });

  it("refuses a call whose argument is not a form, without reading it", async () => {
    await signedIn();
    for (const action of [approveAction, claimAction, rejectAction, requestAction, assignAction])
      for (const argument of [undefined, "caseId", { get: () => "x" }, new Map()])
        expect(await redirectOf(action(argument as never))).toBe("/admin?error=failed");
    expect(await loginAction({}, "email" as never)).toEqual({
      error: "Enter your email and password.",
    });
  });
});
