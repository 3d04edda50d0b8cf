import { confirmUpload } from "@/lib/documents/service";
import { scheduleZoneRead } from "@/lib/jobs/after-response";
import { documentOutOfScope, refuseOutOfScope, withTraderCase } from "@/lib/inapp/api";
import { refuseUpload } from "../../refusals";

export const runtime = "nodejs";

/** After the browser uploaded: the server checks what was stored and decides. */
export async function POST(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  const { id } = await params;
  return withTraderCase(
    request,
    "documents.confirm",
    async (context) => {
      const { kycCase, trader } = context;
      if (await documentOutOfScope(context, id)) return refuseOutOfScope();
      const result = await confirmUpload(kycCase, trader.id, id);
      if (!result.ok) return refuseUpload(result.reason);
      if (result.value.state === "accepted") scheduleZoneRead(kycCase.id, id);
      return Response.json(result.value);
    },
    { mutates: true, handoff: true },
  );
}
