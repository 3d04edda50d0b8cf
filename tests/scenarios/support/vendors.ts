/**
 * The vendors' side of a vendor scenario: what a verification vendor (Sumsub, Onfido, or anyone
 * pretending to be one) posts to our webhook route, as raw bytes with its headers.
 */
import { POST as vendorWebhook } from "@/app/api/vendors/[vendor]/webhook/route";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import type { Staff } from "./people";
import { BROKER } from "./world";

export type SignedMessage = { body: string; headers: Record<string, string> };

export async function postVendorWebhook(
  vendor: string,
  message: SignedMessage,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await vendorWebhook(
    new Request(`${BROKER}/api/vendors/${vendor}/webhook`, {
      method: "POST",
      headers: message.headers,
      body: message.body,
    }),
    { params: Promise.resolve({ vendor }) },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A final webhook delivered twice, as vendors retry: what each delivery answered. */
export async function deliverTwice(
  vendor: string,
  message: SignedMessage,
): Promise<{ status: number; body: Record<string, unknown> }[]> {
  return [await postVendorWebhook(vendor, message), await postVendorWebhook(vendor, message)];
}

/** The first delivery stores the verdict, the repeat changes nothing. */
export const STORED_ONCE = [
  { status: 200, body: { ok: true, outcome: "recorded" } },
  { status: 200, body: { ok: true, outcome: "unchanged" } },
];

/** What the case page's checks section shows of the vendor's answer. */
export function vendorCheckOn(page: string) {
  return {
    outcome: /data-check="vendor" data-outcome="(\w+)"/.exec(page)?.[1],
    vendorOutcome: /data-vendor-outcome="(\w+)"/.exec(page)?.[1],
    signals: Object.fromEntries(
      [...page.matchAll(/data-signal="(\w+)" data-value="(\w+)">/g)].map((m) => [m[1], m[2]]),
    ),
    /** What the reviewer reads for each signal: words, not the code. */
    signalWords: Object.fromEntries(
      [...page.matchAll(/data-signal="(\w+)" data-value="\w+">([^<]+)</g)].map((m) => [m[1], m[2]]),
    ),
    reportLink: /href="\/admin\/cases\/[\w-]+\/vendor-report"/.test(page),
  };
}

/** The reviewer opens the vendor's report from the case page: what came back, what was audited. */
export async function openVendorReport(reviewer: Staff, caseId: string) {
  const report = await reviewer.vendorReport(caseId);
  return {
    status: report.status,
    contentType: report.headers.get("content-type"),
    pdf: (await report.text()).startsWith("%PDF"),
    audited: (await listCaseAuditEvents(caseId)).map((e) => e.action),
  };
}

/** The report came from the vendor as a PDF, and every step of the verification was audited. */
export const REPORT_OPENED = {
  status: 200,
  contentType: "application/pdf",
  pdf: true,
  audited: expect.arrayContaining([
    "vendor.started",
    "vendor.captured",
    "vendor.verdict",
    "vendor.report_viewed",
  ]),
};

/**
 * What the reviewer sees of the vendor's verdict on the case page, whether the page still waits
 * for one, and how many verdicts the audit trail recorded.
 */
export async function verdictSeen(reviewer: Staff, caseId: string) {
  const page = await reviewer.casePage(caseId);
  const audited = (await listCaseAuditEvents(caseId)).map((e) => e.action);
  return {
    check: vendorCheckOn(page),
    waiting: /No verdict from \w+ yet\./.test(page),
    verdictsAudited: audited.filter((a) => a === "vendor.verdict").length,
  };
}
