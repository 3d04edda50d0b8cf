/**
 * Onfido's API v3.6 as it documents itself, on an msw server (the vendor boundary): every call
 * authorized with `Authorization: Token token=…` (else its 401 `authorization_error` body), an
 * applicant without a name a 422 `validation_error`, checks with the reports the test sets (each
 * report naming its `check_id`, as Onfido's report object does), a 404 `resource_not_found` for a
 * check it never made, the check's PDF. `onfidoWebhook` builds what Onfido posts, signed with
 * `X-SHA2-Signature` as Onfido signs it.
 */
import { createHmac } from "node:crypto";
import { http, HttpResponse } from "msw";
import type { SetupServer } from "msw/node";
import { onfidoBaseUrl } from "@/lib/vendors/onfido";
import { signedJson } from "./signed-webhook";
import { ONFIDO_SETTINGS } from "./vendor-settings";

export const ONFIDO_API = onfidoBaseUrl("eu");
export { ONFIDO_SETTINGS };

export type OnfidoReport = {
  name: string;
  /** Onfido fills it with the check asked for; a test sets it to serve another check's report. */
  check_id?: string;
  status: string;
  result: string | null;
  sub_result?: string | null;
  completed_at_iso8601?: string;
};

/** What the stub was asked, and what it answers next (a test changes these as Onfido would). */
export type OnfidoState = {
  calls: { method: string; path: string; body: unknown }[];
  reports: OnfidoReport[];
  checkStatus: string;
  checkResult: string;
  reportsServed: number;
  /** The checks that exist: the ones the stub made, and any a test starts with. */
  checks: string[];
  /** Before every applicant and check id: Onfido's ids are unique, a second stub's must be too. */
  idPrefix: string;
  /** Runs while Onfido makes an applicant, before it answers: what happens during the call. */
  duringApplicant: (() => Promise<void>) | null;
};

export function stubOnfido(
  server: SetupServer,
  initial: Partial<
    Pick<OnfidoState, "reports" | "checkStatus" | "checkResult" | "idPrefix" | "checks">
  > = {},
  apiToken = ONFIDO_SETTINGS.ONFIDO_API_TOKEN,
): OnfidoState {
  const state: OnfidoState = {
    calls: [],
    reports: [],
    checkStatus: "complete",
    checkResult: "clear",
    reportsServed: 0,
    idPrefix: "",
    duringApplicant: null,
    ...initial,
    checks: [...(initial.checks ?? [])],
  };
  const authorized = (request: Request) =>
    request.headers.get("authorization") === `Token token=${apiToken}`;
  const unauthorized = () =>
    HttpResponse.json(
      {
        error: {
          type: "authorization_error",
          message: "Authorization error: please re-check your credentials",
          fields: {},
        },
      },
      { status: 401 },
    );
  const notFound = () =>
    HttpResponse.json(
      {
        error: {
          type: "resource_not_found",
          message: "The resource could not be found.",
          fields: {},
        },
      },
      { status: 404 },
    );
  async function record(request: Request) {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.json() : null;
    state.calls.push({ method: request.method, path: url.pathname + url.search, body });
    return body as Record<string, unknown> | null;
  }
  server.use(
    http.post(`${ONFIDO_API}/applicants`, async ({ request }) => {
      if (!authorized(request)) return unauthorized();
      const body = await record(request);
      if (!body?.first_name || !body?.last_name)
        return HttpResponse.json(
          {
            error: {
              type: "validation_error",
              message: "There was a validation error on this request",
              fields: { first_name: ["can't be blank"] },
            },
          },
          { status: 422 },
        );
      const count = state.calls.filter((c) => c.path.endsWith("/applicants")).length;
      await state.duringApplicant?.();
      return HttpResponse.json(
        { id: `${state.idPrefix}applicant-${count}`, ...body },
        { status: 201 },
      );
    }),
    http.post(`${ONFIDO_API}/sdk_token`, async ({ request }) => {
      if (!authorized(request)) return unauthorized();
      const body = await record(request);
      return HttpResponse.json({ token: `sdk.${String(body?.applicant_id)}` });
    }),
    http.post(`${ONFIDO_API}/checks`, async ({ request }) => {
      if (!authorized(request)) return unauthorized();
      await record(request);
      const count = state.calls.filter((c) => c.path.endsWith("/checks")).length;
      const id = `${state.idPrefix}check-${count}`;
      state.checks.push(id);
      return HttpResponse.json({ id, status: "in_progress", result: null }, { status: 201 });
    }),
    http.get(`${ONFIDO_API}/checks/:id`, async ({ request, params }) => {
      if (!authorized(request)) return unauthorized();
      await record(request);
      if (!state.checks.includes(String(params.id))) return notFound();
      return HttpResponse.json({
        id: params.id,
        status: state.checkStatus,
        result: state.checkResult,
        created_at: "2026-12-02T10:00:00Z",
      });
    }),
    http.get(`${ONFIDO_API}/reports`, async ({ request }) => {
      if (!authorized(request)) return unauthorized();
      await record(request);
      const checkId = new URL(request.url).searchParams.get("check_id") ?? "";
      if (!state.checks.includes(checkId)) return notFound();
      return HttpResponse.json({
        reports: state.reports.map((report, index) => ({
          id: `${checkId}-report-${index + 1}`,
          created_at: "2026-12-02T10:00:00Z",
          href: `/v3.6/reports/${checkId}-report-${index + 1}`,
          check_id: checkId,
          ...report,
        })),
      });
    }),
    http.get(`${ONFIDO_API}/checks/:id/download`, async ({ request, params }) => {
      if (!authorized(request)) return unauthorized();
      await record(request);
      if (!state.checks.includes(String(params.id))) return notFound();
      state.reportsServed += 1;
      return new HttpResponse(new TextEncoder().encode("%PDF-1.7 check report"), {
        headers: { "content-type": "application/pdf" },
      });
    }),
  );
  return state;
}

/** A webhook as Onfido sends it: the JSON body and its HMAC-SHA256 signature header. */
export function onfidoWebhook(
  payload: Record<string, unknown> | string,
  token = ONFIDO_SETTINGS.ONFIDO_WEBHOOK_TOKEN,
): { body: string; headers: Record<string, string> } {
  return signedJson(payload, (body) => ({
    "x-sha2-signature": createHmac("sha256", token).update(body).digest("hex"),
  }));
}

/** Onfido's `check.completed` event for one check. */
export function checkCompleted(checkId: string): Record<string, unknown> {
  return {
    payload: {
      resource_type: "check",
      action: "check.completed",
      object: {
        id: checkId,
        status: "complete",
        completed_at_iso8601: "2026-12-02T10:06:00Z",
        href: `${ONFIDO_API}/checks/${checkId}`,
      },
    },
  };
}
