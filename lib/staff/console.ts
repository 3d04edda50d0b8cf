/**
 * The console's request scope: who is signed in (from the staff cookie), once per request;
 * pages and actions that need a role send everyone else to the login page.
 */
import "server-only";
import { isIP } from "node:net";
import { cookies, headers } from "next/headers";
import { redirect, unstable_rethrow } from "next/navigation";
import { cache } from "react";
import type { StaffRole } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { errorFacts } from "@/lib/errors";
import { log } from "@/lib/log";
import {
  DEFAULT_LOCALE,
  localeFromAcceptLanguage,
  pickLocale,
  type Locale,
} from "@/lib/i18n/config";
import {
  hasRole,
  resolvePasswordChanger,
  resolvePendingLogin,
  resolveStaff,
  STAFF_COOKIE,
  type ClientInfo,
  type PendingLogin,
  type StaffPrincipal,
} from "./auth";
import { UNKNOWN_CLIENT } from "./throttle";

export const getStaff = cache(async (): Promise<StaffPrincipal | undefined> => {
  const store = await cookies();
  return resolveStaff(store.get(STAFF_COOKIE)?.value);
});

/**
 * Who is signed in, for the console's shell only (the header, the language). When that cannot be
 * read (the database down), the shell goes on without it, logged: the page's own failure then
 * reaches app/admin/error.tsx in the officer's language, instead of Next's bare English page.
 * Never for a decision about access: pages and actions use requireStaff.
 */
export const getShellStaff = cache(async (): Promise<StaffPrincipal | undefined> => {
  try {
    return await getStaff();
  } catch (error) {
    // Next's own signals (a prerender's dynamic-usage bail-out, a redirect) are not failures.
    unstable_rethrow(error);
    // The facts only: a failed query's message quotes its SQL and values (the session hash).
    log.error("console.staff_unreadable", errorFacts(error));
    return undefined;
  }
});

/** The password page's signed-in person, including one who must change an admin-set password. */
export const getPasswordChanger = cache(async () => {
  const store = await cookies();
  return resolvePasswordChanger(store.get(STAFF_COOKIE)?.value);
});

/**
 * The sign-in page's "expired" notice is for a browser without a session. A twin submission of
 * the same right code (a double click, two tabs) answered after its twin signed the officer in
 * finds the half session it names used up and sends the browser here; the browser follows that
 * redirect holding the cookie the twin set, and goes where the twin sent it: the console (which
 * sends one whose password an admin set on to the password page).
 */
export async function expiredUnlessSignedIn(): Promise<void> {
  if (await getPasswordChanger()) redirect("/admin");
}

/** Where a signed-in officer whose password an admin set is sent, whatever they asked for. */
export const PASSWORD_PAGE = "/admin/password";

export async function requireStaff(role: StaffRole = "reviewer"): Promise<StaffPrincipal> {
  const staff = await getStaff();
  if (!staff) redirect((await getPasswordChanger())?.forced ? PASSWORD_PAGE : "/admin/login");
  if (!hasRole(staff, role)) redirect("/admin?error=forbidden");
  return staff;
}

/**
 * The console language asked for before an account is known (the sign-in page's choice) or
 * for a signed-out browser; the account's own choice wins once someone is signed in.
 */
export const CONSOLE_LANG_COOKIE = "__Host-kyc_console_lang";

/** The cookie that keeps a console language choice in this browser (a year). */
export function consoleLangCookie(locale: Locale) {
  return {
    name: CONSOLE_LANG_COOKIE,
    value: locale,
    httpOnly: true,
    secure: true,
    sameSite: "lax" as const,
    path: "/",
    maxAge: 365 * 24 * 3600,
  };
}

/**
 * The officer's console language: the account's choice, else this browser's choice (cookie),
 * else the browser's languages (Accept-Language), else English.
 */
export async function consoleLocale(): Promise<Locale> {
  const saved = (await getShellStaff())?.locale;
  if (saved) return saved;
  const fromCookie = pickLocale((await cookies()).get(CONSOLE_LANG_COOKIE)?.value);
  if (fromCookie) return fromCookie;
  return localeFromAcceptLanguage((await headers()).get("accept-language")) ?? DEFAULT_LOCALE;
}

/** The half-signed-in login behind the cookie (code or enrolment step), if any. */
export const getPendingLogin = cache(async (): Promise<PendingLogin | undefined> => {
  const store = await cookies();
  return resolvePendingLogin(store.get(STAFF_COOKIE)?.value);
});

export async function staffCookieValue(): Promise<string | undefined> {
  return (await cookies()).get(STAFF_COOKIE)?.value;
}

/**
 * The client address from X-Forwarded-For, counted from the right: each of the
 * TRUSTED_PROXY_HOPS proxies in front of the app appended the address it saw, so the entry that
 * many from the right is the one the nearest untrusted party cannot choose. Everything left of it
 * is whatever the client sent.
 *
 * With no trusted proxy (0) the address is `unknown`: Next.js writes the socket address into the
 * header only when the request has none, so a client reaching the app directly writes whatever
 * it likes there, and Next 16 gives route handlers and server actions no socket address of their
 * own. Login throttling then keys on the email alone (lib/staff/throttle.ts).
 */
export function clientFromForwardedFor(header: string | null, trustedHops: number): string {
  if (trustedHops < 1) return UNKNOWN_CLIENT;
  const hops = (header ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  const entry = hops[hops.length - trustedHops];
  if (!entry) return UNKNOWN_CLIENT;
  const bare = entry.replace(/^\[|\]$/g, "").replace(/^::ffff:/i, "");
  return isIP(bare) ? bare : "invalid";
}

/**
 * Whether a request looks like it came through a proxy: Next.js fills X-Forwarded-For (and
 * X-Forwarded-Proto, `http` without TLS of its own) when a request reaches it directly, so the
 * header alone says nothing; `https` there, or a header only proxies add, does.
 */
function cameThroughProxy(h: Headers): boolean {
  if (!h.get("x-forwarded-for")) return false;
  return (
    h.get("x-forwarded-proto") === "https" ||
    ["x-real-ip", "forwarded", "via"].some((name) => h.has(name))
  );
}

let warnedNoTrustedProxy = false;

/** Who is asking, for login throttling and the session list. */
export async function clientInfo(): Promise<ClientInfo> {
  const h = await headers();
  const hops = env().staff.trustedProxyHops;
  // Behind a proxy with TRUSTED_PROXY_HOPS left at 0, sign-in attempts lose their per-client
  // spacing: said once per process, as a warning only (a client can write these headers too).
  if (hops === 0 && !warnedNoTrustedProxy && cameThroughProxy(h)) {
    warnedNoTrustedProxy = true;
    log.warn("staff.trusted_proxy_hops_unset", {
      hint: "requests arrive through a proxy but TRUSTED_PROXY_HOPS=0: sign-in attempts are spaced per email only, not per client; set it to the number of proxies in front of the app",
    });
  }
  return {
    client: clientFromForwardedFor(h.get("x-forwarded-for"), hops),
    userAgent: h.get("user-agent")?.slice(0, 200) ?? undefined,
  };
}
