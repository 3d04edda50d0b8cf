/**
 * One webhook attempt: POST the signed JSON body to the endpoint and classify the outcome. Only a
 * 2xx answer counts as delivered.
 *
 * Why node:http(s) and not fetch: the SSRF guard must judge the address the socket really
 * connects to, and only http.request lets us hand it our own DNS `lookup`
 * (lib/delivery/target-guard.ts). It also never follows redirects on its own: a 3xx is reported
 * as a failure (a redirect could point anywhere, including inside our network). The whole
 * attempt — connect, send, answer — is bounded by one AbortSignal timeout (15 s).
 */
import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import type { WebhookEndpoint } from "@/lib/env";
import type { AttemptNote } from "./attempt-note";
import { signWebhook } from "./signing";
import { assertLiteralHostAllowed, guardedLookup, RefusedTarget } from "./target-guard";

export const WEBHOOK_TIMEOUT_MS = 15_000;
/** We read at most this much of a receiver's answer (for the log), then stop. */
const MAX_ANSWER_BYTES = 1024;

/** Why an attempt failed: a closed list the console names (ConsoleLabels.deliveryError). */
export const ERROR_KINDS = [
  "http_status",
  "redirect",
  "timeout",
  "network",
  "refused_target",
  "unknown_destination",
  // Email (lib/delivery/email.ts): the SMTP server refused for good (5xx) or for now (4xx); an
  // address we would not hand to SMTP.
  "smtp_rejected",
  "smtp_deferred",
  "invalid_recipient",
  // A stored event our own destinations cannot read (lib/delivery/payload.ts, storedPayload):
  // permanent, since another attempt reads the same bytes.
  "invalid_payload",
  // Recorded by the worker, not a sender: the schedule's last claim ran out of lease with no
  // outcome (the send never returned, or its process ended), so the delivery is dead.
  "never_finished",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export type AttemptOutcome =
  /** `note`: what the sender decided beyond the outcome (kept in the attempt log). */
  | { ok: true; httpStatus: number; durationMs: number; note?: AttemptNote }
  | {
      ok: false;
      httpStatus: number | null;
      errorKind: ErrorKind;
      error: string;
      durationMs: number;
      /**
       * The receiver said no for good (an SMTP 5xx, an address we will not send to): the
       * delivery goes dead at once — listed in the console and replayable — instead of
       * repeating the same refusal for 72 hours.
       */
      permanent?: boolean;
    };

export async function sendWebhook(
  endpoint: Pick<WebhookEndpoint, "url" | "secrets" | "allowPrivate">,
  message: { id: string; body: string },
  options: { timeoutMs?: number; timestamp?: number } = {},
): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(endpoint.url);
  if (!endpoint.allowPrivate) {
    try {
      assertLiteralHostAllowed(url);
    } catch (error) {
      return {
        ok: false,
        httpStatus: null,
        errorKind: "refused_target",
        error: (error as Error).message,
        durationMs: elapsed(),
      };
    }
  }
  // The signature's timestamp is the wall clock of this attempt (receivers reject old ones), not
  // the event time: a retry three days later is signed afresh, with the same webhook-id.
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers = {
    ...signWebhook({ id: message.id, timestamp, body: message.body, secrets: endpoint.secrets }),
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(message.body)),
    "user-agent": "inapp-kyc-webhooks/1",
  };
  const signal = AbortSignal.timeout(options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
  const client = url.protocol === "https:" ? https : http;

  return new Promise<AttemptOutcome>((resolve) => {
    const fail = (errorKind: ErrorKind, error: string, httpStatus: number | null = null) =>
      resolve({
        ok: false,
        httpStatus,
        errorKind,
        error: error.slice(0, 300),
        durationMs: elapsed(),
      });
    const request = client.request(
      url,
      {
        method: "POST",
        headers,
        signal,
        agent: false, // no pooled sockets: each attempt connects (and is guarded) afresh
        ...(endpoint.allowPrivate ? {} : { lookup: guardedLookup }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let answer = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (answer.length < MAX_ANSWER_BYTES) answer += chunk;
          else response.destroy();
        });
        const settle = () => {
          if (status >= 200 && status < 300)
            resolve({ ok: true, httpStatus: status, durationMs: elapsed() });
          else if (status >= 300 && status < 400)
            fail(
              "redirect",
              `redirect to ${response.headers.location ?? "?"} not followed`,
              status,
            );
          else fail("http_status", `HTTP ${status}: ${answer.slice(0, 200)}`, status);
        };
        response.on("end", settle);
        response.on("close", settle); // destroyed early: the status is what counts
        response.on("error", settle);
      },
    );
    request.on("error", (error: Error) => {
      if (signal.aborted) return fail("timeout", `no answer within the timeout`);
      if (error instanceof RefusedTarget || error.name === "RefusedTarget")
        return fail("refused_target", error.message);
      fail("network", `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`);
    });
    request.end(message.body);
  });
}
