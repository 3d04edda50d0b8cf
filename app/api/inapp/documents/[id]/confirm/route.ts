import { confirmUpload } from "@/lib/documents/service";
import { withTraderCase } from "@/lib/inapp/api";
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
    async ({ kycCase, trader }) => {
      const result = await confirmUpload(kycCase, trader.id, id);
      if (!result.ok) return refuseUpload(result.reason);
      return Response.json(result.value);
    },
    { mutates: true },
  );
}
