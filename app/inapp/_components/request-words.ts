import { getTranslations } from "@/lib/i18n/translations";
import { renewalRequest } from "@/lib/kyc/renewal";
import type { ActionRequest } from "@/lib/kyc/requirements";
import { renewalBody } from "./renewal-notice";

/**
 * The words above what a request reopens: the reviewer's message, else for a renewal the notice's
 * words about the document it replaces (a renewal's reason code is no reject reason), else the
 * reject reason the trader is fixing.
 */
export async function requestWords(
  kycCase: Parameters<typeof renewalRequest>[0],
  request: Pick<ActionRequest, "message" | "reasonCode"> | null,
): Promise<string | null> {
  if (!request) return null;
  if (request.message) return request.message;
  const renewal = renewalRequest(kycCase, request);
  if (renewal) return renewalBody(renewal);
  if (!request.reasonCode) return null;
  return (await getTranslations("RejectReasons"))(request.reasonCode as never);
}
