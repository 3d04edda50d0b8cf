import { AppError } from "@/lib/errors";
import { crmApiRefusal } from "@/lib/http/bearer";
import { readJson, toErrorResponse } from "@/lib/http/json";
import { withRequestId } from "@/lib/http/request-id";
import { endRelationship, relationshipEndRequest } from "@/lib/retention/relationship";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The broker CRM says a trader's business relationship ended (docs/lifecycle.md). */
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
    const body = await readJson(request, relationshipEndRequest);
    return Response.json(
      await endRelationship({
        ctraderUserId: Number(id),
        endedAt: new Date(body.endedAt),
        actor: { type: "system", id: "crm" },
        source: "crm",
      }),
    );
  } catch (error) {
    return toErrorResponse(error, "crm.relationship_end");
  }
});
