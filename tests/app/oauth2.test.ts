import { POST as crmApiToken } from "@/app/oauth2/crmApiToken/route";
import { POST as generate } from "@/app/oauth2/onetime/generate/route";
import { POST as authorize } from "@/app/oauth2/onetime/authorize/route";
import {
  CRM_PASSWORD_MAX_FAILURES,
  CRM_PASSWORD_WINDOW_MS,
  requestCrmApiToken,
  authorizeOneTimeToken,
  generateOneTimeToken,
  issueCrmApiToken,
  verifyCrmApiToken,
} from "@/lib/identity/sso";
import { ssoOneTimeTokens } from "@/lib/db/schema";
import { setTestEnv } from "../helpers/env";
import { createTestDb, type TestDb } from "../helpers/test-db";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());
beforeEach(() =>
  setTestEnv({
    IDENTITY_MODE: "sso",
    CTRADER_API_URL: undefined,
    CTRADER_MANAGER_TOKEN: undefined,
  }),
);

const BASE = "https://broker.test";
const post = (path: string, body: unknown, init: RequestInit = {}) =>
  new Request(`${BASE}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });

async function crmToken(): Promise<string> {
  const response = await crmApiToken(
    post("/oauth2/crmApiToken", { password: "crm-password-for-tests" }),
  );
  return ((await response.json()) as { crmApiToken: string }).crmApiToken;
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toEqual({ error: expect.any(String), message: expect.any(String), code });
  return body;
}

describe("POST /oauth2/crmApiToken", () => {
  it("exchanges the right password for a crmApiToken valid for at least 7 days", async () => {
    const now = new Date("2026-05-01T00:00:00Z");
    const { crmApiToken: token } = issueCrmApiToken("crm-password-for-tests", now);
    expect(() =>
      verifyCrmApiToken(token, new Date(now.getTime() + 7 * 86_400_000 - 1000)),
    ).not.toThrow();
    expect(() =>
      verifyCrmApiToken(token, new Date(now.getTime() + 7 * 86_400_000 + 1000)),
    ).toThrow();
    expect(await crmToken()).toMatch(/^c1\./);
  });

  it("refuses a wrong password with 403 CH_CLIENT_AUTH_FAILURE and no token in the body", async () => {
    const response = await crmApiToken(post("/oauth2/crmApiToken", { password: "wrong" }));
    const body = await expectError(response, 403, "CH_CLIENT_AUTH_FAILURE");
    expect(body).not.toHaveProperty("crmApiToken");
    expect(body.error).toBe("Forbidden");
  });

  it.each([
    ["malformed JSON", "{password:", "MALFORMED_REQUEST"],
    ["a missing password", {}, "MISSING_REQUIRED_PARAMETER"],
    ["a password of the wrong type", { password: 12 }, "INVALID_PARAMETER"],
  ])("answers 400 to %s", async (_name, body, code) => {
    await expectError(await crmApiToken(post("/oauth2/crmApiToken", body)), 400, code);
  });

  it("refuses an oversized body with 413 before parsing it", async () => {
    const response = await crmApiToken(
      post("/oauth2/crmApiToken", { password: "x".repeat(100_000) }),
    );
    await expectError(response, 413, "PAYLOAD_TOO_LARGE");
  });

  it("does not exist unless SSO mode is on", async () => {
    setTestEnv({ IDENTITY_MODE: "ot-handoff" });
    await expectError(
      await crmApiToken(post("/oauth2/crmApiToken", { password: "crm-password-for-tests" })),
      404,
      "NOT_FOUND",
    );
  });

  it("invalidates every crmApiToken when the password changes", async () => {
    const token = await crmToken();
    setTestEnv({
      IDENTITY_MODE: "sso",
      CTRADER_API_URL: undefined,
      CRM_API_PASSWORD: "a-new-password",
    });
    expect(() => verifyCrmApiToken(token)).toThrow();
  });
});

describe("POST /oauth2/onetime/generate and /oauth2/onetime/authorize", () => {
  it.each(["crmApiToken", "token"])("accepts the crmApiToken as ?%s=", async (name) => {
    const response = await generate(
      post(`/oauth2/onetime/generate?${name}=${await crmToken()}`, { userId: 3001 }),
    );
    expect(response.status).toBe(200);
    expect((await response.json()) as object).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it("also serves Spotware's V1 /cid prefix (through a rewrite to the same handlers)", async () => {
    const config = (await import("@/next.config")).default("phase-production-server");
    const rewrites = await (
      config.rewrites as () => Promise<{ source: string; destination: string }[]>
    )();
    expect(rewrites).toContainEqual({
      source: "/cid/oauth2/:path*",
      destination: "/oauth2/:path*",
    });
  });

  it("accepts userId as a numeric string (V1) as well as an integer", async () => {
    const response = await generate(
      post(`/oauth2/onetime/generate?crmApiToken=${await crmToken()}`, { userId: "3002" }),
    );
    expect(response.status).toBe(200);
  });

  it("stores only the hash of the one-time token, with a 60-second expiry", async () => {
    const now = new Date("2026-05-01T00:00:00Z");
    const { token } = await generateOneTimeToken({ userId: 3003 }, now);
    const rows = await t.db.select().from(ssoOneTimeTokens);
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    const row = rows.find((r) => r.createdAt.getTime() === now.getTime());
    expect(row?.expiresAt.getTime()).toBe(now.getTime() + 60_000);
  });

  it.each([
    ["no crmApiToken", ""],
    [
      "a forged crmApiToken",
      "?crmApiToken=c1.9999999999.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
    ["garbage", "?token=%27%20or%201%3D1"],
  ])("refuses %s with 403 CH_CLIENT_AUTH_FAILURE", async (_name, query) => {
    await expectError(
      await generate(post(`/oauth2/onetime/generate${query}`, { userId: 1 })),
      403,
      "CH_CLIENT_AUTH_FAILURE",
    );
    await expectError(
      await authorize(post(`/oauth2/onetime/authorize${query}`, { code: "x" })),
      403,
      "CH_CLIENT_AUTH_FAILURE",
    );
  });

  it.each([
    ["no userId", {}],
    ["a negative userId", { userId: -5 }],
    ["a fractional userId", { userId: 1.5 }],
    ["a userId that is not a number", { userId: "abc" }],
  ])("answers 400 to %s", async (_name, body) => {
    const response = await generate(
      post(`/oauth2/onetime/generate?crmApiToken=${await crmToken()}`, body),
    );
    expect(response.status).toBe(400);
  });

  it("authorizes a generated token once: 200 with userId and inappToken, then 410", async () => {
    const q = `?crmApiToken=${await crmToken()}`;
    const { token } = (await (
      await generate(post(`/oauth2/onetime/generate${q}`, { userId: 3004 }))
    ).json()) as { token: string };
    const first = await authorize(post(`/oauth2/onetime/authorize${q}`, { code: token }));
    expect(first.status).toBe(200);
    expect((await first.json()) as object).toEqual({
      userId: 3004,
      inappToken: expect.any(String),
    });
    await expectError(
      await authorize(post(`/oauth2/onetime/authorize${q}`, { code: token })),
      410,
      "CID_TOKEN_EXPIRED",
    );
  });

  it("answers 404 for a well-formed token we never issued and 417 for a malformed one", async () => {
    const q = `?crmApiToken=${await crmToken()}`;
    await expectError(
      await authorize(post(`/oauth2/onetime/authorize${q}`, { code: "A".repeat(43) })),
      404,
      "CID_NON_EXISTED_TOKEN",
    );
    await expectError(
      await authorize(post(`/oauth2/onetime/authorize${q}`, { code: "not a token" })),
      417,
      "CID_NON_EXISTED_TOKEN",
    );
    await expectError(
      await authorize(post(`/oauth2/onetime/authorize${q}`, {})),
      400,
      "MISSING_REQUIRED_PARAMETER",
    );
  });

  it("answers 410 CID_TOKEN_EXPIRED after the 60-second lifetime (injected clock)", async () => {
    const issued = new Date("2026-05-01T00:00:00Z");
    const { token } = await generateOneTimeToken({ userId: 3005 }, issued);
    const { token: late } = await generateOneTimeToken({ userId: 3005 }, issued);
    await expect(
      authorizeOneTimeToken(token, new Date(issued.getTime() + 59_000)),
    ).resolves.toMatchObject({ userId: 3005 });
    await expect(
      authorizeOneTimeToken(late, new Date(issued.getTime() + 61_000)),
    ).rejects.toMatchObject({
      status: 410,
      contractCode: "CID_TOKEN_EXPIRED",
    });
  });

  it("once an inappToken was issued, refuses to generate without it or with another one", async () => {
    const q = `?crmApiToken=${await crmToken()}`;
    const { token } = await generateOneTimeToken({ userId: 3006 });
    const { inappToken } = await authorizeOneTimeToken(token);
    const missing = await generate(post(`/oauth2/onetime/generate${q}`, { userId: 3006 }));
    await expectError(missing, 403, "INVALID_INAPP_TOKEN");
    const wrong = await generate(
      post(`/oauth2/onetime/generate${q}`, { userId: 3006, inappToken: "forged" }),
    );
    await expectError(wrong, 403, "INVALID_INAPP_TOKEN");
    const inBody = await generate(
      post(`/oauth2/onetime/generate${q}`, { userId: 3006, inappToken }),
    );
    expect(inBody.status).toBe(200);
    const inQuery = await generate(
      post(`/oauth2/onetime/generate${q}&inappToken=${encodeURIComponent(inappToken)}`, {
        userId: 3006,
      }),
    );
    expect(inQuery.status).toBe(200);
  });
});

// Last in this file: it spends the quarter hour's budget of wrong passwords.
describe("POST /oauth2/crmApiToken throttling", () => {
  it("checks at most 10 wrong passwords per quarter hour, also when 30 arrive at once, then refuses with 429 unchecked", async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        crmApiToken(
          post(
            "/oauth2/crmApiToken",
            { password: `guess-${i}` },
            {
              headers: { "content-type": "application/json", "x-forwarded-for": `198.51.100.${i}` },
            },
          ),
        ),
      ),
    );
    const statuses = answers.map((r) => r.status);
    // Earlier tests in this file spent a few of the 10.
    expect(statuses.filter((s) => s === 403).length).toBeLessThanOrEqual(CRM_PASSWORD_MAX_FAILURES);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(
      30 - CRM_PASSWORD_MAX_FAILURES,
    );
    expect(statuses.every((s) => s === 403 || s === 429)).toBe(true);
    const right = await crmApiToken(
      post("/oauth2/crmApiToken", { password: "crm-password-for-tests" }),
    );
    expect(right.status).toBe(429);
    expect(await right.json()).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    const later = new Date(Date.now() + CRM_PASSWORD_WINDOW_MS + 1000);
    await expect(
      requestCrmApiToken("crm-password-for-tests", "cTrader", later),
    ).resolves.toMatchObject({
      crmApiToken: expect.stringMatching(/^c1\./),
    });
  });
});
