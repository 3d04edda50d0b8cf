/**
 * The trader hears about a decision by email too (optional, off unless EMAIL_SMTP_URL is set):
 * an outbox destination like a webhook endpoint, so it gets the same transaction, retries,
 * dead-letter, replay and attempt log. One mail per status change whose status is in
 * EMAIL_STATUSES, to the address cTrader gave us, in the language the trader last used, from
 * EMAIL_FROM, through the configured SMTP server (nodemailer).
 *
 * Outcomes, as the attempt log records them (`httpStatus` holds the SMTP reply code here):
 * - sent: the server's 250;
 * - nothing to send (a status that is not announced, a trader without an address): delivered
 *   without a mail, 204, as the cTrader adapter does for traders without a login;
 * - server down, timeout, 4xx: a failure the retry schedule takes care of;
 * - 5xx (the server refuses the recipient or the message) or an address we will not hand to
 *   SMTP: recorded as `smtp_rejected` / `invalid_recipient` with the server's reply, and
 *   permanent (RFC 5321: a 5yz reply is not to be repeated as is): the delivery is dead at once,
 *   listed in the console, and replayable once the address or the relay is fixed.
 *
 * At least once: a retry after a lost answer may send the mail again. Every attempt of an event
 * carries the same Message-ID (derived from the event id), so mail systems can tell the copies
 * apart from new news.
 */
import { errorMessage } from "@/lib/errors";
import { createTransport } from "nodemailer";
import { performance } from "node:perf_hooks";
import { laterCarriedEvent } from "@/lib/db/queries/outbox";
import { getTraderLocale } from "@/lib/db/queries/traders";
import type { CaseStatus } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { DEFAULT_LOCALE, pickLocale } from "@/lib/i18n/config";
import { APPROVAL_STANDS_STATUSES, WAITING_STATUSES } from "@/lib/kyc/statuses";
import { log } from "@/lib/log";
import { renderStatusEmail, type RenderedEmail } from "./email-template";
import { CASE_RENEWAL_DUE, CASE_STATUS_CHANGED, readStoredPayload } from "./payload";
import type { AttemptOutcome } from "./webhook";

export const EMAIL_DESTINATION = "email:trader";

/** One attempt, connect to last reply, stays well inside the worker's 60 s lease. */
export const EMAIL_TIMEOUT_MS = 30_000;

/**
 * One plain address, nothing else: no display name, no list, no whitespace or control
 * characters (a CR/LF could start a header of its own), no quoting or comments. cTrader's value
 * is stored unvalidated (a bad address must not block a status change), so it is judged here.
 */
const PLAIN_ADDRESS = /^[^\s@<>()[\]\\,;:"]{1,64}@[^\s@<>()[\]\\,;:"]{1,255}$/u;
export function isPlainAddress(value: string): boolean {
  return PLAIN_ADDRESS.test(value) && !/[\u0000-\u001f\u007f-\u009f]/.test(value);
}

type SmtpError = Error & {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  permanent?: boolean;
};

function failure(
  errorKind: Extract<AttemptOutcome, { ok: false }>["errorKind"],
  error: string,
  durationMs: number,
  code: number | null = null,
): AttemptOutcome {
  const permanent =
    errorKind === "smtp_rejected" ||
    errorKind === "invalid_recipient" ||
    errorKind === "invalid_payload";
  return {
    ok: false,
    httpStatus: code,
    errorKind,
    error: error.slice(0, 300),
    durationMs,
    ...(permanent ? { permanent } : {}),
  };
}

function classify(error: unknown, durationMs: number): AttemptOutcome {
  const e = error as SmtpError;
  if (typeof e.responseCode === "number") {
    // The server answered: its own words are the best record (they never carry our password).
    const reply = `SMTP ${e.response ?? e.responseCode}${e.command ? ` (after ${e.command})` : ""}`;
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503);
    return failure(
      permanent ? "smtp_rejected" : "smtp_deferred",
      reply,
      durationMs,
      e.responseCode,
    );
  }
  if (e.code === "EABORT") return failure("timeout", "no answer within the timeout", durationMs);
  if (e.code === "ETIMEDOUT") return failure("timeout", e.message, durationMs);
  return failure("network", `${e.code ?? e.name}: ${e.message}`, durationMs);
}

