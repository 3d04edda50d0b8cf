/**
 * Console accounts through the console's own entry points (server actions with FormData, pages
 * rendered as the server would): sign-in with enrolment, what an admin may change about other
 * people's accounts and what that does to their open sessions, and one's own sessions.
 */
import { insertStaffUser } from "@/lib/db/queries/staff";
import { auditEvents } from "@/lib/db/schema";
import { STAFF_COOKIE } from "@/lib/staff/auth";
import { hashPassword } from "@/lib/staff/passwords";
import { Authenticator, secretFromEnrolmentPage } from "../../helpers/authenticator";
import { setClock } from "../../helpers/clock";
import { setTestEnv } from "../../helpers/env";
import postgres from "postgres";
import { adminUrl } from "../../helpers/db-target";
import { captureLogs } from "../../helpers/log-capture";
import { browserHeaders, jar, ownJar } from "../../helpers/request-scope";
import { renderPage } from "../../helpers/render-page";
import { createTestDb, type TestDb } from "../../helpers/test-db";

jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextHeaders({ "x-forwarded-for": "192.0.2.10", "user-agent": "jest browser" }),
);
jest.mock("next-intl/server", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextIntlServer(),
);

import {
  changePasswordAction,
  changeRoleAction,
  claimAction,
  codeAction,
  disableStaffAction,
  endSessionAction,
  enrolAction,
  loginAction,
  logoutAction,
  resetMfaAction,
  resetPasswordAction,
  startEnrolmentAction,
} from "@/app/admin/actions";
import AccountPage from "@/app/admin/account/page";
import EnrolPage from "@/app/admin/login/enrol/page";
import LoginPage from "@/app/admin/login/page";
import PasswordPage from "@/app/admin/password/page";
import StaffPage from "@/app/admin/staff/page";

let t: TestDb;
const PASSWORD = "console password 123";
beforeAll(async () => {
  // One proxy in front (compose.yaml's): the rightmost X-Forwarded-For entry is the client.
  setTestEnv({ STAFF_MFA_REVIEWERS: "0", TRUSTED_PROXY_HOPS: "1" });
  t = await createTestDb();
});
afterAll(() => t.close());

const form = (values: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.append(k, v);
  return f;
};

/** Where a server action's redirect goes (Next.js throws it), or its returned state. */
async function outcome<T>(promise: Promise<T>): Promise<string | T> {
  try {
    return await promise;
  } catch (error) {
    const digest = (error as { digest?: string }).digest ?? "";
    if (!digest.startsWith("NEXT_REDIRECT")) throw error;
    return decodeURIComponent(digest.split(";")[2] ?? "");
  }
}

/** A browser: its staff cookie, put in the request scope while it acts. */
class Browser {
  cookie: string | undefined;
  app: Authenticator | undefined;
  async act<T>(fn: () => Promise<T>): Promise<T> {
    jar.clear();
    if (this.cookie) jar.set(STAFF_COOKIE, this.cookie);
    try {
      return await fn();
    } finally {
      this.cookie = jar.get(STAFF_COOKIE);
    }
  }
  /** The login form, then the enrolment screen or the code form if the account has one. */
  async signIn(email: string, password = PASSWORD): Promise<string> {
    const next = await this.act(() => outcome(loginAction({}, form({ email, password }))));
    if (next === "/admin/login/enrol") {
      const html = await this.act(() => renderPage(EnrolPage()));
      this.app = new Authenticator(secretFromEnrolmentPage(html));
      const code = (await this.app.nextCode()) ?? "";
      const state = await this.act(() => codeAction({}, form({ code })));
      this.app.recoveryCodes = state.recoveryCodes ?? [];
      return state.recoveryCodes ? "enrolled" : `enrolment failed: ${state.error}`;
    }
    if (next === "/admin/login/code" && this.app) {
      const code = (await this.app.nextCode()) ?? this.app.recoveryCodes.shift() ?? "";
      return String(await this.act(() => outcome(codeAction({}, form({ code })))));
    }
    return typeof next === "string" ? next : JSON.stringify(next);
  }
  /** Whether this browser's cookie still opens the console (an action needing a reviewer). */
  async inConsole(): Promise<boolean> {
    const to = await this.act(() => outcome(claimAction(form({ caseId: "x" }))));
    return to !== "/admin/login";
  }
}

let n = 0;
async function account(role: "reviewer" | "approver" | "admin") {
  const email = `${role}${++n}@broker.example`;
  const user = await insertStaffUser({
    email,
    displayName: `${role} ${n}`,
    role,
    passwordHash: await hashPassword(PASSWORD),
  });
  return { email, id: user.id };
}

async function signedIn(role: "reviewer" | "approver" | "admin") {
  const who = await account(role);
  const browser = new Browser();
  const result = await browser.signIn(who.email);
  expect(["/admin", "enrolled"]).toContain(result);
  return { ...who, browser };
}

