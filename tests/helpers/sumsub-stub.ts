/**
 * Sumsub's API as it documents itself, on an msw server (the vendor boundary): every request
 * signed (`X-App-Access-Sig` over ts + METHOD + path + body, within a minute of now; a wrong one
 * is Sumsub's 401), a second applicant for the same external id a 409, the review and per-step
 * answers the test sets, the summary PDF. `webhook` builds what Sumsub posts, signed with
 * `X-Payload-Digest` as Sumsub signs it.
 */
import { createHmac } from "node:crypto";
import { http, HttpResponse } from "msw";
import type { SetupServer } from "msw/node";
import { signedJson } from "./signed-webhook";
import { SUMSUB, SUMSUB_SETTINGS } from "./vendor-settings";

export { SUMSUB, SUMSUB_SETTINGS };

export type SumsubApplicant = { id: string; externalUserId: string; levelName: string };
export type SumsubState = {
  applicants: SumsubApplicant[];
  review: Record<string, unknown>;
  steps: Record<string, unknown>;
  reportsServed: number;
};

/** `idPrefix` keeps applicant ids apart when several cases of one scenario file use Sumsub. */
export function stubSumsub(server: SetupServer, { idPrefix = "" } = {}): SumsubState {
  const state: SumsubState = {
    applicants: [],
    review: { reviewStatus: "init" },
    steps: {},
    reportsServed: 0,
  };
  async function refused(request: Request): Promise<{ body: string } | Response> {
    const url = new URL(request.url);
    const body = request.method === "GET" ? "" : await request.text();
    const ts = request.headers.get("x-app-access-ts") ?? "";
    // Sumsub's scheme written out (not the adapter's function, so the two cannot drift together):
    // hex HMAC-SHA256 of timestamp + method + path with query + body.
    const expected = createHmac("sha256", SUMSUB_SETTINGS.SUMSUB_SECRET_KEY)
      .update(ts + request.method + url.pathname + url.search + body)
      .digest("hex");
    const signed =
      request.headers.get("x-app-token") === SUMSUB_SETTINGS.SUMSUB_APP_TOKEN &&
      request.headers.get("x-app-access-sig") === expected &&
      Math.abs(Number(ts) - Date.now() / 1000) < 60;
    if (signed) return { body };
    return HttpResponse.json(
      { description: "Request signature mismatch", code: 401, errorCode: 4003 },
      { status: 401 },
    );
  }
  server.use(
    http.post(`${SUMSUB}/resources/applicants`, async ({ request }) => {
      const checked = await refused(request);
      if (checked instanceof Response) return checked;
      const { externalUserId } = JSON.parse(checked.body) as { externalUserId: string };
      if (state.applicants.some((a) => a.externalUserId === externalUserId))
        return HttpResponse.json({ description: "already exists", code: 409 }, { status: 409 });
      const applicant = {
        id: `${idPrefix}applicant-${state.applicants.length + 1}`,
        externalUserId,
        levelName: new URL(request.url).searchParams.get("levelName") ?? "",
      };
      state.applicants.push(applicant);
      return HttpResponse.json(applicant);
    }),
    http.get(`${SUMSUB}/resources/applicants/:selector/one`, async ({ request, params }) => {
      const checked = await refused(request);
      if (checked instanceof Response) return checked;
      const selector = String(params.selector);
      const applicant = state.applicants.find(
        (a) => a.id === selector || `-;externalUserId=${a.externalUserId}` === selector,
      );
      if (!applicant) return HttpResponse.json({ code: 404 }, { status: 404 });
      return HttpResponse.json({ ...applicant, review: state.review });
    }),
    http.get(`${SUMSUB}/resources/applicants/:id/requiredIdDocsStatus`, async ({ request }) => {
      const checked = await refused(request);
      if (checked instanceof Response) return checked;
      return HttpResponse.json(state.steps);
    }),
    http.post(`${SUMSUB}/resources/accessTokens/sdk`, async ({ request }) => {
      const checked = await refused(request);
      if (checked instanceof Response) return checked;
      const { userId } = JSON.parse(checked.body) as { userId: string };
      return HttpResponse.json({ token: `_act-sbx-${userId}`, userId });
    }),
    http.get(`${SUMSUB}/resources/applicants/:id/summary/report`, async ({ request }) => {
      const checked = await refused(request);
      if (checked instanceof Response) return checked;
      state.reportsServed += 1;
      return new HttpResponse(new TextEncoder().encode("%PDF-1.7 applicant report"), {
        headers: { "content-type": "application/pdf" },
      });
    }),
  );
  return state;
}

/** A webhook as Sumsub sends it: the JSON body and its HMAC-SHA256 digest header. */
export function sumsubWebhook(
  payload: Record<string, unknown> | string,
  secret = SUMSUB_SETTINGS.SUMSUB_WEBHOOK_SECRET,
): { body: string; headers: Record<string, string> } {
  return signedJson(payload, (body) => ({
    "x-payload-digest": createHmac("sha256", secret).update(body).digest("hex"),
    "x-payload-digest-alg": "HMAC_SHA256_HEX",
  }));
}
