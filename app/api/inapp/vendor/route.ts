import { withTraderCase } from "@/lib/inapp/api";
import { startVendorVerification } from "@/lib/vendors/verification";

export const runtime = "nodejs";

/**
 * The upload screen's vendor step: starts (or resumes) the verification at the level's vendor and
 * answers what the screen needs to run its capture (the SDK token).
 */
export async function POST(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "vendor.start",
    async ({ trader, kycCase, locale }) => {
      const session = await startVendorVerification({ kycCase, trader, locale });
      return Response.json(session, {
        status: 201,
        // The SDK token is short-lived and for this browser only.
        headers: { "Cache-Control": "no-store" },
      });
    },
    { mutates: true },
  );
}
