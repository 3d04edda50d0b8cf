import { z } from "zod";
import { toErrorResponse, readJson } from "@/lib/http/json";
import { issueCrmApiToken, requireSsoMode } from "@/lib/identity/sso";

const passwordSchema = z.object({ password: z.string().min(1).max(512) });

/** cTrader (SSO mode) trades the broker's CRM password for a CRM API token. */
export async function POST(request: Request): Promise<Response> {
  try {
    requireSsoMode();
    const { password } = await readJson(request, passwordSchema, { missingType: "allow" });
    return Response.json(issueCrmApiToken(password));
  } catch (error) {
    return toErrorResponse(error, "oauth2.crmApiToken");
  }
}
