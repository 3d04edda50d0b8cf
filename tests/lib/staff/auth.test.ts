import { sql } from "drizzle-orm";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { insertStaffUser } from "@/lib/db/queries/staff";
import { upsertTrader } from "@/lib/db/queries/traders";
import { auditEvents, staffUsers } from "@/lib/db/schema";
import {
  hasRole,
  loginStaff,
  logoutStaff,
  MAX_FAILURES_PER_EMAIL,
  resolveStaff,
  STAFF_COOKIE,
  THROTTLE_WINDOW_MINUTES,
} from "@/lib/staff/auth";
import { hashPassword, verifyPassword } from "@/lib/staff/passwords";
import { openSession } from "../../helpers/sessions";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

const PASSWORD = "correct horse battery staple";
let n = 0;
async function staff(role: "reviewer" | "approver" | "admin" = "reviewer") {
  const email = `Staff${++n}@Broker.example`;
  const user = await insertStaffUser({
    email: email.toLowerCase(),
    displayName: `Staff ${n}`,
    role,
    passwordHash: await hashPassword(PASSWORD),
  });
  return { email, user };
}

describe("staff passwords", () => {
  it("hashes with scrypt, salted, and verifies only the right password", async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(PASSWORD + " ", a)).toBe(false);
    expect(await verifyPassword(PASSWORD, "plain-text")).toBe(false);
    expect(await verifyPassword(PASSWORD, "scrypt$99$8$1$AA==$AA==")).toBe(false);
    await expect(hashPassword("short")).rejects.toThrow("12");
  });
});

describe("staff login", () => {
  it("logs in with a separate, strict, HttpOnly __Host- cookie, case-insensitive email, audited", async () => {
    const { email, user } = await staff("approver");
    const result = await loginStaff({
      email: email.toUpperCase(),
      password: PASSWORD,
      client: "10.0.0.1",
    });
    expect(result).toMatchObject({ ok: true, staff: { id: user.id, role: "approver" } });
    if (!result.ok) return;
    expect(result.cookie).toMatchObject({
      name: STAFF_COOKIE,
      httpOnly: true,
      secure: true,
      sameSite: "strict",
    });
    expect(await resolveStaff(result.cookie.value)).toMatchObject({
      id: user.id,
      role: "approver",
    });
    const audit = await t.db.select().from(auditEvents);
    expect(audit.some((a) => a.action === "staff.login" && a.actorId === user.id)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(email.toLowerCase());

    await logoutStaff(result.cookie.value, user.id);
    expect(await resolveStaff(result.cookie.value)).toBeUndefined();
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const { email } = await staff();
    expect(await loginStaff({ email, password: "wrong password!!", client: "10.0.0.2" })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(
      await loginStaff({ email: "nobody@broker.example", password: PASSWORD, client: "10.0.0.2" }),
    ).toEqual({ ok: false, reason: "invalid" });
  });

  it(`throttles an email after ${MAX_FAILURES_PER_EMAIL} failures, even for the right password, until the window passes`, async () => {
    const { email } = await staff();
    const now = new Date();
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++)
      await loginStaff({ email, password: `guess-${i}-xxxxxxxx`, client: `198.51.100.${i}` }, now);
    expect(await loginStaff({ email, password: PASSWORD, client: "10.9.9.9" }, now)).toEqual({
      ok: false,
      reason: "throttled",
    });
    const later = new Date(now.getTime() + (THROTTLE_WINDOW_MINUTES + 1) * 60_000);
    expect((await loginStaff({ email, password: PASSWORD, client: "10.9.9.9" }, later)).ok).toBe(
      true,
    );
  });

  it("throttles one client spraying many emails", async () => {
    const now = new Date();
    for (let i = 0; i < 30; i++)
      await loginStaff(
        { email: `spray${i}@x.example`, password: "nope-nope-nope", client: "203.0.113.7" },
        now,
      );
    const { email } = await staff();
    expect(await loginStaff({ email, password: PASSWORD, client: "203.0.113.7" }, now)).toEqual({
      ok: false,
      reason: "throttled",
    });
    expect((await loginStaff({ email, password: PASSWORD, client: "203.0.113.8" }, now)).ok).toBe(
      true,
    );
  }, 60_000);

  it("refuses a disabled account and ends its sessions", async () => {
    const { email, user } = await staff();
    const result = await loginStaff({ email, password: PASSWORD, client: "10.0.0.3" });
    if (!result.ok) throw new Error("login failed");
    await t.db.execute(sql`update staff_users set disabled_at = now() where id = ${user.id}`);
    expect(await resolveStaff(result.cookie.value)).toBeUndefined();
    expect((await loginStaff({ email, password: PASSWORD, client: "10.0.0.3" })).ok).toBe(false);
  });

  it("a trader's session cookie is not a staff session", async () => {
    const trader = await upsertTrader(
      { ctraderUserId: 77_001, email: "t@example.com", tradingLogin: 1 },
      "en",
    );
    const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
    const session = await openSession(trader.id, kycCase.id);
    expect(await resolveStaff(session.id)).toBeUndefined();
    expect(await resolveStaff("../../etc")).toBeUndefined();
    expect(await resolveStaff(undefined)).toBeUndefined();
  });

  it("ranks roles: admin ≥ approver ≥ reviewer", async () => {
    expect(hasRole({ role: "admin" }, "approver")).toBe(true);
    expect(hasRole({ role: "reviewer" }, "approver")).toBe(false);
    expect(await t.db.select().from(staffUsers)).not.toHaveLength(0);
  });
});
