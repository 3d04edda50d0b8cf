import { confirmUpload } from "@/lib/documents/service";
import { refusal, withTraderCase } from "@/lib/inapp/api";

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
      if (!result.ok) return refusal(result.status, result.reason);
      return Response.json(result.value);
    },
    { mutates: true },
  );
}
