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
    `style-src 'self' 'unsafe-inline'`,
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

export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=()",
  "Cross-Origin-Opener-Policy": "same-origin-allow-popups",
};

/** Paths whose responses may carry personal data or tokens: never cached anywhere. */
export function isPrivatePath(pathname: string): boolean {
  return /^\/(inapp|api|oauth2|cid|dev|admin)(\/|$)/.test(pathname);
}
