/**
 * Onfido (documentation.onfido.com, API v3.6): an applicant per case and an SDK token for the
 * screen; when the trader has finished the capture, a check with the configured reports; the
 * `check.completed` webhook (signed: `X-SHA2-Signature` = hex HMAC-SHA256 of the raw body with the
 * webhook token); the check's reports as our verdict; the check's PDF for the console.
 *
 * Plain `fetch`, not `@onfido/api`: we use five endpoints and the official client brings axios
 * into the server for them; its webhook verifier is the same HMAC comparison as below.
 */
import { z } from "zod";
import { AppError } from "@/lib/errors";
import {
  hmacHexMatches,
  readWebhookJson,
  vendorFile,
  vendorJson,
  type VendorRequest,
} from "./http";
import type {
  Signal,
  VendorEvent,
  VendorSession,
  VendorVerdict,
  VerificationVendor,
} from "./verdict";

export type OnfidoRegion = "eu" | "us" | "ca";
export type OnfidoConfig = {
  apiToken: string;
  webhookToken: string;
  region: OnfidoRegion;
  /** The reports a check runs, e.g. ["document", "facial_similarity_motion", "watchlist_standard"]. */
  reports: string[];
  /** The screen's origin pattern Onfido allows the SDK token on (its `referrer`). */
  referrer?: string;
  /** Overrides the region's address (tests, a proxy). */
  baseUrl?: string;
};

export const onfidoBaseUrl = (region: OnfidoRegion) => `https://api.${region}.onfido.com/v3.6`;

const DOCUMENT_REPORTS = /^document/;
const FACE_REPORTS = /^facial_similarity_/;
/** Photo comparison has no liveness part; video and motion captures have. */
const LIVENESS_REPORTS = /^facial_similarity_(video|motion)$/;
const WATCHLIST_REPORTS = /^watchlist_/;

const idSchema = z.object({ id: z.string().min(1) });
const tokenSchema = z.object({ token: z.string().min(1) });
const checkSchema = z.object({
  id: z.string(),
  status: z.string(),
  result: z.string().nullable().optional(),
  created_at: z.string().optional(),
});
const reportsSchema = z.object({
  reports: z.array(
    z.object({
      name: z.string(),
      check_id: z.string(),
      status: z.string(),
      result: z.string().nullable().optional(),
      sub_result: z.string().nullable().optional(),
      completed_at_iso8601: z.string().nullable().optional(),
    }),
  ),
});
export const onfidoWebhookSchema = z.object({
  payload: z.object({
    resource_type: z.string(),
    action: z.string(),
    object: z.object({ id: z.string().min(1), status: z.string().optional() }),
  }),
});

export function onfidoVendor(config: OnfidoConfig): VerificationVendor {
  const base = (config.baseUrl ?? onfidoBaseUrl(config.region)).replace(/\/+$/, "");

  function request(method: "GET" | "POST", path: string, json?: unknown): VendorRequest {
    return {
      vendor: "onfido",
      url: base + path,
      method,
      body: json === undefined ? undefined : JSON.stringify(json),
      headers: {
        accept: "application/json",
        ...(json !== undefined && { "content-type": "application/json" }),
        authorization: `Token token=${config.apiToken}`,
      },
    };
  }

  return {
    name: "onfido",

    async start(input) {
      // Onfido requires a name; the trader's typed one when known, else placeholders it allows.
      const applicant = await vendorJson(
        request("POST", "/applicants", {
          first_name: input.givenNames?.trim() || "Trader",
          last_name: input.surnames?.trim() || input.caseId.slice(0, 8),
          ...(input.email && { email: input.email }),
        }),
        idSchema,
      );
      const { token } = await vendorJson(
        request("POST", "/sdk_token", {
          applicant_id: applicant.id,
          ...(config.referrer && { referrer: config.referrer }),
        }),
        tokenSchema,
      );
      return {
        vendor: "onfido",
        token,
        reference: applicant.id,
      } satisfies VendorSession;
    },

    async captureDone(applicantId) {
      const check = await vendorJson(
        request("POST", "/checks", { applicant_id: applicantId, report_names: config.reports }),
        idSchema,
      );
      return check.id;
    },

    readWebhook(rawBody, headers) {
      if (!hmacHexMatches("sha256", config.webhookToken, rawBody, headers.get("x-sha2-signature")))
        throw new AppError("UNAUTHENTICATED", "webhook signature does not match");
      const { action, resource_type, object } = readWebhookJson(
        rawBody,
        onfidoWebhookSchema,
      ).payload;
      return {
        vendor: "onfido",
        reference: object.id,
        externalId: undefined,
        completed: resource_type === "check" && action === "check.completed",
        type: action,
      } satisfies VendorEvent;
    },

    async verdict(checkId) {
      const id = encodeURIComponent(checkId);
      const [check, { reports }] = await Promise.all([
        vendorJson(request("GET", `/checks/${id}`), checkSchema),
        vendorJson(request("GET", `/reports?check_id=${id}`), reportsSchema),
      ]);
      // Another check's answer would give this trader someone else's verdict: take none of it
      // (the webhook answers 502, and Onfido delivers again).
      if (check.id !== checkId || reports.some((report) => report.check_id !== checkId))
        throw new AppError("UPSTREAM_UNAVAILABLE", "onfido answered for another check");
      const done = reports.filter((report) => report.status === "complete");
      const signalOf = (pattern: RegExp): Signal => {
        const matching = done.filter((report) => pattern.test(report.name));
        if (matching.length === 0) return "not_run";
        return matching.every((report) => report.result === "clear") ? "clear" : "consider";
      };
      const labels = [
        ...new Set(
          reports.flatMap((report) =>
            report.result && report.result !== "clear"
              ? [`${report.name}:${report.sub_result ?? report.result}`]
              : [],
          ),
        ),
      ];
      // A document Onfido could not process ("rejected") is one the trader can photograph again.
      const rejected = reports.some((report) => report.sub_result === "rejected");
      const complete = check.status === "complete";
      const outcome: VendorVerdict["outcome"] = !complete
        ? "pending"
        : rejected
          ? "declined"
          : check.result === "clear"
            ? "approved"
            : "review";
      const completedAt = done
        .map((report) => report.completed_at_iso8601)
        .filter((value): value is string => typeof value === "string")
        .sort()
        .at(-1);
      return {
        vendor: "onfido",
        reference: check.id,
        outcome,
        retryAllowed: complete && rejected,
        signals: {
          documentAuthenticity: signalOf(DOCUMENT_REPORTS),
          faceMatch: signalOf(FACE_REPORTS),
          liveness: signalOf(LIVENESS_REPORTS),
          watchlist: signalOf(WATCHLIST_REPORTS),
        },
        labels: labels.slice(0, 100),
        completedAt: complete ? (completedAt ?? null) : null,
      };
    },

    async report(checkId) {
      return vendorFile(request("GET", `/checks/${encodeURIComponent(checkId)}/download`));
    },
  };
}
