import { sql } from "drizzle-orm";
import postgres from "postgres";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { insertStaffUser } from "@/lib/db/queries/staff";
import { upsertTrader } from "@/lib/db/queries/traders";
import { auditEvents, staffUsers } from "@/lib/db/schema";
import {
  completeSecondFactor,
  hasRole,
  loginStaff,
  logoutStaff,
  MAX_CODE_FAILURES,
  resolvePendingLogin,
  resolveStaff,
  STAFF_COOKIE,
} from "@/lib/staff/auth";
import { clientFromForwardedFor } from "@/lib/staff/console";
import {
  FREE_FAILURES_PER_CLIENT,
  FREE_FAILURES_PER_EMAIL,
  MAX_CODE_FAILURES_PER_ACCOUNT,
  MAX_DELAY_SECONDS,
  THROTTLE_WINDOW_MINUTES,
  UNKNOWN_CLIENT,
} from "@/lib/staff/throttle";
import { Authenticator } from "../../helpers/authenticator";
import { hashPassword, verifyPassword } from "@/lib/staff/passwords";
import { openSession } from "../../helpers/sessions";
import { adminUrl } from "../../helpers/db-target";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
beforeAll(async () => {
  // Reviewers sign in with a password alone here, unless a test says otherwise.
  setTestEnv({ STAFF_MFA_REVIEWERS: "0" });
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

async function cookieOf(result: Awaited<ReturnType<typeof loginStaff>>): Promise<string> {
  if (!result.ok) throw new Error("login refused");
  return result.cookie.value;
}

/** An approver through the first sign-in: password, enrolment with the key shown, first code. */
async function enrolled(role: "approver" | "admin" = "approver") {
  const account = await staff(role);
  const pendingCookie = await cookieOf(
    await loginStaff({ email: account.email, password: PASSWORD, client: "10.1.1.1" }),
  );
  const pending = await resolvePendingLogin(pendingCookie);
  const app = new Authenticator(pending?.enrolSecret ?? "");
  const done = await completeSecondFactor(pendingCookie, (await app.nextCode()) ?? "", {
    client: "10.1.1.1",
  });
  if (!done.ok || !done.recoveryCodes) throw new Error("enrolment failed");
  app.recoveryCodes = done.recoveryCodes;
  return { ...account, app, cookie: done.cookie.value, pendingCookie };
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
    const { email, user } = await staff("reviewer");
    const result = await loginStaff({
      email: email.toUpperCase(),
      password: PASSWORD,
      client: "10.0.0.1",
    });
    expect(result).toMatchObject({
      ok: true,
      stage: "full",
      staff: { id: user.id, role: "reviewer" },
    });
    if (!result.ok) return;
    expect(result.cookie).toMatchObject({
      name: STAFF_COOKIE,
      httpOnly: true,
      secure: true,
      sameSite: "strict",
    });
    expect(await resolveStaff(result.cookie.value)).toMatchObject({
      id: user.id,
      role: "reviewer",
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

  it("of 20 parallel wrong passwords checks only the free ones and refuses the rest unchecked, any email alike", async () => {
    const { email } = await staff();
    const now = new Date();
    const burst = (address: string) =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          loginStaff(
            { email: address, password: `wrong guess ${i}!!`, client: `198.51.100.${i}` },
            { now },
          ),
        ),
      );
    const reasons = (results: Awaited<ReturnType<typeof burst>>) =>
      results.map((r) => (r.ok ? "ok" : r.reason)).sort();
    const expected = [
      ...Array<string>(FREE_FAILURES_PER_EMAIL).fill("invalid"),
      ...Array<string>(20 - FREE_FAILURES_PER_EMAIL).fill("throttled"),
    ];
    expect(reasons(await burst(email))).toEqual(expected);
    // An unknown email is answered the same way: the refusal tells nothing about the account.
    expect(reasons(await burst("nobody-at-all@broker.example"))).toEqual(expected);
    // The checked attempts are audited; the refusals only logged (a flood of them would queue
    // every audited write behind the chain's lock).
    const failed = (await t.db.select().from(auditEvents)).filter(
      (a) => a.action === "staff.login_failed",
    );
    expect(failed).not.toHaveLength(0);
    expect(failed.filter((a) => (a.data as { throttled?: boolean }).throttled)).toEqual([]);
  }, 60_000);

  it("admits a free attempt timed before the previous one (another replica's clock a little ahead)", async () => {
    const { email } = await staff();
    const start = Date.now();
    const attempt = async (at: number, password: string) => {
      const r = await loginStaff(
        { email, password, client: "198.51.100.7" },
        { now: new Date(at) },
      );
      return r.ok ? "ok" : r.reason;
    };
    expect(await attempt(start, "wrong guess!!")).toBe("invalid");
    // The next request is served by a replica whose clock is 300 ms behind.
    expect(await attempt(start - 300, PASSWORD)).toBe("ok");
  });

  it("spaces attempts 1 s, 2 s, 4 s … at most 30 s apart; the officer gets in 30 s after the attacker's last", async () => {
    const { email } = await staff();
    const start = Date.now();
    const attempt = async (at: number, password = "wrong guess!!") => {
      const r = await loginStaff(
        { email, password, client: `198.51.100.${at % 250}` },
        {
          now: new Date(at),
        },
      );
      return r.ok ? "ok" : r.reason;
    };
    for (let i = 0; i < FREE_FAILURES_PER_EMAIL; i++) expect(await attempt(start)).toBe("invalid");
    let last = start;
    for (let n = FREE_FAILURES_PER_EMAIL + 1; n <= FREE_FAILURES_PER_EMAIL + 8; n++) {
      const spacing = Math.min(2 ** (n - FREE_FAILURES_PER_EMAIL - 1), MAX_DELAY_SECONDS) * 1000;
      // Too soon, even with the right password: refused unchecked, and not counted.
      expect(await attempt(last + spacing - 1, PASSWORD)).toBe("throttled");
      expect(await attempt(last + spacing - 1)).toBe("throttled");
      expect(await attempt(last + spacing)).toBe("invalid");
      last += spacing;
    }
    // The attacker stops: the officer waits at most the longest spacing, then gets in.
    expect(await attempt(last + MAX_DELAY_SECONDS * 1000, PASSWORD)).toBe("ok");
    // After the window the spacing starts again from nothing.
    const later = start + (THROTTLE_WINDOW_MINUTES + 1) * 60_000;
    expect(await attempt(later)).toBe("invalid");
    expect(await attempt(later, PASSWORD)).toBe("ok");
  }, 60_000);

  it("spaces one client spraying many emails, but not another client's officer", async () => {
    const now = new Date();
    const reasons: string[] = [];
    for (let i = 0; i < 14; i++) {
      const r = await loginStaff(
        { email: `spray${i}@x.example`, password: "nope-nope-nope", client: "203.0.113.7" },
        { now },
      );
      reasons.push(r.ok ? "ok" : r.reason);
    }
    expect(reasons).toEqual([
      ...Array<string>(FREE_FAILURES_PER_CLIENT).fill("invalid"),
      ...Array<string>(14 - FREE_FAILURES_PER_CLIENT).fill("throttled"),
    ]);
    const { email } = await staff();
    const fromElsewhere = await loginStaff(
      { email, password: PASSWORD, client: "203.0.113.8" },
      { now },
    );
    expect(fromElsewhere.ok).toBe(true);
  }, 60_000);

  it("takes the client address from the configured number of trusted proxy hops, not the leftmost entry", () => {
    const forged = "6.6.6.6, 203.0.113.9, 10.0.0.2";
    expect(clientFromForwardedFor(forged, 2)).toBe("203.0.113.9");
    expect(clientFromForwardedFor(forged, 1)).toBe("10.0.0.2");
    // No trusted proxy: whatever the client wrote, and Next.js adds the socket address only
    // when the header is missing, so nothing in it can be trusted.
    expect(clientFromForwardedFor(forged, 0)).toBe("unknown");
    expect(clientFromForwardedFor("10.0.0.2", 0)).toBe("unknown");
    expect(clientFromForwardedFor("203.0.113.9", 2)).toBe("unknown");
    expect(clientFromForwardedFor("not-an-address", 1)).toBe("invalid");
    expect(clientFromForwardedFor(null, 1)).toBe("unknown");
    expect(clientFromForwardedFor("::ffff:192.0.2.1", 1)).toBe("192.0.2.1");
  });

  it("refuses a disabled account and ends its sessions", async () => {
    const { email, user } = await staff();
    const result = await loginStaff({ email, password: PASSWORD, client: "10.0.0.3" });
    if (!result.ok) throw new Error("login failed");
    await t.db.execute(sql`update staff_users set disabled_at = now() where id = ${user.id}`);
    // (The console's disable action goes through lib/staff/accounts: tests/app/admin.)
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

describe("second factor", () => {
  it("an approver without one is led to enrol after the password; the half-signed-in state opens nothing", async () => {
    const { email, user } = await staff("approver");
    const result = await loginStaff({ email, password: PASSWORD, client: "10.1.1.1" });
    expect(result).toMatchObject({ ok: true, stage: "enrol" });
    const pendingCookie = await cookieOf(result);
    expect(await resolveStaff(pendingCookie)).toBeUndefined();
    const pending = await resolvePendingLogin(pendingCookie);
    expect(pending).toMatchObject({ stage: "enrol", staff: { id: user.id } });
    expect(pending?.enrolSecret).toMatch(/^[A-Z2-7]{32}$/);
    // The secret is stored encrypted, never in the clear.
    expect(JSON.stringify(await t.db.execute(sql`select * from staff_sessions`))).not.toContain(
      pending?.enrolSecret,
    );

    const app = new Authenticator(pending!.enrolSecret!);
    expect(
      await completeSecondFactor(pendingCookie, "000000", { client: "10.1.1.1" }),
    ).toMatchObject({ ok: false, reason: "invalid" });
    const done = await completeSecondFactor(pendingCookie, (await app.nextCode())!, {
      client: "10.1.1.1",
    });
    expect(done).toMatchObject({ ok: true });
    if (!done.ok) return;
    expect(done.recoveryCodes).toHaveLength(10);
    expect(done.cookie.value).not.toBe(pendingCookie);
    expect(await resolveStaff(done.cookie.value)).toMatchObject({ id: user.id, mfa: true });
    // The half session is spent: it neither opens the console nor enrols twice.
    expect(await resolveStaff(pendingCookie)).toBeUndefined();
    expect(await resolvePendingLogin(pendingCookie)).toBeUndefined();
    const [row] = await t.db
      .select()
      .from(staffUsers)
      .where(sql`id = ${user.id}`);
    expect(row?.mfaSecret).toMatch(/^v1\./);
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(sql`actor_id = ${user.id}`);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["staff.mfa_enrolled", "staff.login"]),
    );
  });

  it("reviewers need one too unless STAFF_MFA_REVIEWERS=0", async () => {
    setTestEnv({ STAFF_MFA_REVIEWERS: undefined });
    try {
      const { email } = await staff("reviewer");
      expect(await loginStaff({ email, password: PASSWORD, client: "x" })).toMatchObject({
        stage: "enrol",
      });
    } finally {
      setTestEnv({ STAFF_MFA_REVIEWERS: "0" });
    }
  });

  it("refuses a wrong code and a replayed code; accepts the next step's", async () => {
    const { email, app } = await enrolled();
    const now = new Date();
    const pending = await cookieOf(await loginStaff({ email, password: PASSWORD, client: "x" }));
    expect(await resolveStaff(pending)).toBeUndefined();
    expect(await completeSecondFactor(pending, "123456", { client: "x" }, now)).toMatchObject({
      ok: false,
      reason: "invalid",
    });
    // The code used at enrolment (this step) is spent: replaying it is refused.
    const step = Math.floor(now.getTime() / 30_000);
    expect(
      await completeSecondFactor(pending, await app.codeAt(step * 30), { client: "x" }, now),
    ).toMatchObject({ ok: false });
    const next = await app.codeAt((step + 1) * 30);
    const done = await completeSecondFactor(pending, next, { client: "x" }, now);
    expect(done.ok).toBe(true);
    // …and that one, once used, is refused in another sign-in.
    const again = await cookieOf(await loginStaff({ email, password: PASSWORD, client: "x" }));
    expect(await completeSecondFactor(again, next, { client: "x" }, now)).toMatchObject({
      ok: false,
    });
  });

  it("a recovery code works once", async () => {
    const { email, app, user } = await enrolled();
    const code = app.recoveryCodes[0]!;
    const first = await cookieOf(await loginStaff({ email, password: PASSWORD, client: "x" }));
    const used = await completeSecondFactor(first, code.toUpperCase().replace("-", " "), {
      client: "x",
    });
    expect(used.ok).toBe(true);
    const second = await cookieOf(await loginStaff({ email, password: PASSWORD, client: "x" }));
    expect(await completeSecondFactor(second, code, { client: "x" })).toMatchObject({
      ok: false,
    });
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(sql`actor_id = ${user.id}`);
    expect(audit.filter((a) => a.action === "staff.mfa_recovery_used")).toHaveLength(1);
  });

  it(`ends the half-signed-in session after ${MAX_CODE_FAILURES} wrong codes`, async () => {
    const { email, app } = await enrolled();
    const pending = await cookieOf(await loginStaff({ email, password: PASSWORD, client: "x" }));
    for (let i = 1; i < MAX_CODE_FAILURES; i++)
      expect(await completeSecondFactor(pending, "000000", { client: "x" })).toMatchObject({
        reason: "invalid",
      });
    expect(await completeSecondFactor(pending, "000000", { client: "x" })).toMatchObject({
      reason: "expired",
    });
    expect(
      await completeSecondFactor(pending, (await app.nextCode()) ?? "", { client: "x" }),
    ).toMatchObject({ ok: false, reason: "expired" });
  });

  it(`checks at most ${MAX_CODE_FAILURES} of 20 parallel codes on one half session, then ends it`, async () => {
    const { email, app, user } = await enrolled();
    const pending = await cookieOf(await loginStaff({ email, password: PASSWORD, client: "x" }));
    const results = await Promise.all(
      Array.from({ length: 20 }, () => completeSecondFactor(pending, "000000", { client: "x" })),
    );
    expect(results.every((r) => !r.ok)).toBe(true);
    // Each code that was checked and failed is audited: only the session's 5 were checked.
    const failed = await t.db
      .select()
      .from(auditEvents)
      .where(sql`actor_id = ${user.id} and action = 'staff.mfa_failed'`);
    expect(failed).toHaveLength(MAX_CODE_FAILURES);
    expect(
      await completeSecondFactor(pending, (await app.nextCode()) ?? "", { client: "x" }),
    ).toMatchObject({ ok: false, reason: "expired" });
  });

  it(`refuses codes past ${MAX_CODE_FAILURES_PER_ACCOUNT} wrong ones per account, across half sessions, until the window ends`, async () => {
    const { email, app, user } = await enrolled();
    // Each sign-in a little later than the last, as a person (or a patient attacker) would.
    let clock = Date.now();
    const signIn = async (now: Date) =>
      cookieOf(await loginStaff({ email, password: PASSWORD, client: "x" }, { now }));
    for (let round = 0; round < 3; round++) {
      const now = new Date((clock += 31_000));
      const pending = await signIn(now);
      await Promise.all(
        Array.from({ length: MAX_CODE_FAILURES }, () =>
          completeSecondFactor(pending, "000000", { client: "x" }, now),
        ),
      );
    }
    const audit = async (action: string) =>
      t.db
        .select()
        .from(auditEvents)
        .where(sql`actor_id = ${user.id} and action = ${action}`);
    expect(await audit("staff.mfa_failed")).toHaveLength(MAX_CODE_FAILURES_PER_ACCOUNT);
    // Even the right code is refused now, unchecked, and its half session ends; the answer says
    // how long is left of the account's window: it began with the first wrong code, 93 s ago (the
    // enrolment's right code before it was taken back and opened none).
    const now = new Date((clock += 31_000));
    const pending = await signIn(now);
    expect(
      await completeSecondFactor(pending, (await app.nextCode(now)) ?? "", { client: "x" }, now),
    ).toEqual({
      ok: false,
      reason: "too_many_codes",
      retryAfterMinutes: THROTTLE_WINDOW_MINUTES - 1,
    });
    expect(await resolvePendingLogin(pending, now)).toBeUndefined();
    expect((await audit("staff.mfa_throttled")).length).toBeGreaterThan(0);
    // The officer gets in once the window has passed.
    const later = new Date(clock + (THROTTLE_WINDOW_MINUTES + 1) * 60_000);
    const fresh = await signIn(later);
    expect(
      await completeSecondFactor(fresh, (await app.nextCode(later)) ?? "", { client: "x" }, later),
    ).toMatchObject({ ok: true });
  });

  /** Two sign-ins of five wrong codes each, spaced as the password throttle wants: the answers. */
  async function tenWrongCodes(email: string, from: number) {
    const answers: string[] = [];
    for (let round = 1; round <= 2; round++) {
      const now = new Date(from + round * 60_000);
      const pending = await cookieOf(
        await loginStaff({ email, password: PASSWORD, client: UNKNOWN_CLIENT }, { now }),
      );
      for (let i = 0; i < MAX_CODE_FAILURES; i++) {
        const result = await completeSecondFactor(
          pending,
          "000000",
          { client: UNKNOWN_CLIENT },
          now,
        );
        answers.push(result.ok ? "ok" : result.reason);
      }
    }
    return answers;
  }
  const capReachedAtTenth = [
    ...["invalid", "invalid", "invalid", "invalid", "expired"],
    ...["invalid", "invalid", "invalid", "invalid", "too_many_codes"],
  ];

  it("the tenth wrong code for an account ends the half session and says how long to wait", async () => {
    const { email } = await enrolled();
    const start = Date.now();
    expect(await tenWrongCodes(email, start)).toEqual(capReachedAtTenth);
    // Asked 4 minutes after the start: the account's window began with the first wrong code, a
    // minute after the start (the enrolment's right code was taken back and opened none).
    const pending = await cookieOf(
      await loginStaff(
        { email, password: PASSWORD, client: UNKNOWN_CLIENT },
        { now: new Date(start + 4 * 60_000) },
      ),
    );
    expect(
      await completeSecondFactor(
        pending,
        "000000",
        { client: UNKNOWN_CLIENT },
        new Date(start + 4 * 60_000),
      ),
    ).toEqual({
      ok: false,
      reason: "too_many_codes",
      retryAfterMinutes: THROTTLE_WINDOW_MINUTES - 3,
    });
  });

  /**
   * Another writer holds the account's row while `start` runs, until `waiters` of its requests
   * wait for it: two codes sent at once are both checked before either is taken. PostgreSQL only.
   */
  async function whileAccountHeld<T>(staffId: string, waiters: number, start: () => Promise<T>) {
    if (t.target?.kind !== "postgres") throw new Error("needs PostgreSQL");
    const other = postgres(t.target.url, { max: 2, onnotice: () => {} });
    let started: Promise<T> | undefined;
    try {
      await other.begin(async (tx) => {
        await tx`select id from staff_users where id = ${staffId} for update`;
        started = start();
        for (let waited = 0; ; waited += 50) {
          const [row] = await other<{ n: number }[]>`
            select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`;
          if ((row?.n ?? 0) >= waiters) break;
          if (waited > 20_000) throw new Error(`never ${waiters} waiting for the account`);
          await new Promise((r) => setTimeout(r, 50));
        }
      });
      return await (started as Promise<T>);
    } finally {
      await started?.catch(() => undefined);
      await other.end();
    }
  }

  (adminUrl() ? it : it.skip)(
    "a right code sent twice at once signs in once and counts no wrong code against the account",
    async () => {
      const { email, app, user } = await enrolled();
      const now = new Date();
      const pending = await cookieOf(
        await loginStaff({ email, password: PASSWORD, client: UNKNOWN_CLIENT }, { now }),
      );
      const code = (await app.nextCode(now)) ?? "";
      // Both are checked before either takes the code's time step: one takes it.
      const both = await whileAccountHeld(user.id, 2, () =>
        Promise.all(
          [1, 2].map(() => completeSecondFactor(pending, code, { client: UNKNOWN_CLIENT }, now)),
        ),
      );
      expect(both.map((r) => (r.ok ? "ok" : r.reason)).sort()).toEqual(["ok", "raced"]);
      // Ten wrong codes still, not nine, before the account's codes are spent.
      expect(await tenWrongCodes(email, now.getTime())).toEqual(capReachedAtTenth);
    },
  );

  (adminUrl() ? it : it.skip)(
    "a right enrolment code sent twice at once enrols once and counts no wrong code against the account",
    async () => {
      const { email, user } = await staff("approver");
      const now = new Date();
      const pending = await cookieOf(
        await loginStaff({ email, password: PASSWORD, client: UNKNOWN_CLIENT }, { now }),
      );
      const app = new Authenticator((await resolvePendingLogin(pending, now))?.enrolSecret ?? "");
      const code = (await app.nextCode(now)) ?? "";
      // Both are checked before either completes the sign-in: one does.
      const both = await whileAccountHeld(user.id, 2, () =>
        Promise.all(
          [1, 2].map(() => completeSecondFactor(pending, code, { client: UNKNOWN_CLIENT }, now)),
        ),
      );
      expect(both.map((r) => (r.ok ? "ok" : r.reason)).sort()).toEqual(["ok", "raced"]);
      expect(await tenWrongCodes(email, now.getTime())).toEqual(capReachedAtTenth);
    },
  );

  it("fails closed for a role that needs a second factor the account does not have", async () => {
    const { email, user } = await staff("reviewer");
    const cookie = await cookieOf(
      await loginStaff({ email, password: PASSWORD, client: "10.2.2.2" }),
    );
    expect(await resolveStaff(cookie)).toBeDefined();
    await t.db.execute(sql`update staff_users set role = 'approver' where id = ${user.id}`);
    expect(await resolveStaff(cookie)).toBeUndefined();
  });
});
