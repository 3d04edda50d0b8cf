/**
 * The Onfido adapter against a stub of Onfido's API v3.6 (msw at the vendor boundary) that
 * enforces what Onfido documents: `Authorization: Token token=…` (else 401 with its
 * `authorization_error` body), 422 `validation_error` for a bad request, checks with reports,
 * and `check.completed` webhooks signed with X-SHA2-Signature.
 */
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { onfidoVendor } from "@/lib/vendors/onfido";
import { vendorVerdictSchema } from "@/lib/vendors/verdict";
import {
  checkCompleted,
  ONFIDO_API as API,
  ONFIDO_SETTINGS,
  onfidoWebhook,
  stubOnfido,
  type OnfidoReport as Report,
} from "../../helpers/onfido-stub";

const TOKEN = ONFIDO_SETTINGS.ONFIDO_API_TOKEN;
const WEBHOOK_TOKEN = ONFIDO_SETTINGS.ONFIDO_WEBHOOK_TOKEN;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Onfido with check-1 made already (by an earlier capture). */
const onfidoStub = (state: Parameters<typeof stubOnfido>[1]) =>
  stubOnfido(server, { checks: ["check-1"], ...state });

const REPORTS = ["document", "facial_similarity_motion", "watchlist_standard"];
const vendor = (apiToken = TOKEN) =>
  onfidoVendor({
    apiToken,
    webhookToken: WEBHOOK_TOKEN,
    region: "eu",
    reports: REPORTS,
    referrer: "https://broker.example/*",
  });

const input = {
  caseId: "case-1",
  level: "standard",
  locale: "en",
  givenNames: "Ada",
  surnames: "Lovelace",
};

describe("Onfido: starting and finishing a capture", () => {
  it("creates an applicant with the trader's name, an SDK token for the screen's origin, then a check with the configured reports", async () => {
    const stub = onfidoStub({});
    const session = await vendor().start(input);
    expect(session).toEqual({
      vendor: "onfido",
      token: "sdk.applicant-1",
      reference: "applicant-1",
    });
    const checkId = await vendor().captureDone(session.reference);
    expect(checkId).toBe("check-1");
    expect(stub.calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ["POST", "/v3.6/applicants", { first_name: "Ada", last_name: "Lovelace" }],
      [
        "POST",
        "/v3.6/sdk_token",
        { applicant_id: "applicant-1", referrer: "https://broker.example/*" },
      ],
      ["POST", "/v3.6/checks", { applicant_id: "applicant-1", report_names: REPORTS }],
    ]);
  });

  it("sends a name Onfido accepts before the trader has typed one", async () => {
    const stub = onfidoStub({});
    await vendor().start({ caseId: "c0ffee00-1111", level: "standard", locale: "en" });
    expect(stub.calls[0]?.body).toEqual({ first_name: "Trader", last_name: "c0ffee00" });
  });

  it("turns Onfido's 401 into a configuration error with its error type", async () => {
    onfidoStub({});
    await expect(vendor("wrong").start(input)).rejects.toMatchObject({
      code: "CONFIG",
      contractCode: "authorization_error",
    });
  });

  it("turns Onfido's 422 into a bad request with its error type", async () => {
    onfidoStub({});
    server.use(
      http.post(`${API}/applicants`, () =>
        HttpResponse.json(
          { error: { type: "validation_error", message: "bad", fields: {} } },
          { status: 422 },
        ),
      ),
    );
    await expect(vendor().start(input)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      contractCode: "validation_error",
    });
  });
});

const completed = JSON.stringify(checkCompleted("check-1"));
const sign = (body: string, token = WEBHOOK_TOKEN) => ({
  raw: new TextEncoder().encode(body),
  headers: new Headers(onfidoWebhook(body, token).headers),
});

describe("Onfido: webhooks", () => {
  it("accepts check.completed signed with the webhook token", () => {
    const { raw, headers } = sign(completed);
    expect(vendor().readWebhook(raw, headers)).toEqual({
      vendor: "onfido",
      reference: "check-1",
      externalId: undefined,
      completed: true,
      type: "check.completed",
    });
  });

  it("refuses another token's signature, a changed body and no signature", () => {
    const other = sign(completed, "other-token");
    expect(() => vendor().readWebhook(other.raw, other.headers)).toThrow(
      expect.objectContaining({ code: "UNAUTHENTICATED" }),
    );
    const good = sign(completed);
    expect(() =>
      vendor().readWebhook(
        new TextEncoder().encode(completed.replace("complete", "withdrawn")),
        good.headers,
      ),
    ).toThrow(expect.objectContaining({ code: "UNAUTHENTICATED" }));
    expect(() => vendor().readWebhook(good.raw, new Headers())).toThrow(
      expect.objectContaining({ code: "UNAUTHENTICATED" }),
    );
  });

  it("reads a report event as not completed", () => {
    const { raw, headers } = sign(
      JSON.stringify({
        payload: {
          resource_type: "report",
          action: "report.completed",
          object: { id: "report-1" },
        },
      }),
    );
    expect(vendor().readWebhook(raw, headers)).toMatchObject({
      completed: false,
      reference: "report-1",
    });
  });
});

/** A report Onfido finished. */
const done = (name: string, result: string, sub_result?: string): Report => ({
  name,
  status: "complete",
  result,
  sub_result: sub_result ?? result,
  completed_at_iso8601: "2026-12-02T10:06:00Z",
});

