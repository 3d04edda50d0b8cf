/**
 * Scenarios of admins managing colleagues' accounts on the accounts page: two admins who demote
 * each other at once leave one admin; disabling a disabled account or enabling an enabled one
 * changes and audits nothing; an admin's change and a co-signature of two admins at the same
 * moment both finish, in an order both agree on.
 */
import "./support/request-scope";
import { sql } from "drizzle-orm";
import { adminUrl } from "../helpers/db-target";
import { captureLogs } from "../helpers/log-capture";
import { sqlRows } from "../helpers/sql-rows";
import { holdSignerAccount, holdStaffAccounts } from "./support/faults";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld, type World } from "./support/world";

const world = scenarioWorld();
const FIVE = "reviewer.five@broker.example";

async function activeAdmins(w: World, emails: string[]): Promise<string[]> {
  const rows = await sqlRows<{ email: string }>(
    w.db.db,
    sql`select email from staff_users
      where email in (${sql.join(
        emails.map((e) => sql`${e}`),
        sql`, `,
      )}) and role = 'admin' and disabled_at is null`,
  );
  return rows.map((r) => r.email);
}

/** How many `action` audit rows name an account of `emails` (the file's tests share a database). */
async function staffAudit(w: World, action: string, emails: string[]): Promise<number> {
  const [row] = await sqlRows<{ n: number }>(
    w.db.db,
    sql`select count(*)::int as n from audit_events where action = ${action}
      and data->>'staffId' in (select id::text from staff_users where email in (${sql.join(
        emails.map((e) => sql`${e}`),
        sql`, `,
      )}))`,
  );
  return row!.n;
}

describe("scenario: the deployment's two admins demote each other at the same moment", () => {
  (adminUrl() ? it : it.skip)(
    "leaves one of them an admin: the second change is refused, its admin no longer being one",
    async () => {
      const w = world();
      const a = await signedInStaff(w, "admin.one@broker.example", "admin");
      const b = await signedInStaff(w, "admin.two@broker.example", "admin");
      // Another change to these accounts is in flight: both presses wait behind it, then race.
      const held = await holdStaffAccounts(w, [a.email, b.email]);
      const byA = a.changeRoleOf(b.email, "reviewer");
      const byB = b.changeRoleOf(a.email, "reviewer");
      await held.waiting(2);
      await held.release();
      const outcomes = await Promise.all([byA, byB]);
      expect([...outcomes].sort()).toEqual(["error:forbidden", "role_changed"]);
      expect(await activeAdmins(w, [a.email, b.email])).toHaveLength(1);
      expect(await staffAudit(w, "staff.role_changed", [a.email, b.email])).toBe(1);
    },
  );

  (adminUrl() ? it : it.skip)(
    "leaves one of them an admin when each disables the other",
    async () => {
      const w = world();
      const a = await signedInStaff(w, "admin.three@broker.example", "admin");
      const b = await signedInStaff(w, "admin.four@broker.example", "admin");
      const held = await holdStaffAccounts(w, [a.email, b.email]);
      const byA = a.disableAccountOf(b.email);
      const byB = b.disableAccountOf(a.email);
      await held.waiting(2);
      await held.release();
      const outcomes = await Promise.all([byA, byB]);
      expect([...outcomes].sort()).toEqual(["disabled", "error:forbidden"]);
      expect(await activeAdmins(w, [a.email, b.email])).toHaveLength(1);
    },
  );
});

