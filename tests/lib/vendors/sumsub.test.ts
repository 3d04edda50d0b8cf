/**
 * The Sumsub adapter against a stub of Sumsub's API (msw at the vendor boundary) that enforces
 * what Sumsub documents: every request signed with HMAC-SHA256 over ts + METHOD + path + body
 * (a wrong one is a 401 with Sumsub's error body), 409 for a second applicant with the same
 * external id, webhooks signed with X-Payload-Digest, and its review shapes.
 */
import { createHmac } from "node:crypto";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { AppError } from "@/lib/errors";
import { SUMSUB_BASE_URL, sumsubSignature, sumsubVendor } from "@/lib/vendors/sumsub";
import { vendorVerdictSchema } from "@/lib/vendors/verdict";

const APP_TOKEN = "sbx:app-token";
const SECRET = "app-secret-key";
const WEBHOOK_SECRET = "webhook-secret";
const NOW = new Date("2026-12-02T10:00:00Z");

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

type Applicant = { id: string; externalUserId: string; levelName: string };
type Seen = { method: string; path: string; body: string; signed: boolean };

/** Sumsub as documented, holding applicants in memory; records each request and its signature. */
function sumsubStub(state: {
  review?: Record<string, unknown>;
  steps?: Record<string, unknown>;
  secret?: string;
}) {
  const applicants: Applicant[] = [];
  const seen: Seen[] = [];
  async function verify(request: Request): Promise<{ seen: Seen } | Response> {
    const url = new URL(request.url);
    const path = url.pathname + url.search;
    const body = request.method === "GET" ? "" : await request.text();
    const ts = request.headers.get("x-app-access-ts") ?? "";
    // Sumsub's scheme written out, not the adapter's function: the two must not drift together.
    const expected = createHmac("sha256", state.secret ?? SECRET)
      .update(ts + request.method + path + body)
      .digest("hex");
    const signed =
      request.headers.get("x-app-token") === APP_TOKEN &&
      request.headers.get("x-app-access-sig") === expected &&
      Math.abs(Number(ts) - NOW.getTime() / 1000) < 60;
    const entry = { method: request.method, path, body, signed };
    seen.push(entry);
    if (!signed)
      return HttpResponse.json(
        {
          description: "Request signature mismatch",
          code: 401,
          correlationId: "req-1",
          errorCode: 4003,
          errorName: "app-token-signature-mismatch",
        },
        { status: 401 },
      );
    return { seen: entry };
  }
  server.use(
    http.post(`${SUMSUB_BASE_URL}/resources/applicants`, async ({ request }) => {
      const checked = await verify(request);
      if (checked instanceof Response) return checked;
      const { externalUserId } = JSON.parse(checked.seen.body) as { externalUserId: string };
      const levelName = new URL(request.url).searchParams.get("levelName") ?? "";
      const existing = applicants.find((a) => a.externalUserId === externalUserId);
      if (existing)
        return HttpResponse.json(
          {
            description: `Applicant with external user id '${externalUserId}' already exists: ${existing.id}`,
            code: 409,
            correlationId: "req-2",
          },
          { status: 409 },
        );
      const applicant = { id: `app-${applicants.length + 1}`, externalUserId, levelName };
      applicants.push(applicant);
      return HttpResponse.json({ ...applicant, createdAt: "2026-12-02 10:00:00" });
    }),
    http.get(
      `${SUMSUB_BASE_URL}/resources/applicants/:selector/one`,
      async ({ request, params }) => {
        const checked = await verify(request);
        if (checked instanceof Response) return checked;
        const selector = String(params.selector);
        const applicant = selector.startsWith("-;externalUserId=")
          ? applicants.find((a) => a.externalUserId === selector.slice("-;externalUserId=".length))
          : applicants.find((a) => a.id === selector);
        if (!applicant)
          return HttpResponse.json({ description: "Not found", code: 404 }, { status: 404 });
        return HttpResponse.json({
          ...applicant,
          review: state.review ?? { reviewStatus: "init" },
        });
      },
    ),
    http.get(
      `${SUMSUB_BASE_URL}/resources/applicants/:id/requiredIdDocsStatus`,
      async ({ request }) => {
        const checked = await verify(request);
        if (checked instanceof Response) return checked;
        return HttpResponse.json(state.steps ?? {});
      },
    ),
    http.post(`${SUMSUB_BASE_URL}/resources/accessTokens/sdk`, async ({ request }) => {
      const checked = await verify(request);
      if (checked instanceof Response) return checked;
      const { userId } = JSON.parse(checked.seen.body) as { userId: string };
      return HttpResponse.json({ token: `_act-sbx-${userId}`, userId });
    }),
    http.get(`${SUMSUB_BASE_URL}/resources/applicants/:id/summary/report`, async ({ request }) => {
      const checked = await verify(request);
      if (checked instanceof Response) return checked;
      return new HttpResponse(new Uint8Array([0x25, 0x50, 0x44, 0x46]), {
        headers: { "content-type": "application/pdf" },
      });
    }),
  );
  return { applicants, seen };
}

