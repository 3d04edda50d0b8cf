/**
 * The vendors' HTTP calls against answers a vendor's API really gives when it is unwell (msw at
 * the vendor boundary): rate limiting, outages, redirects, silence and garbage. Each becomes an
 * AppError with a code the routes map (lib/errors.ts), never an unhandled throw, and never the
 * body's text (it can carry a trader's data).
 */
import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { retryAfterSeconds, vendorFile, vendorJson, type VendorRequest } from "@/lib/vendors/http";

const API = "https://vendor.test";
const ELSEWHERE = "https://elsewhere.test";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const request = (overrides: Partial<VendorRequest> = {}): VendorRequest => ({
  vendor: "sumsub",
  url: `${API}/resources/applicants/a-1/one`,
  method: "GET",
  headers: { "X-App-Token": "app-token", "X-App-Access-Sig": "signature" },
  ...overrides,
});
const applicant = z.object({ id: z.string() });

/** What the call threw, as the routes see it. */
async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  const { code, publicMessage, contractCode, status } = error as AppError;
  return { code, status, message: publicMessage, contractCode };
}

const answer = (response: () => Response | Promise<Response>) =>
  server.use(http.get(`${API}/resources/applicants/a-1/one`, response));

describe("vendor HTTP: a vendor that limits or fails", () => {
  it("reads a 429 as unavailable for now, with the wait its Retry-After asks for", async () => {
    answer(() =>
      HttpResponse.json(
        { description: "Too many requests", code: 429, errorName: "rate-limit" },
        { status: 429, headers: { "Retry-After": "30" } },
      ),
    );
    expect(await failure(vendorJson(request(), applicant))).toEqual({
      code: "UPSTREAM_UNAVAILABLE",
      status: 502,
      message: "sumsub answered 429 (rate-limit): rate limited, retry after 30 s",
      contractCode: "rate-limit",
    });
  });

  it("reads Retry-After as seconds or as an HTTP date, and ignores what is neither", () => {
    const now = Date.parse("2026-12-03T10:00:00Z");
    expect(retryAfterSeconds("120", now)).toBe(120);
    expect(retryAfterSeconds("Thu, 03 Dec 2026 10:01:30 GMT", now)).toBe(90);
    expect(retryAfterSeconds("Thu, 03 Dec 2026 09:00:00 GMT", now)).toBe(0);
    expect(retryAfterSeconds("soon", now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it("reads a 5xx as unavailable, naming the status and the vendor's code but never its body", async () => {
    answer(() =>
      HttpResponse.json(
        { errorName: "internal", description: "applicant Ada Lovelace could not be loaded" },
        { status: 503 },
      ),
    );
    expect(await failure(vendorJson(request(), applicant))).toEqual({
      code: "UPSTREAM_UNAVAILABLE",
      status: 502,
      message: "sumsub answered 503 (internal)",
      contractCode: "internal",
    });
    answer(() => HttpResponse.text("<html>Bad gateway for Ada Lovelace</html>", { status: 502 }));
    expect(await failure(vendorFile(request()))).toEqual({
      code: "UPSTREAM_UNAVAILABLE",
      status: 502,
      message: "sumsub answered 502",
      contractCode: undefined,
    });
  });

  it("reads a connection that fails as unreachable", async () => {
    answer(() => HttpResponse.error());
    expect(await failure(vendorJson(request(), applicant))).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      message: "sumsub unreachable",
    });
  });

  it("gives up on a vendor that does not answer in time", async () => {
    answer(async () => {
      await delay("infinite");
      return HttpResponse.json({ id: "a-1" });
    });
    expect(await failure(vendorJson(request({ timeoutMs: 50 }), applicant))).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      message: "sumsub did not answer in time",
    });
  });
});

describe("vendor HTTP: redirects", () => {
  it("does not follow a redirect to another origin, so our signed headers stay with the vendor", async () => {
    const elsewhere: Headers[] = [];
    server.use(
      http.get(`${ELSEWHERE}/*`, ({ request: sent }) => {
        elsewhere.push(sent.headers);
        return HttpResponse.json({ id: "a-1" });
      }),
    );
    answer(
      () => new HttpResponse(null, { status: 302, headers: { Location: `${ELSEWHERE}/collect` } }),
    );
    expect(await failure(vendorJson(request(), applicant))).toEqual({
      code: "UPSTREAM_UNAVAILABLE",
      status: 502,
      message: "sumsub answered a redirect (302), not followed",
      contractCode: undefined,
    });
    answer(
      () =>
        new HttpResponse(null, { status: 307, headers: { Location: `${ELSEWHERE}/report.pdf` } }),
    );
    expect(await failure(vendorFile(request()))).toMatchObject({
      message: "sumsub answered a redirect (307), not followed",
    });
    expect(elsewhere).toEqual([]);
  });

  it("does not follow one on the vendor's own origin either: the API documents none", async () => {
    let followed = 0;
    server.use(
      http.get(`${API}/moved`, () => {
        followed += 1;
        return HttpResponse.json({ id: "a-1" });
      }),
    );
    answer(() => new HttpResponse(null, { status: 301, headers: { Location: `${API}/moved` } }));
    expect(await failure(vendorJson(request(), applicant))).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
    });
    expect(followed).toBe(0);
  });
});

describe("vendor HTTP: garbage", () => {
  it("reads a success that is not JSON, or not the expected shape, as unavailable", async () => {
    answer(() => HttpResponse.text("<html>maintenance</html>", { status: 200 }));
    expect(await failure(vendorJson(request(), applicant))).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      message: "sumsub answered an unexpected shape",
    });
    answer(() => HttpResponse.json({ applicant: { name: "Ada" } }));
    expect(await failure(vendorJson(request(), applicant))).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      message: "sumsub answered an unexpected shape",
    });
    answer(
      () =>
        new HttpResponse('{"id": "a-1", "trunc', {
          headers: { "content-type": "application/json" },
        }),
    );
    expect(await failure(vendorJson(request(), applicant))).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
    });
  });

  it("reads a refusal whose body is garbage by its status alone", async () => {
    answer(() => HttpResponse.text("not json at all", { status: 400 }));
    expect(await failure(vendorJson(request(), applicant))).toEqual({
      code: "BAD_REQUEST",
      status: 400,
      message: "sumsub answered 400",
      contractCode: undefined,
    });
  });
});