describe("sign-in with a second factor", () => {
  it("an admin enrols on the screen after the password; until then the console stays shut", async () => {
    const { email } = await account("admin");
    const browser = new Browser();
    expect(
      await browser.act(() => outcome(loginAction({}, form({ email, password: PASSWORD })))),
    ).toBe("/admin/login/enrol");
    expect(await browser.inConsole()).toBe(false);
    const html = await browser.act(() => renderPage(EnrolPage()));
    const app = new Authenticator(secretFromEnrolmentPage(html));
    expect(html).toContain('src="data:image/svg+xml;base64,');
    expect(await browser.act(() => codeAction({}, form({ code: "000000" })))).toEqual({
      error: "That code is not valid. Try the next one.",
    });
    const code = (await app.nextCode()) ?? "";
    const state = await browser.act(() => codeAction({}, form({ code })));
    expect(state.recoveryCodes).toHaveLength(10);
    expect(await browser.inConsole()).toBe(true);
    // The re-render after the cookie changed keeps the form (and the codes it holds).
    expect(await browser.act(() => renderPage(EnrolPage()))).toContain('data-testid="code-form"');
  });

  it("the code step of an enrolled account: a wrong code keeps the console shut", async () => {
    const admin = await signedIn("admin");
    const again = new Browser();
    again.app = admin.browser.app;
    expect(
      await again.act(() =>
        outcome(loginAction({}, form({ email: admin.email, password: PASSWORD }))),
      ),
    ).toBe("/admin/login/code");
    expect(await again.act(() => codeAction({}, form({ code: "999999" })))).toEqual({
      error: "That code is not valid. Try the next one.",
    });
    expect(await again.inConsole()).toBe(false);
    const code = (await again.app!.nextCode()) ?? "";
    expect(await again.act(() => outcome(codeAction({}, form({ code }))))).toBe("/admin");
    expect(await again.inConsole()).toBe(true);
  });
});

describe("a right code sent twice", () => {
  /**
   * The browser sends the code form twice with the cookie it holds (a double click, a second
   * tab): both requests overlap (`overlap`), or the second reaches the server only after the
   * first was answered, before the browser had that answer. Each answer's cookie is applied in
   * the order the answers arrive, as a browser does.
   */
  async function sendTwice(browser: Browser, code: string, overlap: boolean) {
    const sent = browser.cookie!;
    const arrived: Map<string, string>[] = [];
    const send = async () => {
      const own = new Map([[STAFF_COOKIE, sent]]);
      const answer = await ownJar.run(own, () => outcome(codeAction({}, form({ code }))));
      arrived.push(own);
      return answer;
    };
    const answers = overlap ? await Promise.all([send(), send()]) : [await send(), await send()];
    for (const own of arrived) {
      const value = own.get(STAFF_COOKIE);
      if (value === undefined) browser.cookie = undefined;
      else if (value !== sent) browser.cookie = value;
    }
    return answers;
  }

  for (const overlap of [true, false])
    it(`signs the officer in once; the other answer leaves the new cookie alone (${overlap ? "at once" : "one after the other"})`, async () => {
      const admin = await signedIn("admin");
      const browser = new Browser();
      browser.app = admin.browser.app;
      expect(
        await browser.act(() =>
          outcome(loginAction({}, form({ email: admin.email, password: PASSWORD }))),
        ),
      ).toBe("/admin/login/code");
      const code = (await browser.app!.nextCode()) ?? "";
      const answers = await sendTwice(browser, code, overlap);
      expect(answers).toContain("/admin");
      expect(await browser.inConsole()).toBe(true);
      const logins = (await t.db.select().from(auditEvents)).filter(
        (a) => a.action === "staff.login" && a.actorId === admin.id,
      );
      expect(logins).toHaveLength(2);
    });

  for (const overlap of [true, false])
    it(`an enrolment's first code enrols once; the other answer leaves the new cookie alone (${overlap ? "at once" : "one after the other"})`, async () => {
      const { email, id } = await account("approver");
      const browser = new Browser();
      expect(
        await browser.act(() => outcome(loginAction({}, form({ email, password: PASSWORD })))),
      ).toBe("/admin/login/enrol");
      const html = await browser.act(() => renderPage(EnrolPage()));
      const code = (await new Authenticator(secretFromEnrolmentPage(html)).nextCode()) ?? "";
      const answers = await sendTwice(browser, code, overlap);
      expect(
        answers.filter((a) => typeof a === "object" && a !== null && "recoveryCodes" in a),
      ).toHaveLength(1);
      expect(await browser.inConsole()).toBe(true);
      const enrolments = (await t.db.select().from(auditEvents)).filter(
        (a) => a.action === "staff.mfa_enrolled" && a.actorId === id,
      );
      expect(enrolments).toHaveLength(1);
    });
});

