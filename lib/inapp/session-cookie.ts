/**
 * The trader's session cookie. `__Host-` prefix (Secure, Path=/, no Domain: cannot be set or
 * shadowed by a subdomain), HttpOnly, SameSite=None and Partitioned. cTrader Web shows our
 * screens in a cross-site iframe: SameSite=None lets the cookie travel there, Partitioned (CHIPS)
 * keeps it in a jar keyed by the top-level site so it still works where third-party cookies are
 * blocked, and means our session inside cTrader Web cannot be read by any other embedding site.
 */
import type { StartedSession } from "@/lib/identity/sessions";

export const SESSION_COOKIE = "__Host-kyc_session";

export type CookieSpec = {
  name: string;
  value: string;
  httpOnly: true;
  secure: true;
  sameSite: "none";
  partitioned: true;
  path: "/";
  maxAge: number;
};

export function sessionCookie(session: Pick<StartedSession, "id" | "maxAgeSeconds">): CookieSpec {
  return {
    name: SESSION_COOKIE,
    value: session.id,
    httpOnly: true,
    secure: true,
    sameSite: "none",
    partitioned: true,
    path: "/",
    maxAge: session.maxAgeSeconds,
  };
}