const vendor = (overrides: Partial<Parameters<typeof sumsubVendor>[0]> = {}) =>
  sumsubVendor({
    appToken: APP_TOKEN,
    secretKey: SECRET,
    webhookSecret: WEBHOOK_SECRET,
    levels: { standard: "basic-kyc-level", enhanced: "enhanced-kyc-level" },
    now: () => NOW,
    ...overrides,
  });

const startInput = { caseId: "case-1", level: "standard", locale: "de", email: "t@example.com" };

describe("Sumsub: request signature", () => {
  it("is the hex HMAC-SHA256 of timestamp, upper-case method, path with query and body", () => {
    // Computed outside this code base: printf '%s' '1607551635POST/resources/applicants?levelName=
    // basic-kyc-level{"externalUserId":"trader-2001"}' | openssl dgst -sha256 -hmac sumsub-secret-key
    expect(
      sumsubSignature(
        "sumsub-secret-key",
        "1607551635",
        "post",
        "/resources/applicants?levelName=basic-kyc-level",
        '{"externalUserId":"trader-2001"}',
      ),
    ).toBe("30f52f69466d447e710347b7e0e787356095736e2f961039f0cae07cb781a022");
  });
});

describe("Sumsub: starting a verification", () => {
  it("creates an applicant under the case id and hands the screen an SDK token, every request signed", async () => {
    const stub = sumsubStub({});
    const session = await vendor().start(startInput);
    expect(session).toEqual({
      vendor: "sumsub",
      token: "_act-sbx-case-1",
      reference: "app-1",
    });
    expect(stub.applicants).toEqual([
      { id: "app-1", externalUserId: "case-1", levelName: "basic-kyc-level" },
    ]);
    expect(stub.seen.every((s) => s.signed)).toBe(true);
    expect(JSON.parse(stub.seen[1]!.body)).toEqual({
      userId: "case-1",
      levelName: "basic-kyc-level",
      ttlInSecs: 600,
    });
  });

  it("reuses the applicant when the trader starts again (Sumsub's 409)", async () => {
    const stub = sumsubStub({});
    await vendor().start(startInput);
    const again = await vendor().start(startInput);
    expect(again.reference).toBe("app-1");
    expect(stub.applicants).toHaveLength(1);
  });

  it("turns Sumsub's signature refusal into a configuration error naming its code", async () => {
    sumsubStub({ secret: "the-right-secret" });
    const refused = await vendor()
      .start(startInput)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "CONFIG", contractCode: "app-token-signature-mismatch" });
  });

  it("refuses a level that has no Sumsub level configured, before calling Sumsub", async () => {
    const stub = sumsubStub({});
    await expect(vendor().start({ ...startInput, level: "basic" })).rejects.toMatchObject({
      code: "CONFIG",
    });
    expect(stub.seen).toEqual([]);
  });

  it("is unavailable, not a crash, when Sumsub answers garbage", async () => {
    server.use(
      http.post(`${SUMSUB_BASE_URL}/resources/applicants`, () =>
        HttpResponse.text("<html>bad gateway</html>", { status: 200 }),
      ),
    );
    await expect(vendor().start(startInput)).rejects.toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
    });
  });
});

function signedWebhook(body: string, secret = WEBHOOK_SECRET, alg = "HMAC_SHA256_HEX") {
  const algorithm = alg === "HMAC_SHA512_HEX" ? "sha512" : "sha256";
  const digest = createHmac(algorithm, secret).update(body).digest("hex");
  return {
    raw: new TextEncoder().encode(body),
    headers: new Headers({ "x-payload-digest": digest, "x-payload-digest-alg": alg }),
  };
}

const reviewed = JSON.stringify({
  applicantId: "app-1",
  inspectionId: "insp-1",
  correlationId: "corr-1",
  externalUserId: "case-1",
  levelName: "basic-kyc-level",
  type: "applicantReviewed",
  reviewResult: { reviewAnswer: "GREEN" },
  reviewStatus: "completed",
  createdAtMs: "2026-12-02 10:05:00.000",
});

