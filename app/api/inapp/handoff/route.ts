import { z } from "zod";
import { readJson } from "@/lib/http/json";
import type { PhoneHandoffResponse } from "@/lib/identity/handoff-contract";
import { refusal, requestOrigin, withTraderCase } from "@/lib/inapp/api";
import { phoneHandoffLink } from "@/lib/inapp/handoff";
import { DOCUMENT_TYPES } from "@/lib/inapp/params";
import { EDITABLE_STATUSES } from "@/lib/kyc/case-state";

export const runtime = "nodejs";

/** "Continue on your phone": a single-use link and its QR code for this case's upload step. */
export async function POST(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "handoff.create",
    async ({ trader, kycCase, locale, theme }) => {
      const { documentType } = await readJson(
        request,
        z.object({ documentType: z.enum(DOCUMENT_TYPES) }),
      );
      if (!EDITABLE_STATUSES.has(kycCase.status)) return refusal(409, "not_editable");
      const now = new Date();
      const handoff = await phoneHandoffLink(
        {
          traderId: trader.id,
          caseId: kycCase.id,
          documentType,
          locale,
          theme,
          requestOrigin: requestOrigin(request),
        },
        now,
      );
      const secondsUntil = (at: Date) =>
        Math.max(0, Math.floor((at.getTime() - now.getTime()) / 1000));
      const body: PhoneHandoffResponse = {
        url: handoff.url,
        qr: handoff.qr,
        minutes: handoff.minutes,
        expiresAt: handoff.expiresAt.toISOString(),
        expiresInSeconds: secondsUntil(handoff.expiresAt),
        followInSeconds: secondsUntil(handoff.followUntil),
      };
      return Response.json(body, { status: 201 });
    },
    { mutates: true },
  );
}
