import { z } from "zod";
import { toErrorResponse, readJson } from "@/lib/http/json";
import { requestCrmApiToken, requireSsoMode } from "@/lib/identity/sso";
import { withRequestId } from "@/lib/http/request-id";

const passwordSchema = z.object({ password: z.string().min(1).max(512) });

/** cTrader (SSO mode) trades the broker's CRM password for a CRM API token (throttled). */
export const POST = withRequestId(async function POST(request: Request): Promise<Response> {
  try {
    requireSsoMode();
    const { password } = await readJson(request, passwordSchema, { missingType: "allow" });
    // For the audit trail only, never for a decision: the header is the client's word.
    const client = (request.headers.get("x-forwarded-for") ?? "")
      .replace(/[^\x20-\x7e]/g, "")
      .slice(0, 100);
    return Response.json(await requestCrmApiToken(password, client));
  } catch (error) {
    return toErrorResponse(error, "oauth2.crmApiToken");
  }
});