describe("the account's cap on wrong codes", () => {
  it("the tenth wrong code sends the officer to the sign-in, told how many minutes to wait; the right code works once they have passed", async () => {
    // Its own address: the wrong codes here slow the next password attempts from it down.
    browserHeaders.set("x-forwarded-for", "192.0.2.47");
    try {
      const approver = await signedIn("approver");
      const start = Date.now();
      const browser = new Browser();
      browser.app = approver.browser.app;
      const signIn = async (at: number) => {
        setClock(at);
        expect(
          await browser.act(() =>
            outcome(loginAction({}, form({ email: approver.email, password: PASSWORD }))),
          ),
        ).toBe("/admin/login/code");
      };
      const answers: unknown[] = [];
      for (const round of [1, 2]) {
        await signIn(start + round * 60_000);
        for (let i = 0; i < 5; i++)
          answers.push(await browser.act(() => outcome(codeAction({}, form({ code: "999999" })))));
      }
      const invalid = { error: "That code is not valid. Try the next one." };
      // The account's window began with its first wrong code, a minute after the start (the
      // enrolment's right code before it was taken back, and opened none).
      expect(answers).toEqual([
        ...[invalid, invalid, invalid, invalid, "/admin/login?error=expired"],
        ...[invalid, invalid, invalid, invalid, "/admin/login?error=too_many_codes&minutes=14"],
      ]);
      const loginPage = (query: Record<string, string>) =>
        browser.act(() => renderPage(LoginPage({ searchParams: Promise.resolve(query) })));
      const told = await loginPage({ error: "too_many_codes", minutes: "14" });
      expect(told).toContain("Too many wrong codes for this account. Try again in 14 minutes.");
      expect(told).not.toContain("took too long");
      // A URL with another number in it says at most the whole window.
      expect(await loginPage({ error: "too_many_codes", minutes: "9999" })).toContain(
        "Try again in 15 minutes.",
      );
      // The right code is refused too until the window ends…
      await signIn(start + 3 * 60_000);
      const code = (await browser.app!.nextCode()) ?? "";
      expect(await browser.act(() => outcome(codeAction({}, form({ code }))))).toBe(
        "/admin/login?error=too_many_codes&minutes=13",
      );
      // …and signs in once it has.
      await signIn(start + 16 * 60_000);
      const later = (await browser.app!.nextCode()) ?? "";
      expect(await browser.act(() => outcome(codeAction({}, form({ code: later }))))).toBe(
        "/admin",
      );
    } finally {
      jest.useRealTimers();
      browserHeaders.delete("x-forwarded-for");
    }
  });
});

describe("sign-in throttling", () => {
  it("of a burst of wrong passwords only the free ones are checked; the rest are told to wait, any email alike", async () => {
    // Its own address: this file's other tests fail sign-ins from the shared one.
    browserHeaders.set("x-forwarded-for", "192.0.2.45");
    try {
      const known = (await account("reviewer")).email;
      for (const email of [known, "nobody@broker.example"]) {
        const answers = await Promise.all(
          Array.from({ length: 6 }, () =>
            ownJar.run(new Map(), () =>
              loginAction({}, form({ email, password: "not the password" })),
            ),
          ),
        );
        expect(answers.map((a) => a.error).sort()).toEqual([
          "Email or password is wrong.",
          "Email or password is wrong.",
          "Email or password is wrong.",
          "Too many attempts. Wait half a minute, then try again.",
          "Too many attempts. Wait half a minute, then try again.",
          "Too many attempts. Wait half a minute, then try again.",
        ]);
      }
    } finally {
      browserHeaders.delete("x-forwarded-for");
    }
  });
});

describe("the throttle's window after a sign-in", () => {
  it("a window opens at the first failure, not at the sign-in before it: its free attempts do not come back early", async () => {
    browserHeaders.set("x-forwarded-for", "192.0.2.49");
    try {
      const officer = await account("reviewer");
      const start = Date.now();
      const attempt = async (at: number, password: string) => {
        setClock(at);
        return new Browser().act(() =>
          outcome(loginAction({}, form({ email: officer.email, password }))),
        );
      };
      const wrong = { error: "Email or password is wrong." };
      const tooSoon = { error: "Too many attempts. Wait half a minute, then try again." };
      // The officer signs in; 14 minutes later someone tries their email: three free failures,
      // then the spacing.
      expect(await attempt(start, PASSWORD)).toBe("/admin");
      const failing = start + 14 * 60_000;
      for (let i = 0; i < 3; i++) expect(await attempt(failing, "not it")).toEqual(wrong);
      expect(await attempt(failing, "not it")).toEqual(tooSoon);
      // A minute later the failures' window is still open (it started at the first of them): a
      // second apart, the next attempt is admitted and the one right after it waits.
      const later = start + 15 * 60_000 + 1_000;
      expect(await attempt(later, "not it")).toEqual(wrong);
      expect(await attempt(later, "not it")).toEqual(tooSoon);
      // Once the failures' own 15 minutes are over, the window starts again.
      expect(await attempt(failing + 15 * 60_000 + 1_000, PASSWORD)).toBe("/admin");
    } finally {
      jest.useRealTimers();
      browserHeaders.delete("x-forwarded-for");
    }
  });
});