describe("Sumsub: webhooks", () => {
  it("accepts a webhook signed with the webhook secret (SHA-256 and SHA-512) and names the case", () => {
    for (const alg of ["HMAC_SHA256_HEX", "HMAC_SHA512_HEX"]) {
      const { raw, headers } = signedWebhook(reviewed, WEBHOOK_SECRET, alg);
      expect(vendor().readWebhook(raw, headers)).toEqual({
        vendor: "sumsub",
        reference: "app-1",
        externalId: "case-1",
        completed: true,
        type: "applicantReviewed",
      });
    }
  });

  it("refuses a wrong secret, a changed body, a missing digest and SHA-1", () => {
    const wrong = signedWebhook(reviewed, "another-secret");
    expect(() => vendor().readWebhook(wrong.raw, wrong.headers)).toThrow(
      expect.objectContaining({ code: "UNAUTHENTICATED" }),
    );
    const good = signedWebhook(reviewed);
    const changed = new TextEncoder().encode(reviewed.replace("GREEN", "GREEN "));
    expect(() => vendor().readWebhook(changed, good.headers)).toThrow(
      expect.objectContaining({ code: "UNAUTHENTICATED" }),
    );
    expect(() => vendor().readWebhook(good.raw, new Headers())).toThrow(
      expect.objectContaining({ code: "UNAUTHENTICATED" }),
    );
    const sha1 = createHmac("sha1", WEBHOOK_SECRET).update(reviewed).digest("hex");
    expect(() =>
      vendor().readWebhook(
        good.raw,
        new Headers({ "x-payload-digest": sha1, "x-payload-digest-alg": "HMAC_SHA1_HEX" }),
      ),
    ).toThrow(expect.objectContaining({ code: "UNAUTHENTICATED" }));
  });

  it("reads progress events as not completed and refuses a signed body of an unknown shape", () => {
    const pending = signedWebhook(
      JSON.stringify({ applicantId: "app-1", type: "applicantPending", reviewStatus: "pending" }),
    );
    expect(vendor().readWebhook(pending.raw, pending.headers)).toMatchObject({ completed: false });
    const odd = signedWebhook(JSON.stringify({ hello: "world" }));
    expect(() => vendor().readWebhook(odd.raw, odd.headers)).toThrow(
      expect.objectContaining({ code: "BAD_REQUEST" }),
    );
  });
});

describe("Sumsub: the verdict", () => {
  it("maps a green review with green steps to approved and clear signals", async () => {
    sumsubStub({
      review: {
        reviewStatus: "completed",
        reviewDate: "2026-12-02 10:05:00+0000",
        reviewResult: { reviewAnswer: "GREEN" },
      },
      steps: {
        IDENTITY: { reviewResult: { reviewAnswer: "GREEN" } },
        SELFIE: { reviewResult: { reviewAnswer: "GREEN" } },
      },
    });
    await vendor().start(startInput);
    const verdict = await vendor({ screens: true }).verdict("app-1");
    expect(vendorVerdictSchema.parse(verdict)).toEqual({
      vendor: "sumsub",
      reference: "app-1",
      outcome: "approved",
      retryAllowed: false,
      signals: {
        documentAuthenticity: "clear",
        faceMatch: "clear",
        liveness: "clear",
        watchlist: "clear",
      },
      labels: [],
      completedAt: "2026-12-02T10:05:00.000Z",
    });
  });

  it("maps a red RETRY review's labels to the signals they concern", async () => {
    sumsubStub({
      review: {
        reviewStatus: "completed",
        reviewResult: {
          reviewAnswer: "RED",
          reviewRejectType: "RETRY",
          rejectLabels: ["SELFIE_MISMATCH", "UNSATISFACTORY_PHOTOS"],
        },
      },
      steps: {
        IDENTITY: { reviewResult: { reviewAnswer: "GREEN" } },
        SELFIE: { reviewResult: { reviewAnswer: "RED" } },
      },
    });
    await vendor().start(startInput);
    const verdict = await vendor().verdict("app-1");
    expect(verdict).toMatchObject({
      outcome: "declined",
      retryAllowed: true,
      signals: {
        documentAuthenticity: "consider",
        faceMatch: "consider",
        liveness: "consider",
        watchlist: "not_run",
      },
      labels: ["SELFIE_MISMATCH", "UNSATISFACTORY_PHOTOS"],
    });
  });

  it("says pending before the review and flags watchlist labels of a final rejection", async () => {
    sumsubStub({ review: { reviewStatus: "pending" } });
    await vendor().start(startInput);
    expect(await vendor().verdict("app-1")).toMatchObject({
      outcome: "pending",
      completedAt: null,
    });

    server.resetHandlers();
    sumsubStub({
      review: {
        reviewStatus: "completed",
        reviewResult: {
          reviewAnswer: "RED",
          reviewRejectType: "FINAL",
          rejectLabels: ["SANCTIONS"],
        },
      },
    });
    await vendor().start(startInput);
    expect(await vendor().verdict("app-1")).toMatchObject({
      outcome: "declined",
      retryAllowed: false,
      signals: { watchlist: "consider", documentAuthenticity: "not_run" },
    });
  });

  it("fetches Sumsub's summary report for the console", async () => {
    const stub = sumsubStub({});
    await vendor().start(startInput);
    const report = await vendor().report("app-1");
    expect(report.contentType).toBe("application/pdf");
    expect(Buffer.from(report.body).subarray(0, 4).toString()).toBe("%PDF");
    expect(stub.seen.at(-1)).toMatchObject({
      path: "/resources/applicants/app-1/summary/report?report=applicantReport&lang=en",
      signed: true,
    });
  });
});
