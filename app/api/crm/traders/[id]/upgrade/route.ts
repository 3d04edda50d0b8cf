import { AppError } from "@/lib/errors";
import { crmApiRefusal } from "@/lib/http/bearer";
import { readJson, toErrorResponse } from "@/lib/http/json";
import { withRequestId } from "@/lib/http/request-id";
import { deliverSoon } from "@/lib/jobs/after-response";
import { crmUpgradeRequest, requestUpgrade, upgradeAnswer } from "@/lib/kyc/upgrade";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The broker CRM asks for a higher KYC level for one cTrader user (docs/lifecycle.md). */
export const POST = withRequestId(async function POST(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  const refused = crmApiRefusal(request);
  if (refused) return refused;
  try {
    const { id } = await params;
    if (!/^[1-9]\d{0,15}$/.test(id))
      throw new AppError("BAD_REQUEST", "id: must be the trader's cTrader user id", {
        contractCode: "INVALID_PARAMETER",
      });
    const body = await readJson(request, crmUpgradeRequest);
    const result = await requestUpgrade({ ctraderUserId: Number(id), kycType: body.kycType });
    if (result.eventId) deliverSoon(result.eventId);
    return Response.json(upgradeAnswer(result), {
      status: result.outcome === "upgrade_opened" ? 201 : 200,
    });
  } catch (error) {
    return toErrorResponse(error, "crm.upgrade");
  }
});
