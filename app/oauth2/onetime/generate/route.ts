import { toErrorResponse, readJson } from "@/lib/http/json";
import {
  crmApiTokenFrom,
  generateBodySchema,
  generateOneTimeToken,
  requireSsoMode,
  verifyCrmApiToken,
} from "@/lib/identity/sso";
import { withRequestId } from "@/lib/http/request-id";

/** cTrader (SSO mode) asks for a one-time token to open a screen for a trader. */
export const POST = withRequestId(async function POST(request: Request): Promise<Response> {
  try {
    requireSsoMode();
    const url = new URL(request.url);
    verifyCrmApiToken(crmApiTokenFrom(url));
    const body = await readJson(request, generateBodySchema, { missingType: "allow" });
    // The docs do not show where inappToken travels (body or query): accept either.
    const inappToken = body.inappToken ?? url.searchParams.get("inappToken") ?? undefined;
    return Response.json(await generateOneTimeToken({ ...body, inappToken }));
  } catch (error) {
    return toErrorResponse(error, "oauth2.onetime.generate");
  }
});
