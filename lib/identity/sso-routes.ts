/**
 * The three endpoints cTrader calls in SSO mode, as plain functions of a Request so the route
 * files stay one line and tests call them directly. Each: 404 unless IDENTITY_MODE=sso; JSON in,
 * JSON out; errors as `{error, message, code}` with cTrader's codes.
 */
import { z } from "zod";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { jsonError, readJson } from "@/lib/http/json";
import {
  authorizeBodySchema,
  authorizeOneTimeToken,
  crmApiTokenFrom,
  generateBodySchema,
  generateOneTimeToken,
  issueCrmApiToken,
  verifyCrmApiToken,
} from "./sso";

function requireSsoMode(): void {
  if (env().identityMode !== "sso") throw new AppError("NOT_FOUND", "SSO mode is not enabled");
}

const passwordSchema = z.object({ password: z.string().min(1).max(512) });

export async function crmApiTokenRoute(request: Request): Promise<Response> {
  try {
    requireSsoMode();
    const { password } = await readJson(request, passwordSchema);
    const { crmApiToken } = issueCrmApiToken(password);
    return Response.json({ crmApiToken });
  } catch (error) {
    return jsonError(error, "oauth2.crmApiToken");
  }
}

export async function generateRoute(request: Request): Promise<Response> {
  try {
    requireSsoMode();
    const url = new URL(request.url);
    verifyCrmApiToken(crmApiTokenFrom(url));
    const body = await readJson(request, generateBodySchema);
    // The docs do not show where inappToken travels (body or query): accept either.
    const inappToken = body.inappToken ?? url.searchParams.get("inappToken") ?? undefined;
    return Response.json(await generateOneTimeToken({ ...body, inappToken }));
  } catch (error) {
    return jsonError(error, "oauth2.onetime.generate");
  }
}

export async function authorizeRoute(request: Request): Promise<Response> {
  try {
    requireSsoMode();
    verifyCrmApiToken(crmApiTokenFrom(new URL(request.url)));
    const { code } = await readJson(request, authorizeBodySchema);
    return Response.json(await authorizeOneTimeToken(code));
  } catch (error) {
    return jsonError(error, "oauth2.onetime.authorize");
  }
}