async function render(
  ctraderUserId: number,
  status: CaseStatus,
  renewal: { expiresOn: string } | undefined,
) {
  const locale = pickLocale(await getTraderLocale(ctraderUserId)) ?? DEFAULT_LOCALE;
  const { brokerName, support, brand } = env();
  const input = {
    status,
    renewal,
    brand: { brokerName, support, legalEntity: brand.legalEntity },
  };
  try {
    return await renderStatusEmail({ ...input, locale });
  } catch (error) {
    // A broken translation must not keep the news from the trader: English says it.
    log.warn("email.render_failed", {
      locale,
      error: errorMessage(error),
    });
    return renderStatusEmail({ ...input, locale: DEFAULT_LOCALE });
  }
}

export async function sendStatusEmail(
  eventId: string,
  stored: unknown,
  options: { timeoutMs?: number } = {},
): Promise<AttemptOutcome> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const config = env().email;
  const read = readStoredPayload(stored);
  if ("error" in read) return failure("invalid_payload", read.error, took());
  const { payload } = read;
  const status: CaseStatus = payload.case.status;
  const to = payload.trader.email;
  // A renewal notice is its own news (the status stays approved); a status change is mailed
  // when EMAIL_STATUSES names the new status.
  const renewal =
    payload.type === CASE_RENEWAL_DUE ? { expiresOn: payload.documentExpiresOn } : undefined;
  const announced = renewal ? config?.renewalDue : status && config?.statuses.includes(status);
  if (!config || !announced || !to) return { ok: true, httpStatus: 204, durationMs: took() };
  // Retries and replays run on their own schedules: a mail whose news a later status replaced
  // stays unsent, whether that status is mailed or not (a request for information after the
  // trader's answer, a rejection after the case was reopened). Every status change has a mail
  // delivery while mail is configured; an unannounced one is carried by its 204. A status the
  // trader reads as the same is no newer news: the checks' start of the review right after a
  // submission leaves its confirmation to go. Nor is an upgrade begun on an approval (the CRM
  // may start one as the approval's webhook arrives): the approval stays in force and is news.
  const waiting: readonly string[] = WAITING_STATUSES;
  const notNewer: readonly string[] | undefined =
    status === "approved"
      ? APPROVAL_STANDS_STATUSES
      : waiting.includes(status)
        ? waiting
        : undefined;
  const newer =
    payload.sequence === undefined
      ? null
      : await laterCarriedEvent({
          caseId: payload.case.id,
          sequence: payload.sequence,
          destination: EMAIL_DESTINATION,
          type: CASE_STATUS_CHANGED,
          exceptStatuses: notNewer,
        });
  if (newer !== null)
    return {
      ok: true,
      httpStatus: 204,
      durationMs: took(),
      note: { code: "news_superseded", by: newer },
    };
  if (!isPlainAddress(to))
    return failure(
      "invalid_recipient",
      "the trader's email address is not a plain address",
      took(),
    );

  let mail: RenderedEmail;
  try {
    mail = await render(payload.trader.ctraderUserId, status, renewal);
  } catch (error) {
    return failure("network", `could not prepare the mail: ${(error as Error).message}`, took());
  }

  const transport = createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTls,
    auth: config.auth,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    // Nothing we send is a file or a URL to fetch: refuse both outright.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const info = await transport.sendMail({
      from: config.from,
      // An address object, not a string: nodemailer does not parse it for names or lists.
      to: { name: "", address: to },
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${eventId}.${renewal ? "renewal" : "status"}@${config.from.address.split("@")[1]}>`,
      headers: { "Auto-Submitted": "auto-generated" },
      signal: AbortSignal.timeout(options.timeoutMs ?? EMAIL_TIMEOUT_MS),
    });
    const code = Number(/^\d{3}/.exec(info.response ?? "")?.[0] ?? 250);
    return { ok: true, httpStatus: code, durationMs: took() };
  } catch (error) {
    return classify(error, took());
  } finally {
    transport.close();
  }
}