describe("Onfido: the verdict", () => {
  it("maps a clear check to approved with each report's signal", async () => {
    onfidoStub({
      reports: [
        done("document", "clear"),
        done("facial_similarity_motion", "clear"),
        done("watchlist_standard", "clear"),
      ],
    });
    expect(vendorVerdictSchema.parse(await vendor().verdict("check-1"))).toEqual({
      vendor: "onfido",
      reference: "check-1",
      outcome: "approved",
      retryAllowed: false,
      signals: {
        documentAuthenticity: "clear",
        faceMatch: "clear",
        liveness: "clear",
        watchlist: "clear",
      },
      labels: [],
      completedAt: "2026-12-02T10:06:00Z",
    });
  });

  it("asks for a review when a report says consider, and names it", async () => {
    onfidoStub({
      checkResult: "consider",
      reports: [
        done("document", "clear"),
        done("facial_similarity_photo", "clear"),
        done("watchlist_standard", "consider"),
      ],
    });
    expect(await vendor().verdict("check-1")).toMatchObject({
      outcome: "review",
      signals: { watchlist: "consider", faceMatch: "clear", liveness: "not_run" },
      labels: ["watchlist_standard:consider"],
    });
  });

  it("declines with a retry when Onfido could not process the document", async () => {
    onfidoStub({
      checkResult: "consider",
      reports: [
        done("document", "consider", "rejected"),
        done("facial_similarity_motion", "clear"),
      ],
    });
    expect(await vendor().verdict("check-1")).toMatchObject({
      outcome: "declined",
      retryAllowed: true,
      signals: { documentAuthenticity: "consider", watchlist: "not_run" },
      labels: ["document:rejected"],
    });
  });

  it("says pending while the check runs", async () => {
    onfidoStub({
      checkStatus: "in_progress",
      reports: [{ name: "document", status: "awaiting_data", result: null }],
    });
    expect(await vendor().verdict("check-1")).toMatchObject({
      outcome: "pending",
      completedAt: null,
      signals: { documentAuthenticity: "not_run" },
    });
  });

  it("downloads the check's PDF for the console", async () => {
    const stub = onfidoStub({});
    const report = await vendor().report("check-1");
    expect(report.contentType).toBe("application/pdf");
    expect(stub.calls.at(-1)?.path).toBe("/v3.6/checks/check-1/download");
  });

  it("names the check in every report it serves, as Onfido's report object does", async () => {
    const stub = onfidoStub({ reports: [done("document", "clear")] });
    await vendor().verdict("check-1");
    const response = await fetch(`${API}/reports?check_id=check-1`, {
      headers: { authorization: `Token token=${TOKEN}` },
    });
    expect(await response.json()).toEqual({
      reports: [expect.objectContaining({ name: "document", check_id: "check-1" })],
    });
    expect(stub.calls.map((c) => c.path)).toContain("/v3.6/reports?check_id=check-1");
  });

  it("takes no verdict from an answer that carries another check's report", async () => {
    onfidoStub({
      reports: [
        done("document", "clear"),
        { ...done("facial_similarity_motion", "clear"), check_id: "check-of-someone-else" },
      ],
    });
    await expect(vendor().verdict("check-1")).rejects.toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      publicMessage: "onfido answered for another check",
    });
  });

  it("takes no verdict from reports without their check", async () => {
    onfidoStub({});
    server.use(
      http.get(`${API}/reports`, () =>
        HttpResponse.json({ reports: [{ name: "document", status: "complete", result: "clear" }] }),
      ),
    );
    await expect(vendor().verdict("check-1")).rejects.toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      publicMessage: "onfido answered an unexpected shape",
    });
  });
});

describe("Onfido: an API that fails", () => {
  it("reads Onfido's 404 for a check it does not know as not found, with its error type", async () => {
    onfidoStub({});
    await expect(vendor().verdict("check-404")).rejects.toMatchObject({
      code: "NOT_FOUND",
      contractCode: "resource_not_found",
      publicMessage: "onfido answered 404 (resource_not_found)",
    });
    await expect(vendor().report("check-404")).rejects.toMatchObject({
      code: "NOT_FOUND",
      contractCode: "resource_not_found",
    });
  });

  it("is unavailable, not a crash, when Onfido answers garbage for the check or its reports", async () => {
    onfidoStub({ reports: [done("document", "clear")] });
    server.use(
      http.get(`${API}/checks/:id`, () => HttpResponse.text("<html>upstream error</html>")),
    );
    await expect(vendor().verdict("check-1")).rejects.toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      publicMessage: "onfido answered an unexpected shape",
    });
    server.resetHandlers();
    onfidoStub({});
    server.use(http.get(`${API}/reports`, () => HttpResponse.json({ reports: "none" })));
    await expect(vendor().verdict("check-1")).rejects.toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      publicMessage: "onfido answered an unexpected shape",
    });
    server.resetHandlers();
    onfidoStub({});
    server.use(
      http.post(`${API}/checks`, () =>
        HttpResponse.json({ error: { type: "internal_server_error" } }, { status: 500 }),
      ),
    );
    await expect(vendor().captureDone("applicant-1")).rejects.toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      contractCode: "internal_server_error",
    });
  });
});
