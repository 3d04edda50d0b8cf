/**
 * Scenarios of admins managing colleagues' accounts on the accounts page: two admins who demote
 * each other at once leave one admin; disabling a disabled account or enabling an enabled one
 * changes and audits nothing.
 */
import "./support/request-scope";
import { sql } from "drizzle-orm";
import { sqlRows } from "../helpers/sql-rows";
import { holdStaffAccounts } from "./support/faults";
import { signedInStaff } from "./support/people";
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
  it("leaves one of them an admin: the second change is refused, its admin no longer being one", async () => {
    const w = world();
    if (w.db.target?.kind !== "postgres") return;
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
  });

  it("leaves one of them an admin when each disables the other", async () => {
    const w = world();
    if (w.db.target?.kind !== "postgres") return;
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
  });
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
