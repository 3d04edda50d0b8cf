import { startSelfieChallenge } from "@/lib/documents/service";
import { outOfScope, refuseOutOfScope, withTraderCase } from "@/lib/inapp/api";
import { refuseUpload } from "../../documents/refusals";

export const runtime = "nodejs";

/** Starts an attempt at the selfie: the prompts, in the order the server drew for it. */
export async function POST(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "selfie.challenge",
    async (context) => {
      if (outOfScope(context, "selfie")) return refuseOutOfScope();
      const result = await startSelfieChallenge(context.kycCase);
      if (!result.ok) return refuseUpload(result.reason);
      return Response.json(result.value, { status: 201 });
    },
    { mutates: true, handoff: true },
  );
}
