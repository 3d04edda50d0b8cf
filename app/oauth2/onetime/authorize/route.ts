import { toErrorResponse, readJson } from "@/lib/http/json";
import {
  authorizeBodySchema,
  authorizeOneTimeToken,
  crmApiTokenFrom,
  requireSsoMode,
  verifyCrmApiToken,
} from "@/lib/identity/sso";
import { withRequestId } from "@/lib/http/request-id";

/** cTrader (SSO mode) exchanges the one-time code for the trader it was issued for. */
export const POST = withRequestId(async function POST(request: Request): Promise<Response> {
  try {
    requireSsoMode();
    verifyCrmApiToken(crmApiTokenFrom(new URL(request.url)));
    const { code } = await readJson(request, authorizeBodySchema, { missingType: "allow" });
    return Response.json(await authorizeOneTimeToken(code));
  } catch (error) {
    return toErrorResponse(error, "oauth2.onetime.authorize");
  }
});
