/**
 * "Continue on your phone": the QR link opens the same case's upload step in another browser,
 * once, for a few minutes, and only while the case still takes documents.
 */
import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { PHONE_HANDOFF_MINUTES } from "@/lib/identity/phone-handoff";
import { phoneHandoffLink } from "@/lib/inapp/handoff";
import { resolveSessionContext, startSession } from "@/lib/identity/sessions";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { setTraderCookie } from "../../helpers/request-scope";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextHeaders(),
);

import { POST as createHandoff } from "@/app/api/inapp/handoff/route";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

let nextUser = 41_000;
async function desktopSession() {
  const trader = await upsertTrader(
    { ctraderUserId: nextUser++, email: "h@example.com", tradingLogin: 3 },
    "de",
  );
  const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
  const session = await startSession({
    traderId: trader.id,
    caseId: kycCase.id,
    identityMode: "ot-handoff",
    locale: "de",
    theme: "dark",
    source: "Desktop",
    account: null,
  });
  setTraderCookie(session.id);
  return { trader, kycCase };
}

const post = (body: unknown, headers: Record<string, string> = {}) =>
  createHandoff(
    new Request("https://broker.test/api/inapp/handoff", {
      method: "POST",
      headers: { "content-type": "application/json", host: "broker.test", ...headers },
      body: JSON.stringify(body),
    }),
  );

const openOnPhone = (url: string) => proxy(new NextRequest(url, { method: "GET" }));

describe("phone handoff", () => {
  it("gives the desktop a link and QR code; the phone gets its own session on the upload step", async () => {
    const { trader, kycCase } = await desktopSession();
    const response = await post({ documentType: "identity" }, { origin: "https://broker.test" });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { url: string; qr: string; minutes: number };
    expect(body.minutes).toBe(PHONE_HANDOFF_MINUTES);
    expect(body.qr).toMatch(/^data:image\/png;base64,/);
    const link = new URL(body.url);
    expect(link.origin).toBe("https://broker.test");
    expect(link.pathname).toBe("/inapp/kyc/upload");
    expect(link.searchParams.get("documentType")).toBe("identity");
    expect(link.searchParams.get("lang")).toBe("de");

    const phone = await openOnPhone(body.url);
    expect(phone.status).toBe(303);
    expect(new URL(phone.headers.get("location") ?? "", link).pathname).toBe("/inapp/kyc/upload");
    const set = phone.headers.get("set-cookie") ?? "";
    const value = /__Host-kyc_session=([^;]+)/.exec(set)?.[1];
    const context = await resolveSessionContext(value);
    expect(context?.trader.id).toBe(trader.id);
    expect(context?.session.caseId).toBe(kycCase.id);
    expect(context?.session.identityMode).toBe("phone-handoff");

    // Single use: the same link again lands on the expired screen, without a session.
    const replay = await openOnPhone(body.url);
    expect(replay.headers.get("location")).toContain("/inapp/expired");
    expect(replay.headers.get("set-cookie")).toBeNull();
  });

  it("refuses an expired link and a forged one", async () => {
    const { trader, kycCase } = await desktopSession();
    const old = new Date(Date.now() - (PHONE_HANDOFF_MINUTES + 1) * 60_000);
    const expired = await phoneHandoffLink(
      {
        traderId: trader.id,
        caseId: kycCase.id,
        documentType: "address",
        locale: "en",
        theme: null,
        requestOrigin: "https://broker.test",
      },
      old,
    );
    expect((await openOnPhone(expired.url)).headers.get("location")).toContain("/inapp/expired");
    for (const forged of ["x", "<script>", "a".repeat(5000)]) {
      const r = await openOnPhone(
        `https://broker.test/inapp/kyc/upload?handoff=${encodeURIComponent(forged)}&documentType=identity`,
      );
      expect(r.status).toBe(303);
      expect(r.headers.get("location")).toContain("/inapp/expired");
    }
  });

  it("refuses once the case no longer takes documents", async () => {
    const { trader, kycCase } = await desktopSession();
    const link = await phoneHandoffLink({
      traderId: trader.id,
      caseId: kycCase.id,
      documentType: "identity",
      locale: "en",
      theme: null,
      requestOrigin: "https://broker.test",
    });
    // Force the case into review (completeness is not the point here).
    await changeCaseStatus({ kycCase, event: "submit", actor: { type: "trader", id: trader.id } });
    expect((await openOnPhone(link.url)).headers.get("location")).toContain("/inapp/expired");
  });

  it("refuses cross-site calls, a missing session and bad bodies without a 500", async () => {
    await desktopSession();
    expect((await post({ documentType: "identity" }, { origin: "https://evil.test" })).status).toBe(
      403,
    );
    expect(
      (await post({ documentType: "identity" }, { "sec-fetch-site": "cross-site" })).status,
    ).toBe(403);
    expect((await post({ documentType: "passport" })).status).toBe(400);
    expect((await post("not json")).status).toBe(400);
    setTraderCookie(undefined);
    expect((await post({ documentType: "identity" })).status).toBe(401);
  });
});
