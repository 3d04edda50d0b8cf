/**
 * Sumsub (docs.sumsub.com): an applicant per case (our case id as `externalUserId`, so webhooks
 * name the case), a Web SDK access token for the screen, `applicantReviewed` webhooks signed with
 * an HMAC of the raw body (`X-Payload-Digest`, algorithm in `X-Payload-Digest-Alg`), the review
 * and per-step answers as our verdict, and Sumsub's summary PDF for the console.
 *
 * Every API request is signed: `X-App-Access-Sig` = hex HMAC-SHA256 over
 * `<unix seconds><METHOD><path with query><body>` with the app token's secret key.
 */
import { createHmac } from "node:crypto";
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
  StartInput,
  VendorEvent,
  VendorSession,
  VendorVerdict,
  VerificationVendor,
} from "./verdict";

export type SumsubConfig = {
  appToken: string;
  secretKey: string;
  /** The secret key of the webhook in Sumsub's Webhook manager (not the app token's). */
  webhookSecret: string;
  /** Our level → the Sumsub level that verifies it. A level without an entry cannot start. */
  levels: Record<string, string>;
  /** Whether the Sumsub levels include AML screening; otherwise `watchlist` reads `not_run`. */
  screens?: boolean;
  baseUrl?: string;
  tokenTtlSeconds?: number;
  now?: () => Date;
};

export const SUMSUB_BASE_URL = "https://api.sumsub.com";

/** Reject labels by what they say about the trader (docs.sumsub.com/docs/rejection-labels). */
const DOCUMENT_LABELS = new Set([
  "FORGERY",
  "DOCUMENT_TEMPLATE",
  "DOCUMENT_DAMAGED",
  "ID_INVALID",
  "EXPIRATION_DATE",
  "DOCUMENT_PAGE_MISSING",
  "DIGITAL_DOCUMENT",
  "GRAPHIC_EDITOR",
  "BLACK_AND_WHITE",
  "INCOMPLETE_DOCUMENT",
  "UNSATISFACTORY_PHOTOS",
  "SCREENSHOTS",
  "WRONG_USER_REGION",
]);
const FACE_LABELS = new Set(["SELFIE_MISMATCH", "BAD_FACE_MATCHING", "DUPLICATE"]);
const LIVENESS_LABELS = new Set(["FRAUDULENT_LIVENESS", "BAD_SELFIE", "BAD_VIDEO_SELFIE"]);
const WATCHLIST_LABELS = new Set([
  "PEP",
  "SANCTIONS",
  "CRIMINAL",
  "ADVERSE_MEDIA",
  "COMPROMISED_PERSONS",
  "BLACKLIST",
]);

const DIGEST_ALGORITHMS = {
  HMAC_SHA256_HEX: "sha256",
  HMAC_SHA512_HEX: "sha512",
} as const;

const applicantSchema = z.object({ id: z.string().min(1) });
const tokenSchema = z.object({ token: z.string().min(1) });
const reviewResultSchema = z.object({
  reviewAnswer: z.enum(["GREEN", "RED"]),
  rejectLabels: z.array(z.string()).optional(),
  reviewRejectType: z.enum(["FINAL", "RETRY", "EXTERNAL"]).optional(),
});
const applicantOneSchema = z.object({
  id: z.string(),
  review: z
    .object({
      reviewStatus: z.string(),
      reviewDate: z.string().optional(),
      reviewResult: reviewResultSchema.optional(),
    })
    .optional(),
});
const stepSchema = z.object({ reviewResult: reviewResultSchema.optional() }).nullable();
const stepsSchema = z.record(z.string(), stepSchema);
export const sumsubWebhookSchema = z.object({
  type: z.string(),
  applicantId: z.string().min(1),
  externalUserId: z.string().optional(),
  reviewStatus: z.string().optional(),
  reviewResult: reviewResultSchema.optional(),
});

export function sumsubSignature(
  secretKey: string,
  ts: string,
  method: string,
  pathWithQuery: string,
  body = "",
): string {
  return createHmac("sha256", secretKey)
    .update(ts + method.toUpperCase() + pathWithQuery + body)
    .digest("hex");
}

