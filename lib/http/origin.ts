/**
 * Same-origin checks for requests that change something (the trader's JSON endpoints, server
 * actions): the trader's cookie is SameSite=None because cTrader Web frames us, so the browser
 * sends it cross-site too, and the origin of the calling page is what tells our pages apart.
 */
import { env } from "@/lib/env";

const LOOPBACK_TWIN: Record<string, string> = { localhost: "127.0.0.1", "127.0.0.1": "localhost" };

/**
 * The origins our own pages are served from: PUBLIC_BASE_URL's. Never a header the client
 * controls (`X-Forwarded-Host` passes through many proxies unchanged). Without PUBLIC_BASE_URL
 * (a development server reached as localhost, 127.0.0.1 or a LAN address for the phone;
 * production requires it), the request's own `Host` — what Next.js itself compares with.
 */
function ownOrigins(request: Request): string[] {
  const config = env();
  const base = new URL(config.publicBaseUrl);
  const origins = [base.origin];
  // The simulator frames the screens from the other loopback name, to be another site as cTrader
  // Web is: with it on, localhost and 127.0.0.1 on the same port are both this app.
  const twin = LOOPBACK_TWIN[base.hostname];
  if (config.simulatorEnabled && twin)
    origins.push(`${base.protocol}//${twin}${base.port ? `:${base.port}` : ""}`);
  const host = request.headers.get("host");
  if (!config.publicBaseUrlConfigured && host) {
    const protocol = new URL(request.url).protocol;
    origins.push(`${protocol}//${host}`);
  }
  return origins;
}

/** True when the request was made by our own page (or by a non-browser client without those headers). */
export function isSameOrigin(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.get("origin");
  if (!origin) return true;
  // Our pages send Referrer-Policy: no-referrer, and under it a browser's form POST (a
  // navigation) says `Origin: null` even to its own origin. The browser's own Sec-Fetch-Site,
  // which no page can set, then tells: same-origin only.
  if (origin === "null") return site === "same-origin";
  try {
    return ownOrigins(request).includes(new URL(origin).origin);
  } catch {
    return false;
  }
}
