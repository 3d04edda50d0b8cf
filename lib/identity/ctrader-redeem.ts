/**
 * The cTrader side of the one-time token handoff: turn the `token` cTrader put in the screen URL
 * into the trader's identity. This is the only module that talks to cTrader for identity.
 *
 * Spotware documents two versions (see shared research, ctrader-contract §1.2-1.3 and §10.1):
 * - `redeem` (current): POST {base}/ctid2/inAppToken/redeem?token={manager token}, JSON body
 *   {"token": "<ot>"}, 200 → {userId, email, tradingLogin}; 401/403 manager token refused; 404
 *   token unknown, expired or already consumed (when cTrader's JSON error says so: a 404 page
 *   from anything else means the path or base URL is wrong).
 * - `legacy`: GET {base}/ctid2/inAppOneTimeToken/data?token={manager token}&oneTimeToken=<ot>.
 *   The older pages never show the broker-side read, so the parameter name is our assumption;
 *   the response is parsed with the same schema.
 * Both sit behind `redeem()`; CTRADER_REDEEM_API picks one.
 *
 * Guarantees: the response is parsed with zod and capped in size; redirects are refused; the
 * call times out (≤ 5 s); every failure maps to one reason, and the log says which — never the
 * token or the manager token.
 */
import { z } from "zod";
import { isAppError } from "@/lib/errors";
import { readBody } from "@/lib/http/body";
import { log } from "@/lib/log";
import { env } from "@/lib/env";

/**
 * cTrader's user id: a number, or a string of digits as V1's SSO authorize answers give it
 * (ctrader-contract §10.4). The redeem is documented with a number; the legacy read's shape is
 * not, so both spellings are accepted there too.
 */
export const ctraderUserIdSchema = z
  .union([
    z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    z
      .string()
      .regex(/^\d{1,15}$/)
      .transform(Number),
  ])
  .refine((n) => n > 0, "userId must be positive");

export const ctraderIdentitySchema = z.object({
  userId: ctraderUserIdSchema,
  // PostgreSQL refuses NUL in text; stripped here so that storing the trader cannot fail after
  // cTrader consumed the token. An empty address says nothing (a user cTrader knows none of): it
  // must not overwrite the one we have, or the trader's status mails stop without a word.
  email: z
    .string()
    .max(320)
    .transform((email) => email.replaceAll("\u0000", ""))
    .transform((email) => (email.trim() === "" ? undefined : email)),
  // "Trading login (if applicable)": a user without a trading account has none (absent, null or
  // Spotware's placeholder 0). None keeps the login we have; it never refuses the launch.
  tradingLogin: z
    .number()
    .int()
    .nonnegative()
    .max(Number.MAX_SAFE_INTEGER)
    .nullish()
    .transform((login) => login || undefined),
});
export type CtraderIdentity = z.infer<typeof ctraderIdentitySchema>;

export type RedeemFailure =
  | "unauthorized" // 401: our manager token was refused
  | "forbidden" // 403: the manager has no right to redeem
  | "not_found" // 404, 410, 417: unknown, expired or already consumed
  | "upstream_error" // 5xx or an unexpected status
  | "timeout"
  | "network_error"
  | "malformed_response"
  | "response_too_large";

export type RedeemResult =
  { ok: true; identity: CtraderIdentity } | { ok: false; reason: RedeemFailure; status?: number };

export type RedeemerConfig = {
  baseUrl: string;
  managerToken: string;
  api: "redeem" | "legacy";
  /** Replaces the API's documented path (CTRADER_REDEEM_PATH). */
  path?: string | undefined;
  timeoutMs: number;
  /** Injected for the built-in simulator, which answers in-process. */
  fetch?: typeof fetch;
};

const MAX_BODY_BYTES = 16 * 1024;

/**
 * Failures where cTrader may not have seen or consumed the token: worth a retry. A refused
 * manager token (401/403) is one: cTrader turned the call away before reading the trader's token.
 */
export const TRANSIENT_FAILURES: ReadonlySet<RedeemFailure> = new Set([
  "unauthorized",
  "forbidden",
  "upstream_error",
  "timeout",
  "network_error",
]);

/** The body as text, or "too_large" past MAX_BODY_BYTES (declared or counted). */
async function readCapped(response: Response): Promise<string | "too_large"> {
  try {
    return (await readBody(response, MAX_BODY_BYTES)).toString("utf8");
  } catch (error) {
    if (isAppError(error) && error.code === "PAYLOAD_TOO_LARGE") return "too_large";
    throw error;
  }
}

/**
 * cTrader's own error body: a JSON object naming the error. Spotware's examples give
 * `{error, message, code}` (research §5); its WebServices API names the code `errorCode`. Any of
 * the naming fields will do; an HTML page, plain text or an empty body will not.
 */
