import { withTraderCase } from "@/lib/inapp/api";
import { finishVendorCapture } from "@/lib/vendors/verification";

export const runtime = "nodejs";

/** The vendor's capture on the upload screen ended: the verdict will follow by webhook. */
export async function POST(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "vendor.done",
    async ({ trader, kycCase }) => {
      const result = await finishVendorCapture({ kycCase, traderId: trader.id });
      return Response.json(result);
    },
    { mutates: true },
  );
}