describe("scenario: an account's state pressed again from a page read before", () => {
  it("disabling a disabled account keeps the first moment and audits once; enabling an enabled one audits nothing", async () => {
    const w = world();
    const admin = await signedInStaff(w, "admin.five@broker.example", "admin");
    await signedInStaff(w, FIVE, "reviewer");
    const disabledAt = async () =>
      (
        await sqlRows<{ at: string | null }>(
          w.db.db,
          sql`select disabled_at::text as at from staff_users where email = 'reviewer.five@broker.example'`,
        )
      )[0]!.at;

    expect(await admin.enableAccountOf(FIVE)).toBe("enabled");
    expect(await staffAudit(w, "staff.enabled", [FIVE])).toBe(0);
    expect(await admin.disableAccountOf(FIVE)).toBe("disabled");
    const first = await disabledAt();
    expect(first).not.toBeNull();
    await new Promise((r) => setTimeout(r, 5));
    expect(await admin.disableAccountOf(FIVE)).toBe("disabled");
    expect(await disabledAt()).toBe(first);
    expect(await staffAudit(w, "staff.disabled", [FIVE])).toBe(1);
    expect(await admin.enableAccountOf(FIVE)).toBe("enabled");
    expect(await disabledAt()).toBeNull();
    expect(await staffAudit(w, "staff.enabled", [FIVE])).toBe(1);
  });
});

describe("scenario: an admin's change while two admins co-sign a four-eyes approval", () => {
  (adminUrl() ? it : it.skip)(
    "lets both finish, no deadlock: the approval counts the co-signer, the change comes after it",
    async () => {
      const w = world();
      w.configure({ FOUR_EYES_MIN_RISK: "low" });
      try {
        const trader = new Trader(w, 572_001);
        await trader.completeStandardLevel();
        await w.worker();
        const kycCase = await trader.currentCase();
        const one = await signedInStaff(w, "cosign.admin.one@broker.example", "admin");
        const two = await signedInStaff(w, "cosign.admin.two@broker.example", "admin");
        const changer = await signedInStaff(w, "cosign.admin.three@broker.example", "admin");
        // The approval holds its signers' rows in signing order (the co-signer's, then the first
        // signer's); locking every admin's row took them in id order. The first signer is the
        // one with the lower id, so the two orders cross.
        const ids = await sqlRows<{ email: string }>(
          w.db.db,
          sql`select email from staff_users where email in (${one.email}, ${two.email}) order by id`,
        );
        const [first, coSigner] = ids[0]!.email === one.email ? [one, two] : [two, one];
        expect(await first.approve(kycCase.id)).toBe("awaiting_co_sign");

        // The co-signer signs another case meanwhile (its row held FOR SHARE): the admin lowering
        // the co-signer's role waits for it, then the co-signature here is pressed.
        const logs = captureLogs();
        let outcomes: string[];
        try {
          const held = await holdSignerAccount(w, coSigner.email);
          const change = changer.changeRoleOf(coSigner.email, "reviewer");
          await held.waiting(1);
          let answered = false;
          const coSigned = coSigner.approve(kycCase.id).finally(() => (answered = true));
          await held.waiting(2, () => answered);
          await held.release();
          outcomes = await Promise.all([coSigned, change]);
        } finally {
          logs.stop();
        }
        // PostgreSQL's deadlock_detected (40P01) ended neither of them.
        expect(logs.lines.filter((line) => line.includes("40P01"))).toEqual([]);
        expect(outcomes).toEqual(["approved", "role_changed"]);

        // One order: the approval committed with the co-signer an admin, then the role changed.
        expect(await trader.status()).toBe("approved");
        const order = await sqlRows<{ action: string }>(
          w.db.db,
          sql`select action from audit_events
          where (case_id = ${kycCase.id} and action = 'case.approved')
            or (action = 'staff.role_changed' and data->>'staffId' =
              (select id::text from staff_users where email = ${coSigner.email}))
          order by id`,
        );
        expect(order.map((r) => r.action)).toEqual(["case.approved", "staff.role_changed"]);
        const [role] = await sqlRows<{ role: string }>(
          w.db.db,
          sql`select role from staff_users where email = ${coSigner.email}`,
        );
        expect(role?.role).toBe("reviewer");
      } finally {
        w.configure({});
      }
    },
    300_000,
  );
});
