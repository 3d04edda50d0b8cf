/**
 * The status screen's state as one message (status-message.ts): its status and a version that
 * changes whenever anything the screen renders changes. The page, the stream and the poll build
 * it here from the same view (lib/kyc/status-view.ts), so the open screen reloads exactly when a
 * reload would show something else.
 */
import "server-only";
import { createHash } from "node:crypto";
import { getCaseForTrader } from "@/lib/db/queries/cases";
import type { KycCase } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { statusView, type StatusView } from "@/lib/kyc/status-view";
import type { StatusMessage } from "./status-message";

/** The message for a view the caller has already computed (the page renders from it). */
export function statusMessageOf(kycCase: Pick<KycCase, "status">, view: StatusView): StatusMessage {
  // The expected review time is each process's own cached median (lib/kyc/status-view.ts): two
  // replicas may differ for minutes, and a screen whose page and stream came from different ones
  // would reload itself round and round. It is not worth a live push either.
  const shown = { ...view, reviewTimeHours: null };
  const version = createHash("sha256")
    .update(JSON.stringify({ status: kycCase.status, view: shown }))
    .digest("base64url")
    .slice(0, 22);
  return { status: kycCase.status, version };
}

export async function screenMessage(kycCase: KycCase): Promise<StatusMessage> {
  return statusMessageOf(kycCase, await statusView(kycCase, env().reviewTimeHours));
}

/** The trader's own case's message now (undefined when it is not theirs or is gone). */
export async function currentScreenMessage(
  caseId: string,
  traderId: string,
): Promise<StatusMessage | undefined> {
  const kycCase = await getCaseForTrader(caseId, traderId);
  return kycCase ? screenMessage(kycCase) : undefined;
}