describe("no trusted proxy", () => {
  it("the address a client writes in X-Forwarded-For is neither keyed on nor shown", async () => {
    setTestEnv({ TRUSTED_PROXY_HOPS: "0" });
    // Reached directly, the app sees what the client wrote (Next.js adds the socket address only
    // when the header is missing): here someone writes the officer's address.
    browserHeaders.set("x-forwarded-for", "198.51.100.77");
    try {
      const spray = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          ownJar.run(new Map(), () =>
            loginAction({}, form({ email: `spray${i}@x.example`, password: "not it" })),
          ),
        ),
      );
      expect(spray.every((a) => a.error === "Email or password is wrong.")).toBe(true);
      // The officer whose address it is still signs in at once…
      const officer = await account("reviewer");
      const browser = new Browser();
      expect(await browser.signIn(officer.email)).toBe("/admin");
      // …and the written address is not presented as where they signed in from.
      const html = await browser.act(() =>
        renderPage(AccountPage({ searchParams: Promise.resolve({}) })),
      );
      expect(html).not.toContain("198.51.100.77");
    } finally {
      browserHeaders.delete("x-forwarded-for");
      setTestEnv({ TRUSTED_PROXY_HOPS: "1" });
    }
  });

  it("warns once when requests come through a proxy TRUSTED_PROXY_HOPS does not count", async () => {
    setTestEnv({ TRUSTED_PROXY_HOPS: "0" });
    const logs = captureLogs();
    const warnings = () => logs.lines.filter((l) => l.includes("staff.trusted_proxy_hops_unset"));
    const attempt = () =>
      ownJar.run(new Map(), () =>
        loginAction({}, form({ email: "proxied@x.example", password: "not it" })),
      );
    try {
      // Reached directly: Next.js writes the socket address (and `http`) itself. No warning.
      browserHeaders.set("x-forwarded-for", "198.51.100.78");
      browserHeaders.set("x-forwarded-proto", "http");
      await attempt();
      expect(warnings()).toEqual([]);
      // Through a TLS proxy: one warning, however many requests.
      browserHeaders.set("x-forwarded-proto", "https");
      await attempt();
      await attempt();
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toContain('"level":"warn"');
    } finally {
      logs.stop();
      browserHeaders.delete("x-forwarded-for");
      browserHeaders.delete("x-forwarded-proto");
      setTestEnv({ TRUSTED_PROXY_HOPS: "1" });
    }
  });
});

