/**
 * Response headers for every route. The CSP allows scripts only with this response's nonce
 * (Next.js reads it from the request's CSP header and stamps its own scripts), and
 * `frame-ancestors` lists who may embed the screens (FRAME_ANCESTORS: cTrader Web's origin in
 * production). No X-Frame-Options: it cannot express a list and would break cTrader Web.
 * Referrer-Policy is no-referrer everywhere, so a token URL never leaks through a Referer.
 */
export type CspOptions = {
  nonce: string;
  frameAncestors: string[];
  development: boolean;
  /** The simulator page frames screens from the other loopback host. */
  frameSrc: string[];
  /** Origins fetch/XHR may reach besides our own: the bucket in s3 mode (direct uploads). */
  connectSrc?: string[];
  /** Origins images may come from besides our own: the bucket, for the console's previews. */
  imgSrc?: string[];
};

export function contentSecurityPolicy(o: CspOptions): string {
  const directives = [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${o.nonce}' 'strict-dynamic'${o.development ? " 'unsafe-eval'" : ""}`,
    // Production: a <style> element needs the nonce (an injected one is refused), while style
    // attributes stay allowed (style-src-attr): React renders dynamic values there (the upload
    // progress width, the broker's accent colours, Next's route announcer), which no nonce or
    // hash can cover, and an attribute cannot load or run anything under this policy.
    // Development keeps 'unsafe-inline' for the dev server's injected styles.
    ...(o.development
      ? [`style-src 'self' 'unsafe-inline'`]
      : [
          `style-src 'self' 'nonce-${o.nonce}'`,
          `style-src-elem 'self' 'nonce-${o.nonce}'`,
          `style-src-attr 'unsafe-inline'`,
        ]),
    `img-src ${["'self'", "data:", "blob:", ...(o.imgSrc ?? [])].join(" ")}`,
    `font-src 'self'`,
    `connect-src ${["'self'", ...(o.connectSrc ?? [])].join(" ")}${o.development ? " ws: wss:" : ""}`,
    `frame-src ${["'self'", ...o.frameSrc].join(" ")}`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'self'`,
    `frame-ancestors ${o.frameAncestors.join(" ")}`,
  ];
  return directives.join("; ");
}

/** A fresh CSP nonce: base64 of 16 random bytes, one per response. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
const NONCE = /^[A-Za-z0-9+/]{22}==$/;

/**
 * The nonce of a page a route handler writes itself (the printable evidence): the one the proxy
 * put in the request for this response's CSP, or a fresh one where no proxy ran.
 */
export function pageNonce(fromProxy: string | null): string {
  return fromProxy && NONCE.test(fromProxy) ? fromProxy : newNonce();
}

/**
 * The CSP of a self-contained page with one inline <style> and nothing else (the printable
 * evidence): set by its route besides the proxy's, with the same nonce, so the style applies
 * under either and nothing else loads or runs.
 */
export function stylesOnlyCsp(nonce: string): string {
  return [
    `default-src 'none'`,
    `style-src 'nonce-${nonce}'`,
    `style-src-elem 'nonce-${nonce}'`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join("; ");
}

export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=()",
  "Cross-Origin-Opener-Policy": "same-origin-allow-popups",
};

/** HTTPS only, for two years, subdomains included: sent by production processes. */
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

/**
 * Answers no other site may embed or read as a subresource (API bodies: personal data, the
 * status stream). Navigations and cTrader Web's iframe are not subresource loads.
 */
export function isApiPath(pathname: string): boolean {
  return /^\/(api|oauth2|cid)(\/|$)/.test(pathname);
}

/**
 * Responses the proxy does not see (static assets, public files, the local storage route):
 * set by next.config.ts. Should a browser open one as a page, it runs nothing.
 */
export function unproxiedHeaders(production: boolean): { key: string; value: string }[] {
  return [
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "no-referrer" },
    {
      key: "Content-Security-Policy",
      value: "default-src 'none'; frame-ancestors 'none'; sandbox",
    },
    ...(production ? [{ key: "Strict-Transport-Security", value: STRICT_TRANSPORT_SECURITY }] : []),
  ];
}

/** Paths whose responses may carry personal data or tokens: never cached anywhere. */
export function isPrivatePath(pathname: string): boolean {
  return /^\/(inapp|api|oauth2|cid|dev|admin)(\/|$)/.test(pathname);
}