/** Sumsub's review date ("2026-12-02 10:15:00+0000") as ISO 8601, or null. */
function isoDate(value: string | undefined): string | null {
  if (!value) return null;
  const date = new Date(value.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function sumsubVendor(config: SumsubConfig): VerificationVendor {
  const base = (config.baseUrl ?? SUMSUB_BASE_URL).replace(/\/+$/, "");
  const now = config.now ?? (() => new Date());

  function request(method: "GET" | "POST", pathWithQuery: string, json?: unknown): VendorRequest {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const ts = String(Math.floor(now().getTime() / 1000));
    return {
      vendor: "sumsub",
      url: base + pathWithQuery,
      method,
      body,
      headers: {
        accept: "application/json",
        ...(body !== undefined && { "content-type": "application/json" }),
        "X-App-Token": config.appToken,
        "X-App-Access-Ts": ts,
        "X-App-Access-Sig": sumsubSignature(config.secretKey, ts, method, pathWithQuery, body),
      },
    };
  }

  async function applicantFor(input: StartInput, levelName: string): Promise<string> {
    const path = `/resources/applicants?levelName=${encodeURIComponent(levelName)}`;
    const fixedInfo =
      input.givenNames || input.surnames
        ? { firstName: input.givenNames, lastName: input.surnames }
        : undefined;
    try {
      const created = await vendorJson(
        request("POST", path, {
          externalUserId: input.caseId,
          ...(input.email && { email: input.email }),
          lang: input.locale,
          ...(fixedInfo && { fixedInfo }),
        }),
        applicantSchema,
      );
      return created.id;
    } catch (error) {
      // The trader started before (another device, a reload): the applicant exists already.
      if (!(error instanceof AppError) || error.code !== "CONFLICT") throw error;
      const existing = await vendorJson(
        request(
          "GET",
          `/resources/applicants/-;externalUserId=${encodeURIComponent(input.caseId)}/one`,
        ),
        applicantSchema,
      );
      return existing.id;
    }
  }

  return {
    name: "sumsub",

    async start(input) {
      const levelName = config.levels[input.level];
      if (!levelName)
        throw new AppError("CONFIG", `no Sumsub level configured for level ${input.level}`);
      const applicantId = await applicantFor(input, levelName);
      const { token } = await vendorJson(
        request("POST", "/resources/accessTokens/sdk", {
          userId: input.caseId,
          levelName,
          ttlInSecs: config.tokenTtlSeconds ?? 600,
        }),
        tokenSchema,
      );
      return {
        vendor: "sumsub",
        token,
        reference: applicantId,
      } satisfies VendorSession;
    },

    async captureDone(applicantId) {
      return applicantId;
    },

    readWebhook(rawBody, headers) {
      const algorithmName = headers.get("x-payload-digest-alg") ?? "HMAC_SHA256_HEX";
      const algorithm = DIGEST_ALGORITHMS[algorithmName as keyof typeof DIGEST_ALGORITHMS];
      if (!algorithm)
        throw new AppError("UNAUTHENTICATED", `unsupported digest algorithm ${algorithmName}`);
      if (
        !hmacHexMatches(algorithm, config.webhookSecret, rawBody, headers.get("x-payload-digest"))
      )
        throw new AppError("UNAUTHENTICATED", "webhook signature does not match");
      const event = readWebhookJson(rawBody, sumsubWebhookSchema);
      return {
        vendor: "sumsub",
        reference: event.applicantId,
        externalId: event.externalUserId,
        completed: event.type === "applicantReviewed",
        type: event.type,
      } satisfies VendorEvent;
    },

    async verdict(applicantId) {
      const id = encodeURIComponent(applicantId);
      const [applicant, steps] = await Promise.all([
        vendorJson(request("GET", `/resources/applicants/${id}/one`), applicantOneSchema),
        vendorJson(request("GET", `/resources/applicants/${id}/requiredIdDocsStatus`), stepsSchema),
      ]);
      const review = applicant.review;
      const result = review?.reviewResult;
      const labels = [...new Set(result?.rejectLabels ?? [])].slice(0, 100);
      const stepAnswer = (name: string): Signal => {
        const step = steps[name];
        if (!step) return "not_run";
        if (!step.reviewResult) return "not_run";
        return step.reviewResult.reviewAnswer === "GREEN" ? "clear" : "consider";
      };
      const flagged = (set: Set<string>) => labels.some((label) => set.has(label));
      const signal = (answer: Signal, set: Set<string>): Signal =>
        flagged(set) ? "consider" : answer;
      const completed = review?.reviewStatus === "completed" && result !== undefined;
      const outcome: VendorVerdict["outcome"] = !completed
        ? review?.reviewStatus === "onHold"
          ? "review"
          : "pending"
        : result.reviewAnswer === "GREEN"
          ? "approved"
          : "declined";
      return {
        vendor: "sumsub",
        reference: applicant.id,
        outcome,
        retryAllowed:
          completed && result.reviewAnswer === "RED" && result.reviewRejectType === "RETRY",
        signals: {
          documentAuthenticity: signal(stepAnswer("IDENTITY"), DOCUMENT_LABELS),
          faceMatch: signal(stepAnswer("SELFIE"), FACE_LABELS),
          liveness: signal(stepAnswer("SELFIE"), LIVENESS_LABELS),
          watchlist: flagged(WATCHLIST_LABELS)
            ? "consider"
            : config.screens && completed
              ? "clear"
              : "not_run",
        },
        labels,
        completedAt: completed ? isoDate(review.reviewDate) : null,
      };
    },

    async report(applicantId) {
      const id = encodeURIComponent(applicantId);
      return vendorFile(
        request("GET", `/resources/applicants/${id}/summary/report?report=applicantReport&lang=en`),
      );
    },
  };
}