const ctraderErrorSchema = z
  .object({
    error: z.string().optional(),
    code: z.string().optional(),
    errorCode: z.string().optional(),
    message: z.string().optional(),
  })
  .refine((body) => Boolean(body.code ?? body.errorCode ?? body.error ?? body.message));

function isCtraderError(text: string | "too_large"): boolean {
  if (text === "too_large") return false;
  try {
    return ctraderErrorSchema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}

/**
 * The reason for a refusal, and whether it is ours to fix rather than the trader's: a refused
 * manager token, or a 404 that is not cTrader's (a wrong redeem path or base URL answers with a
 * web server's page, and would otherwise tell every trader that the link expired).
 */
function statusFailure(
  status: number,
  text: string | "too_large",
): { reason: RedeemFailure; misconfigured: boolean } {
  if (status === 401) return { reason: "unauthorized", misconfigured: true };
  if (status === 403) return { reason: "forbidden", misconfigured: true };
  // 410 CID_TOKEN_EXPIRED and 417 CID_NON_EXISTED_TOKEN (Spotware's error table): the token is
  // spent or never was; a reload would not help, so the trader reads "expired". Only cTrader
  // answers those; a 404 counts only when cTrader said so, since anything in front of it
  // (a wrong path or base URL) answers 404 too.
  if (status === 410 || status === 417) return { reason: "not_found", misconfigured: false };
  if (status === 404)
    return isCtraderError(text)
      ? { reason: "not_found", misconfigured: false }
      : { reason: "upstream_error", misconfigured: true };
  return { reason: "upstream_error", misconfigured: false };
}

export function createCtraderRedeemer(config: RedeemerConfig) {
  const doFetch = config.fetch ?? fetch;

  function request(otToken: string): [string, RequestInit] {
    const manager = encodeURIComponent(config.managerToken);
    if (config.api === "legacy") {
      const path = config.path ?? "/ctid2/inAppOneTimeToken/data";
      const url = `${config.baseUrl}${path}?token=${manager}&oneTimeToken=${encodeURIComponent(otToken)}`;
      return [url, { method: "GET", headers: { accept: "application/json" } }];
    }
    return [
      `${config.baseUrl}${config.path ?? "/ctid2/inAppToken/redeem"}?token=${manager}`,
      {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ token: otToken }),
      },
    ];
  }

  async function redeem(otToken: string): Promise<RedeemResult> {
    const started = Date.now();
    const [url, init] = request(otToken);
    const fail = (reason: RedeemFailure, status?: number, misconfigured = false): RedeemResult => {
      const fields = { reason, status, api: config.api, ms: Date.now() - started };
      // The operator's to fix (manager token, CTRADER_API_URL, CTRADER_REDEEM_PATH), not the
      // trader's: at error level, so that it pages someone instead of passing as expired links.
      if (misconfigured) log.error("ctrader.redeem.misconfigured", fields);
      else log.warn("ctrader.redeem.refused", fields);
      return { ok: false, reason, status };
    };
    // One deadline for connect, headers and body: a slow trickle counts against it too.
    const signal = AbortSignal.timeout(config.timeoutMs);
    let response: Response;
    try {
      response = await doFetch(url, { ...init, redirect: "error", cache: "no-store", signal });
    } catch {
      return fail(signal.aborted ? "timeout" : "network_error");
    }
    let text: string | "too_large";
    try {
      text = await readCapped(response);
    } catch {
      return fail(signal.aborted ? "timeout" : "network_error", response.status);
    }
    if (response.status !== 200) {
      const { reason, misconfigured } = statusFailure(response.status, text);
      return fail(reason, response.status, misconfigured);
    }
    if (text === "too_large") return fail("response_too_large", 200);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail("malformed_response", 200);
    }
    const parsed = ctraderIdentitySchema.safeParse(json);
    if (!parsed.success) return fail("malformed_response", 200);
    log.debug("ctrader.redeem.ok", { api: config.api, ms: Date.now() - started });
    return { ok: true, identity: parsed.data };
  }

  return { redeem };
}

export type Redeemer = ReturnType<typeof createCtraderRedeemer>;

/** The configured cTrader backend's redeemer (CTRADER_API_URL), or null when none is set. */
export function configuredRedeemer(): Redeemer | null {
  const { ctrader } = env();
  if (!ctrader.apiUrl) return null;
  return createCtraderRedeemer({
    baseUrl: ctrader.apiUrl,
    managerToken: ctrader.managerToken,
    api: ctrader.redeemApi,
    path: ctrader.redeemPath,
    timeoutMs: ctrader.timeoutMs,
  });
}