describe("account administration", () => {
  it("a reviewer cannot reach the account admin actions or page; nothing changes", async () => {
    const reviewer = await signedIn("reviewer");
    const target = await account("reviewer");
    const b = reviewer.browser;
    expect(
      await b.act(() => outcome(changeRoleAction(form({ staffId: target.id, role: "admin" })))),
    ).toBe("/admin?error=forbidden");
    expect(
      await b.act(() => outcome(disableStaffAction(form({ staffId: target.id, disabled: "1" })))),
    ).toBe("/admin?error=forbidden");
    expect(await b.act(() => outcome(resetMfaAction(form({ staffId: target.id }))))).toBe(
      "/admin?error=forbidden",
    );
    expect(await b.act(() => outcome(resetPasswordAction({}, form({ staffId: target.id }))))).toBe(
      "/admin?error=forbidden",
    );
    expect(
      await b.act(() => outcome(renderPage(StaffPage({ searchParams: Promise.resolve({}) })))),
    ).toBe("/admin?error=forbidden");
    expect(await new Browser().signIn(target.email)).toBe("/admin");
    const audit = await t.db.select().from(auditEvents);
    expect(audit.some((a) => a.action === "staff.role_changed")).toBe(false);
  });

  it("disabling an account ends its open session at once and refuses its sign-in", async () => {
    const admin = await signedIn("admin");
    const officer = await signedIn("reviewer");
    expect(await officer.browser.inConsole()).toBe(true);
    expect(
      await admin.browser.act(() =>
        outcome(disableStaffAction(form({ staffId: officer.id, disabled: "1" }))),
      ),
    ).toBe("/admin/staff?outcome=disabled");
    expect(await officer.browser.inConsole()).toBe(false);
    expect(
      await new Browser().act(() =>
        loginAction({}, form({ email: officer.email, password: PASSWORD })),
      ),
    ).toEqual({
      error: "Email or password is wrong.",
    });
    expect(
      await admin.browser.act(() =>
        outcome(disableStaffAction(form({ staffId: officer.id, disabled: "0" }))),
      ),
    ).toBe("/admin/staff?outcome=enabled");
    expect(await new Browser().signIn(officer.email)).toBe("/admin");
  });

  it("a password reset ends the person's sessions; only the new password signs in", async () => {
    const admin = await signedIn("admin");
    const officer = await signedIn("reviewer");
    const state = await admin.browser.act(() =>
      resetPasswordAction({}, form({ staffId: officer.id })),
    );
    expect(state.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    // Refusals come back as codes (the page words them in the admin's language), never text.
    expect(
      await admin.browser.act(() => resetPasswordAction({}, form({ staffId: admin.id }))),
    ).toEqual({
      error: "self",
    });
    expect(await admin.browser.act(() => resetPasswordAction({}, form({ staffId: "x" })))).toEqual({
      error: "not_found",
    });
    expect(await officer.browser.inConsole()).toBe(false);
    expect(
      await new Browser().act(() =>
        loginAction({}, form({ email: officer.email, password: PASSWORD })),
      ),
    ).toEqual({
      error: "Email or password is wrong.",
    });
    expect(await new Browser().signIn(officer.email, state.password)).toBe("/admin");
    const audit = await t.db.select().from(auditEvents);
    expect(audit.some((a) => a.action === "staff.password_reset" && a.actorId === admin.id)).toBe(
      true,
    );
    expect(JSON.stringify(audit)).not.toContain(state.password);
  });

  // A second connection holds the account while both requests start: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "a sign-in whose password was checked before an admin's reset landed opens no session",
    async () => {
      const admin = await signedIn("admin");
      const officer = await account("reviewer");
      if (t.target?.kind !== "postgres") throw new Error("needs PostgreSQL");
      const other = postgres(t.target.url, { max: 2, onnotice: () => {} });
      const waiting = async (n: number) => {
        for (let waited = 0; ; waited += 50) {
          const [row] = await other<{ n: number }[]>`
            select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`;
          if ((row?.n ?? 0) >= n) return;
          if (waited > 20_000) throw new Error(`never ${n} waiting for the account`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      let reset: Promise<{ password?: string }> | undefined;
      let login: Promise<unknown> | undefined;
      const signingIn = new Map<string, string>();
      try {
        await other.begin(async (sql) => {
          await sql`select id from staff_users where id = ${officer.id} for update`;
          // The admin's reset is under way; meanwhile the officer's old password is checked.
          reset = ownJar.run(new Map([[STAFF_COOKIE, admin.browser.cookie!]]), () =>
            resetPasswordAction({}, form({ staffId: officer.id })),
          );
          await waiting(1);
          login = ownJar.run(signingIn, () =>
            outcome(loginAction({}, form({ email: officer.email, password: PASSWORD }))),
          );
          await waiting(2);
        });
        expect((await reset)?.password).toBeDefined();
        // The reset landed first: the password the sign-in checked is no longer the account's.
        expect(await login).toEqual({ error: "Email or password is wrong." });
        expect(signingIn.has(STAFF_COOKIE)).toBe(false);
      } finally {
        await reset?.catch(() => undefined);
        await login?.catch(() => undefined);
        await other.end();
      }
    },
  );

  it("a role change takes effect: sessions end, and the new approver enrols before the console", async () => {
    const admin = await signedIn("admin");
    const officer = await signedIn("reviewer");
    expect(
      await admin.browser.act(() =>
        outcome(changeRoleAction(form({ staffId: officer.id, role: "approver" }))),
      ),
    ).toBe("/admin/staff?outcome=role_changed");
    expect(await officer.browser.inConsole()).toBe(false);
    const fresh = new Browser();
    expect(
      await fresh.act(() =>
        outcome(loginAction({}, form({ email: officer.email, password: PASSWORD }))),
      ),
    ).toBe("/admin/login/enrol");
    expect(await fresh.inConsole()).toBe(false);
    expect(
      await admin.browser.act(() =>
        outcome(changeRoleAction(form({ staffId: officer.id, role: "owner" }))),
      ),
    ).toBe("/admin/staff?error=bad_role");
  });

  it("resetting a lost second factor ends the sessions; the next sign-in enrols again", async () => {
    const admin = await signedIn("admin");
    const approver = await signedIn("approver");
    expect(
      await admin.browser.act(() => outcome(resetMfaAction(form({ staffId: approver.id })))),
    ).toBe("/admin/staff?outcome=mfa_reset");
    expect(await approver.browser.inConsole()).toBe(false);
    expect(await new Browser().signIn(approver.email)).toBe("enrolled");
  });

  it("an admin does not change their own account here", async () => {
    const admin = await signedIn("admin");
    expect(
      await admin.browser.act(() =>
        outcome(disableStaffAction(form({ staffId: admin.id, disabled: "1" }))),
      ),
    ).toBe("/admin/staff?error=self");
    expect(await admin.browser.inConsole()).toBe(true);
  });
});

describe("the accounts page", () => {
  it("shows each account's last sign-in in the officer's zone, the UTC value on hover", async () => {
    const admin = await signedIn("admin");
    const officer = await signedIn("reviewer");
    const html = await admin.browser.act(() =>
      renderPage(StaffPage({ searchParams: Promise.resolve({}) })),
    );
    const row = html.split("<tr").find((r) => r.includes(officer.email)) ?? "";
    expect(row).toMatch(
      /<time[^>]*title="\d{4}-\d\d-\d\d \d\d:\d\d UTC"[^>]*data-testid="officer-time"/,
    );
  });
});

describe("own sessions", () => {
  it("staff see where they are signed in and end another session; that cookie stops working", async () => {
    const officer = await signedIn("reviewer");
    const laptop = officer.browser;
    const phone = new Browser();
    expect(await phone.signIn(officer.email)).toBe("/admin");
    const html = await laptop.act(() =>
      renderPage(AccountPage({ searchParams: Promise.resolve({}) })),
    );
    const refs = [...html.matchAll(/data-session="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    expect(refs).toHaveLength(2);
    // Times in the officer's zone once in the browser; the UTC value on hover, as elsewhere.
    expect(html).toMatch(
      /<time[^>]*title="\d{4}-\d\d-\d\d \d\d:\d\d UTC"[^>]*data-testid="officer-time"/,
    );
    expect(html).toContain("192.0.2.10");
    expect(html).toContain("Sign out here");
    // The phone's session is the row not marked as this one.
    const rows = html.split('<tr data-session="').slice(1);
    const phoneRef = rows.find((row) => !row.includes("Sign out here"))?.slice(0, 36) ?? "";
    expect(await laptop.act(() => outcome(endSessionAction(form({ ref: phoneRef }))))).toBe(
      "/admin/account?outcome=session_ended",
    );
    expect(await phone.inConsole()).toBe(false);
    expect(await laptop.inConsole()).toBe(true);

    // Someone else's session is not theirs to end.
    const other = await signedIn("reviewer");
    const otherHtml = await other.browser.act(() =>
      renderPage(AccountPage({ searchParams: Promise.resolve({}) })),
    );
    const otherRef = /data-session="([0-9a-f-]{36})"/.exec(otherHtml)?.[1] ?? "";
    expect(await laptop.act(() => outcome(endSessionAction(form({ ref: otherRef }))))).toBe(
      "/admin/account?error=not_found",
    );
    expect(await other.browser.inConsole()).toBe(true);
  });
});

describe("moving one's second factor", () => {
  /** The account page's "move to a new device": its key, and the fields it asks for. */
  async function startMove(browser: Browser) {
    expect(await browser.act(() => outcome(startEnrolmentAction()))).toBe("/admin/account?enrol=1");
    const html = await browser.act(() =>
      renderPage(AccountPage({ searchParams: Promise.resolve({ enrol: "1" }) })),
    );
    return { html, device: new Authenticator(secretFromEnrolmentPage(html)) };
  }
  const enrol = (browser: Browser, values: Record<string, string>) =>
    browser.act(() => outcome(enrolAction({}, form(values))));
  const failedEnrolments = async (id: string) =>
    (await t.db.select().from(auditEvents)).filter(
      (a) => a.action === "staff.mfa_enrol_failed" && a.actorId === id,
    );

  it("takes the password and a current code; the new device ends every other session", async () => {
    const approver = await signedIn("approver");
    const laptop = approver.browser;
    const phone = new Browser();
    phone.app = laptop.app;
    expect(await phone.signIn(approver.email)).toBe("/admin");
    const { html, device } = await startMove(laptop);
    expect(html).toContain('data-testid="move-proof"');
    expect(html).toContain('name="currentCode"');
    // The new device's code of this step, valid (nothing records it until the move is done).
    const newCode = () => device.codeAt(Math.floor(Date.now() / 1000));
    const recovery = laptop.app!.recoveryCodes[0]!;

    // An open session alone (or one opened with the password alone) does not move it.
    expect(await enrol(laptop, { code: await newCode() })).toEqual({
      error: "The password or the code from your current device is wrong. Nothing was changed.",
    });
    expect(
      await enrol(laptop, {
        code: await newCode(),
        password: "not the password",
        currentCode: recovery,
      }),
    ).toMatchObject({ error: expect.stringContaining("Nothing was changed") });
    expect(
      await enrol(laptop, { code: "000000", password: PASSWORD, currentCode: "000000" }),
    ).toEqual({ error: "That code is not valid. Try the next one." });
    expect(await failedEnrolments(approver.id)).toHaveLength(3);
    expect(await phone.inConsole()).toBe(true);

    const state = await enrol(laptop, {
      code: (await device.nextCode()) ?? "",
      password: PASSWORD,
      currentCode: recovery,
    });
    expect(typeof state === "object" && state.recoveryCodes).toHaveLength(10);
    expect(await laptop.inConsole()).toBe(true);
    expect(await phone.inConsole()).toBe(false);
    // The new device signs in; the old one no more.
    const fresh = new Browser();
    fresh.app = device;
    expect(await fresh.signIn(approver.email)).toBe("/admin");
    const old = new Browser();
    old.app = laptop.app;
    expect(await old.signIn(approver.email)).not.toBe("/admin");
  });

  it("a flood of wrong codes for the new device is refused unchecked, five per setup, and leaves the officer's sign-in alone", async () => {
    browserHeaders.set("x-forwarded-for", "192.0.2.48");
    try {
      const reviewer = await signedIn("reviewer");
      const flood = () =>
        Promise.all(
          Array.from({ length: 12 }, () =>
            ownJar.run(new Map([[STAFF_COOKIE, reviewer.browser.cookie!]]), () =>
              outcome(enrolAction({}, form({ code: "000000", password: PASSWORD }))),
            ),
          ),
        );
      const count = (answers: unknown[], error: string) =>
        answers.filter(
          (a) => typeof a === "object" && a !== null && "error" in a && a.error === error,
        ).length;
      const invalid = "That code is not valid. Try the next one.";
      const restart =
        "This setup has ended, perhaps after too many wrong codes. Start setting up the new device again.";

      await startMove(reviewer.browser);
      const logs = captureLogs();
      let first: unknown[];
      try {
        first = await flood();
      } finally {
        logs.stop();
      }
      expect([count(first, invalid), count(first, restart)]).toEqual([5, 7]);
      // Each refusal is logged under the name the other refusals use (staff.<what>_throttled).
      const refusals = logs.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => String(e.event).endsWith("_throttled"));
      expect(refusals).toHaveLength(7);
      for (const e of refusals)
        expect(e).toMatchObject({ event: "staff.mfa_enrol_throttled", staffId: reviewer.id });
      expect(await failedEnrolments(reviewer.id)).toHaveLength(5);
      // A new setup (a new key) has five more.
      await startMove(reviewer.browser);
      const second = await flood();
      expect([count(second, invalid), count(second, restart)]).toEqual([5, 7]);
      expect(await failedEnrolments(reviewer.id)).toHaveLength(10);
      // The new key is shown to whoever holds the session: its wrong codes are no guesses at the
      // officer's factor, and do not spend the account's codes. The officer still signs in.
      const officer = new Browser();
      officer.app = reviewer.browser.app;
      expect(await officer.signIn(reviewer.email)).toBe("/admin");
    } finally {
      browserHeaders.delete("x-forwarded-for");
    }
  });

  it("a first enrolment from the account page takes the password: an open session alone cannot lock the officer out", async () => {
    // Its own address: the wrong passwords here would slow the shared one down.
    browserHeaders.set("x-forwarded-for", "192.0.2.46");
    const reviewer = await signedIn("reviewer");
    const other = new Browser();
    expect(await other.signIn(reviewer.email)).toBe("/admin");
    const { html, device } = await startMove(reviewer.browser);
    expect(html).toContain('data-testid="enrol-password"');
    expect(html).toContain('name="password"');
    expect(html).not.toContain('data-testid="move-proof"');
    const newCode = () => device.codeAt(Math.floor(Date.now() / 1000));

    // Whoever found the session open: a valid new code, no password or a wrong one.
    for (const password of [undefined, "not the password"])
      expect(
        await enrol(reviewer.browser, {
          code: await newCode(),
          ...(password !== undefined && { password }),
        }),
      ).toEqual({ error: "The current password is wrong." });
    expect(await failedEnrolments(reviewer.id)).toHaveLength(2);
    // Nothing changed: the other session stays, and the password alone still signs in.
    expect(await other.inConsole()).toBe(true);
    expect(await new Browser().signIn(reviewer.email)).toBe("/admin");

    const state = await enrol(reviewer.browser, {
      code: (await device.nextCode()) ?? "",
      password: PASSWORD,
    });
    expect(typeof state === "object" && state.recoveryCodes).toHaveLength(10);
    expect(await reviewer.browser.inConsole()).toBe(true);
    expect(await other.inConsole()).toBe(false);
    browserHeaders.delete("x-forwarded-for");
  });
});

describe("one's own password", () => {
  // Its own address: the failures this file makes on purpose from the default one would otherwise
  // space these sign-ins out (past 10 in the window, 1 s after the previous attempt), by pace.
  beforeEach(() => browserHeaders.set("x-forwarded-for", "192.0.2.60"));
  afterEach(() => browserHeaders.delete("x-forwarded-for"));
  const change = (browser: Browser, values: Record<string, string>) =>
    browser.act(() => outcome(changePasswordAction(form(values))));
  const passwordPage = (browser: Browser, query: Record<string, string> = {}) =>
    browser.act(() => outcome(renderPage(PasswordPage({ searchParams: Promise.resolve(query) }))));
  /** Where a console action sends this browser (a reviewer's: claiming a case). */
  const claim = (browser: Browser) =>
    browser.act(() => outcome(claimAction(form({ caseId: "x" }))));

  it("after an admin's reset the console opens only the password change, until the holder sets their own", async () => {
    const admin = await signedIn("admin");
    const officer = await account("reviewer");
    const { password: generated } = await admin.browser.act(() =>
      resetPasswordAction({}, form({ staffId: officer.id })),
    );
    // The admin knows this password: signed in with it, nothing but the password page opens.
    const holder = new Browser();
    expect(await holder.signIn(officer.email, generated!)).toBe("/admin");
    expect(await claim(holder)).toBe("/admin/password");
    expect(
      await holder.act(() =>
        outcome(renderPage(AccountPage({ searchParams: Promise.resolve({}) }))),
      ),
    ).toBe("/admin/password");
    const page = String(await passwordPage(holder));
    expect(page).toContain('data-forced="true"');
    expect(page).toContain("An administrator set your password");

    // Each refusal is named on the page, and changes nothing.
    const next = "the holder's own passphrase";
    for (const [values, reason] of [
      [{ current: "not it at all", next, repeat: next }, "wrong_current"],
      [{ current: generated!, next: "short", repeat: "short" }, "too_short"],
      [{ current: generated!, next, repeat: `${next}!` }, "mismatch"],
      [{ current: generated!, next: generated!, repeat: generated! }, "unchanged"],
    ] as const) {
      expect(await change(holder, values)).toBe(`/admin/password?error=${reason}`);
      expect(String(await passwordPage(holder, { error: reason }))).toContain(
        `data-reason="${reason}"`,
      );
    }
    expect(await claim(holder)).toBe("/admin/password");

    expect(await change(holder, { current: generated!, next, repeat: next })).toBe(
      "/admin/login?outcome=password_changed",
    );
    // Every session ended, this one too; the admin's password opens nothing any more.
    expect(holder.cookie).toBeUndefined();
    expect(
      await new Browser().act(() =>
        loginAction({}, form({ email: officer.email, password: generated! })),
      ),
    ).toEqual({ error: "Email or password is wrong." });
    const own = new Browser();
    expect(await own.signIn(officer.email, next)).toBe("/admin");
    expect(await claim(own)).not.toBe("/admin/password");
    expect(await own.inConsole()).toBe(true);

    const audit = await t.db.select().from(auditEvents);
    const changed = audit.find(
      (a) => a.action === "staff.password_changed" && a.actorId === officer.id,
    );
    expect(changed?.data).toMatchObject({ staffId: officer.id, wasSetBy: admin.id });
    expect(
      audit.some((a) => a.action === "staff.password_change_failed" && a.actorId === officer.id),
    ).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(next);
  });

  it("an approver whose password and second factor an admin reset enrols, keeps the recovery codes on screen, then must change the password", async () => {
    const admin = await signedIn("admin");
    const approver = await signedIn("approver");
    const { password: generated } = await admin.browser.act(() =>
      resetPasswordAction({}, form({ staffId: approver.id })),
    );
    await admin.browser.act(() => outcome(resetMfaAction(form({ staffId: approver.id }))));
    const holder = new Browser();
    expect(await holder.signIn(approver.email, generated!)).toBe("enrolled");
    // The accepted code renders the enrolment page again, now signed in: it stays, with the
    // recovery codes the form holds, instead of sending to the sign-in.
    const again = await holder.act(() => outcome(renderPage(EnrolPage())));
    expect(again).not.toBe("/admin/login");
    expect(String(again)).toContain("<h1>");
    expect(await claim(holder)).toBe("/admin/password");
  });

  it("one who must change it can still sign out, and that ends the session", async () => {
    const admin = await signedIn("admin");
    const officer = await account("reviewer");
    const { password: generated } = await admin.browser.act(() =>
      resetPasswordAction({}, form({ staffId: officer.id })),
    );
    const holder = new Browser();
    await holder.signIn(officer.email, generated!);
    const cookie = holder.cookie;
    expect(await holder.act(() => outcome(logoutAction()))).toBe("/admin/login");
    holder.cookie = cookie;
    expect(await claim(holder)).toBe("/admin/login");
  });

  it("anyone may change their own from the account page; every other session ends with it", async () => {
    const officer = await signedIn("reviewer");
    const phone = new Browser();
    expect(await phone.signIn(officer.email)).toBe("/admin");
    const html = await officer.browser.act(() =>
      renderPage(AccountPage({ searchParams: Promise.resolve({}) })),
    );
    expect(html).toContain('href="/admin/password"');
    expect(String(await passwordPage(officer.browser))).toContain('data-forced="false"');
    const next = "a brand new passphrase";
    expect(await change(officer.browser, { current: PASSWORD, next, repeat: next })).toBe(
      "/admin/login?outcome=password_changed",
    );
    expect(await phone.inConsole()).toBe(false);
    expect(await new Browser().signIn(officer.email, next)).toBe("/admin");
  });

  it("without a session the page and the action send to the sign-in", async () => {
    const nobody = new Browser();
    expect(await passwordPage(nobody)).toBe("/admin/login");
    expect(await change(nobody, { current: "x", next: "y", repeat: "y" })).toBe("/admin/login");
  });
});
