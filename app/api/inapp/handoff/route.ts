import { z } from "zod";
import { readJson } from "@/lib/http/json";
import type { PhoneFollowResponse, PhoneHandoffResponse } from "@/lib/identity/handoff-contract";
import { phoneSessionEnd } from "@/lib/identity/phone-handoff";
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
      const body: PhoneHandoffResponse = {
        url: handoff.url,
        qr: handoff.qr,
        minutes: handoff.minutes,
        expiresAt: handoff.expiresAt.toISOString(),
        expiresInSeconds: secondsUntil(handoff.expiresAt, now),
      };
      return Response.json(body, { status: 201 });
    },
    { mutates: true },
  );
}

/** Once the link has expired: how much longer a phone session made from it can upload (0: none). */
export async function GET(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "handoff.follow",
    async ({ trader, kycCase }) => {
      const documentType = z
        .enum(DOCUMENT_TYPES)
        .safeParse(new URL(request.url).searchParams.get("documentType"));
      if (!documentType.success) return refusal(400, "bad_request", "documentType: invalid");
      const now = new Date();
      const end = await phoneSessionEnd(
        { traderId: trader.id, caseId: kycCase.id },
        documentType.data,
        now,
      );
      // Rounded up: the panel asks again when this runs out, and must not ask before the end.
      const body: PhoneFollowResponse = {
        followInSeconds: Math.max(0, Math.ceil((end.getTime() - now.getTime()) / 1000)),
      };
      return Response.json(body);
    },
    { mutates: false },
  );
}

const secondsUntil = (at: Date, now: Date) =>
  Math.max(0, Math.floor((at.getTime() - now.getTime()) / 1000));
