import { and, count, eq, sql } from "drizzle-orm";
import { configuredRedeemer } from "@/lib/identity/ctrader-redeem";
import { parseEnv } from "@/lib/env";
import { enterWithToken } from "@/lib/identity/entry";
import { entryResponse, landingUrl, refusalUrl } from "@/lib/inapp/entry";
import { parseScreenParams, type Screen } from "@/lib/inapp/params";
import { sessionCookie } from "@/lib/inapp/session-cookie";
import { auditEvents, kycCases, sessions, traders } from "@/lib/db/schema";
import { generateOneTimeToken } from "@/lib/identity/sso";
import { resolveSession } from "@/lib/identity/sessions";
import { setTestEnv } from "../../helpers/env";
import { captureLogs } from "../../helpers/log-capture";
import { withDbAndCtrader } from "../../helpers/harness";
import {
  delay,
  HttpResponse,
  identity,
  stubRedeem,
  ctraderNotFound,
} from "../../helpers/ctrader-stub";

const db = withDbAndCtrader();

const params = (query: string) => parseScreenParams(new URLSearchParams(query));

/** The entry as the screen layer runs it: identity's answer with the landing URL and cookie. */
async function enter(
  screen: Screen,
  parsed: ReturnType<typeof params> & { browserLang?: string },
  now?: Date,
) {
  const result = await enterWithToken(
    { ...parsed, screen },
    async () => configuredRedeemer()!,
    now,
  );
  return result.ok
    ? {
        ...result,
        location: landingUrl(screen, parsed.documentType),
        cookie: sessionCookie(result.session),
      }
    : { ...result, location: refusalUrl(result.refusal, parsed) };
}
const countSessions = async () =>
  Number((await db().db.select({ n: count() }).from(sessions))[0]?.n ?? 0);

describe("entry with a one-time token (handoff mode)", () => {
  it("redeems the token, creates trader, case and session, and lands on the same screen without the token", async () => {
    stubRedeem(() => HttpResponse.json(identity(501)));
    const result = await enter(
      "kyc",
      params("token=tok-501&lang=de&theme=dark&source=ios&kycType=enhanced"),
    );
    expect(result).toMatchObject({ ok: true, location: "/inapp/kyc" });
    if (!result.ok) throw new Error("unreachable");
    expect(result.cookie).toMatchObject({
      name: "__Host-kyc_session",
      httpOnly: true,
      secure: true,
      sameSite: "none",
      partitioned: true,
      path: "/",
    });
    const session = await resolveSession(result.cookie.value);
    expect(session).toMatchObject({ locale: "de", theme: "dark", source: "iOS" });
    const [trader] = await db().db.select().from(traders).where(eq(traders.ctraderUserId, 501));
    expect(trader).toMatchObject({
      email: "trader501@example.com",
      tradingLogin: 9_000_501,
      preferredLocale: "de",
    });
    const [kycCase] = await db()
      .db.select()
      .from(kycCases)
      .where(eq(kycCases.traderId, trader!.id));
    expect(kycCase).toMatchObject({ level: "enhanced", status: "draft" });
    const audit = await db()
      .db.select()
      .from(auditEvents)
      .where(eq(auditEvents.traderId, trader!.id));
    expect(audit.map((a) => a.action)).toContain("session.started");
  });

  it("keeps documentType on the upload screen's landing URL and nothing else", async () => {
    stubRedeem(() => HttpResponse.json(identity(502)));
    const result = await enter(
      "upload",
      params("token=tok-502&documentType=address&lang=fr&utm_source=x"),
    );
    expect(result).toMatchObject({ ok: true, location: "/inapp/kyc/upload?documentType=address" });
  });

  it("stores the session id only as a hash", async () => {
    stubRedeem(() => HttpResponse.json(identity(503)));
    const result = await enter("status", params("token=tok-503"));
    if (!result.ok) throw new Error("entry failed");
    const rows = await db().db.select().from(sessions);
    expect(rows.some((r) => r.idHash === result.cookie.value)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.idHash))).toBe(true);
  });

  it("refuses a token that was already redeemed, even when cTrader would accept it again", async () => {
    const seen = stubRedeem(() => HttpResponse.json(identity(504)));
    expect((await enter("kyc", params("token=tok-504"))).ok).toBe(true);
    const replay = await enter("kyc", params("token=tok-504&lang=es"));
    expect(replay).toEqual({
      ok: false,
      refusal: "expired",
      location: "/inapp/expired?reason=expired&lang=es",
    });
    expect(seen).toHaveLength(1);
  });

  it("creates exactly one session when 20 requests race with the same token", async () => {
    const seen = stubRedeem(async () => {
      await delay(20);
      return HttpResponse.json(identity(505));
    });
    const before = await countSessions();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => enter("kyc", params("token=tok-race-505"))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.refusal === "expired")).toHaveLength(19);
    expect((await countSessions()) - before).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it("shows 'expired' for a token cTrader does not know, and 'unavailable' when cTrader fails", async () => {
    stubRedeem(() => ctraderNotFound());
    expect(await enter("kyc", params("token=tok-gone"))).toMatchObject({
      ok: false,
      refusal: "expired",
    });
    stubRedeem(() => HttpResponse.json({}, { status: 401 }));
    expect(await enter("kyc", params("token=tok-401"))).toMatchObject({
      ok: false,
      refusal: "unavailable",
    });
    stubRedeem(() => HttpResponse.json({ userId: "nope" }));
    expect(await enter("kyc", params("token=tok-bad-body"))).toMatchObject({
      ok: false,
      refusal: "unavailable",
    });
  });

  it("shows 'expired' for cTrader's 410 (expired) and 417 (no such token), and spends the token", async () => {
    for (const [status, code] of [
      [410, "CID_TOKEN_EXPIRED"],
      [417, "CID_NON_EXISTED_TOKEN"],
    ] as const) {
      const seen = stubRedeem(() => ctraderNotFound(status, code));
      const query = params(`token=tok-${status}&lang=de`);
      expect(await enter("kyc", query)).toMatchObject({
        ok: false,
        refusal: "expired",
        location: refusalUrl("expired", query),
      });
      // A reload is not sent to cTrader again: the token is spent.
      expect(await enter("kyc", query)).toMatchObject({ ok: false, refusal: "expired" });
      expect(seen).toHaveLength(1);
    }
  });

  it("reads a 404 page that is not cTrader's, and a refused manager token, as our misconfiguration", async () => {
    const logs = captureLogs();
    try {
      // A wrong CTRADER_REDEEM_PATH or base URL: a web server's HTML 404, not cTrader's JSON.
      const seen = stubRedeem(
        () =>
          new HttpResponse("<html><body><h1>404 Not Found</h1></body></html>", {
            status: 404,
            headers: { "content-type": "text/html" },
          }),
      );
      expect(await enter("kyc", params("token=tok-html-404"))).toMatchObject({
        ok: false,
        refusal: "unavailable",
      });
      // cTrader never saw the token: once the path is fixed, a reload gets in.
      stubRedeem(() => HttpResponse.json(identity(512)));
      expect(await enter("kyc", params("token=tok-html-404"))).toMatchObject({ ok: true });
      expect(seen).toHaveLength(1);
      // A refused manager token: cTrader never read the trader's token, so a reload reaches
      // cTrader again instead of reading "expired", and gets in once the token is fixed.
      const refused = stubRedeem(() =>
        HttpResponse.json({ error: "Unauthorized" }, { status: 401 }),
      );
      expect(await enter("kyc", params("token=tok-401-mgr"))).toMatchObject({
        ok: false,
        refusal: "unavailable",
      });
      stubRedeem(() => HttpResponse.json({ error: "Forbidden" }, { status: 403 }));
      expect(await enter("kyc", params("token=tok-401-mgr"))).toMatchObject({
        ok: false,
        refusal: "unavailable",
      });
      stubRedeem(() => HttpResponse.json(identity(514)));
      expect(await enter("kyc", params("token=tok-401-mgr"))).toMatchObject({ ok: true });
      expect(refused).toHaveLength(1);
    } finally {
      logs.stop();
    }
    const misconfigured = logs.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.event === "ctrader.redeem.misconfigured");
    expect(misconfigured).toEqual([
      expect.objectContaining({ level: "error", reason: "upstream_error", status: 404 }),
      expect.objectContaining({ level: "error", reason: "unauthorized", status: 401 }),
      expect.objectContaining({ level: "error", reason: "forbidden", status: 403 }),
    ]);
  });

  it("shows 'unavailable' when cTrader answers after CTRADER_TIMEOUT_MS, and lets the token be tried again", async () => {
    setTestEnv({ CTRADER_TIMEOUT_MS: "200" });
    let slow = true;
    let slowAnswered = false;
    const seen = stubRedeem(async () => {
      if (slow) {
        await delay(3000);
        slowAnswered = true;
      }
      return HttpResponse.json(identity(513));
    });
    expect(await enter("kyc", params("token=tok-slow"))).toMatchObject({
      ok: false,
      refusal: "unavailable",
    });
    // The deadline holds: the trader is answered while cTrader still holds its answer.
    expect(slowAnswered).toBe(false);
    // The claim was released: cTrader may not have consumed the token, so another request with
    // it reaches cTrader again.
    slow = false;
    expect(await enter("kyc", params("token=tok-slow"))).toMatchObject({ ok: true });
    expect(seen).toHaveLength(2);
  });

  it("lets in a launch whose token names no trading login, and keeps the login the trader had", async () => {
    stubRedeem(() => HttpResponse.json(identity(510)));
    await enter("kyc", params("token=tok-510a"));
    const login = identity(510).tradingLogin;
    stubRedeem(() => HttpResponse.json({ userId: "510", email: "trader510@example.com" }));
    // The URL names the login the trader had; this token confirms none, so the case takes none.
    const result = await enter("kyc", params(`token=tok-510b&account=${login}`));
    if (!result.ok) throw new Error("the launch was refused");
    const [trader] = await db().db.select().from(traders).where(eq(traders.ctraderUserId, 510));
    expect(trader?.tradingLogin).toBe(login);
    const [kycCase] = await db().db.select().from(kycCases).where(eq(kycCases.id, result.caseId));
    expect(kycCase?.account).toBeNull();
  });

  it("keeps the trader's language when a launch names none, or one we do not ship", async () => {
    stubRedeem(() => HttpResponse.json(identity(509)));
    await enter("kyc", params("token=tok-509a&lang=de"));
    for (const query of ["token=tok-509b", "token=tok-509c&lang=he"]) {
      const result = await enter("kyc", params(query));
      if (!result.ok) throw new Error("the launch was refused");
      expect(await resolveSession(result.cookie.value)).toMatchObject({ locale: "de" });
    }
    // Android's legacy code for Indonesian is Indonesian.
    const android = await enter("kyc", params("token=tok-509d&lang=in"));
    if (!android.ok) throw new Error("the launch was refused");
    expect(await resolveSession(android.cookie.value)).toMatchObject({ locale: "id" });
    const [trader] = await db().db.select().from(traders).where(eq(traders.ctraderUserId, 509));
    expect(trader?.preferredLocale).toBe("id");
  });

  it("lets a reload retry after cTrader was down, because the token may not have been consumed", async () => {
    stubRedeem(() => HttpResponse.json({}, { status: 503 }));
    expect(await enter("kyc", params("token=tok-retry"))).toMatchObject({
      ok: false,
      refusal: "unavailable",
    });
    stubRedeem(() => HttpResponse.json(identity(506)));
    expect(await enter("kyc", params("token=tok-retry"))).toMatchObject({ ok: true });
  });

  it("refuses a missing or absurdly long token without calling cTrader", async () => {
    const seen = stubRedeem(() => HttpResponse.json(identity()));
    expect(await enter("kyc", params("lang=de"))).toMatchObject({
      ok: false,
      refusal: "expired",
    });
    expect(await enter("kyc", params(`token=${"x".repeat(3000)}`))).toMatchObject({
      ok: false,
      refusal: "expired",
    });
    expect(seen).toHaveLength(0);
  });

  it("records a changed email, trading login or language on a later visit", async () => {
    stubRedeem(() => HttpResponse.json(identity(508)));
    await enter("kyc", params("token=tok-508a&lang=en"));
    stubRedeem(() =>
      HttpResponse.json({ userId: 508, email: "new508@example.com", tradingLogin: 77 }),
    );
    await enter("kyc", params("token=tok-508b&lang=en"));
    await enter("kyc", params("token=tok-508c&lang=it"));
    const [trader] = await db().db.select().from(traders).where(eq(traders.ctraderUserId, 508));
    expect(trader).toMatchObject({
      email: "new508@example.com",
      tradingLogin: 77,
      preferredLocale: "it",
    });
  });

  it("reuses the trader's open case on a second visit instead of opening another", async () => {
    stubRedeem(() => HttpResponse.json(identity(507)));
    await enter("kyc", params("token=tok-507a&kycType=basic"));
    await enter("kyc", params("token=tok-507b&kycType=enhanced"));
    const [trader] = await db().db.select().from(traders).where(eq(traders.ctraderUserId, 507));
    const cases = await db().db.select().from(kycCases).where(eq(kycCases.traderId, trader!.id));
    expect(cases).toHaveLength(1);
    expect(cases[0]?.level).toBe("basic");
  });
});

describe("entry with hostile launch parameters", () => {
  const land = async (query: string) => {
    const response = await entryResponse("kyc", new URL(`https://broker.test/inapp/kyc?${query}`));
    const location = response.headers.get("location");
    // The screen (its resume code and presentation are tests/app/inapp/resume.test.ts's).
    return location?.replace(/\?resume=[\w-]{43}&lang=[a-z]+$/, "");
  };

  it.each(["__proto__", "constructor"])(
    "opens the default level for kycType=%s instead of failing after the token was spent",
    async (kycType) => {
      const userId = 5_100 + kycType.length;
      stubRedeem(() => HttpResponse.json(identity(userId)));
      expect(await land(`token=tok-proto-${kycType}&kycType=${kycType}`)).toBe(
        "https://broker.test/inapp/kyc",
      );
      const [trader] = await db()
        .db.select()
        .from(traders)
        .where(eq(traders.ctraderUserId, userId));
      const [kycCase] = await db()
        .db.select()
        .from(kycCases)
        .where(eq(kycCases.traderId, trader!.id));
      expect(kycCase?.level).toBe("standard");
    },
  );

  it("drops NUL and other control characters from utm_* and still lands on the screen", async () => {
    stubRedeem(() => HttpResponse.json(identity(5_201)));
    expect(await land("token=tok-nul&utm_source=a%00b&utm_campaign=%00&utm_term=x%01%7Fy")).toBe(
      "https://broker.test/inapp/kyc",
    );
    const [trader] = await db().db.select().from(traders).where(eq(traders.ctraderUserId, 5_201));
    const [started] = await db()
      .db.select()
      .from(auditEvents)
      .where(and(eq(auditEvents.traderId, trader!.id), eq(auditEvents.action, "session.started")));
    expect(started?.data).toMatchObject({ utm: { utm_source: "ab", utm_term: "xy" } });
  });

  it("stores an email with a NUL byte from cTrader without it instead of failing after redemption", async () => {
    stubRedeem(() => HttpResponse.json({ ...identity(5_202), email: "a\u0000b@example.com" }));
    expect(await land("token=tok-nul-email")).toBe("https://broker.test/inapp/kyc");
    const [trader] = await db().db.select().from(traders).where(eq(traders.ctraderUserId, 5_202));
    expect(trader?.email).toBe("ab@example.com");
  });

  it("logs entry.failed with the error's code, never the SQL or the values", async () => {
    // A failure our input checks cannot foresee (here: a constraint the database adds).
    await db().db.execute(
      sql`alter table traders add constraint refuse_for_test check (email is distinct from 'private.person@fail.test')`,
    );
    try {
      stubRedeem(() =>
        HttpResponse.json({ ...identity(5_203), email: "private.person@fail.test" }),
      );
      const logs = captureLogs();
      let location: string | undefined;
      try {
        location = await land("token=tok-fails");
      } finally {
        logs.stop();
      }
      expect(location).toBe("https://broker.test/inapp/expired?reason=unavailable");
      const line = logs.lines.find((l) => l.includes('"entry.failed"'));
      expect(line).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ screen: "kyc", errorCode: "23514" });
      expect(line).not.toMatch(/private\.person|insert into|traders/i);
    } finally {
      await db().db.execute(sql`alter table traders drop constraint refuse_for_test`);
    }
  });
});

describe("entry with our own token (SSO mode)", () => {
  beforeEach(() =>
    setTestEnv({
      IDENTITY_MODE: "sso",
      CTRADER_API_URL: undefined,
      CTRADER_MANAGER_TOKEN: undefined,
    }),
  );

  it("accepts a token from /oauth2/onetime/generate once and refuses it the second time", async () => {
    const { token } = await generateOneTimeToken({ userId: 808 });
    const first = await enter("kyc", params(`token=${token}&lang=ar`));
    expect(first).toMatchObject({ ok: true, location: "/inapp/kyc" });
    expect(await enter("kyc", params(`token=${token}`))).toMatchObject({
      ok: false,
      refusal: "expired",
    });
  });

  it("never takes the launch's account: nothing in SSO mode confirms a login", async () => {
    const { token } = await generateOneTimeToken({ userId: 810 });
    const result = await enter("kyc", params(`token=${token}&account=4400811`));
    if (!result.ok) throw new Error("the launch was refused");
    const [kycCase] = await db().db.select().from(kycCases).where(eq(kycCases.id, result.caseId));
    expect(kycCase?.account).toBeNull();
    expect(() =>
      parseEnv({
        NODE_ENV: "development",
        IDENTITY_MODE: "sso",
        CTRADER_API_URL: "https://ctrader.example",
        CTRADER_MANAGER_TOKEN: "m",
        CTRADER_ACCOUNT_UPDATE: "1",
      }),
    ).toThrow(/CTRADER_ACCOUNT_UPDATE: .*SSO mode/);
  });

  it("speaks the webview's language at the first launch of a trader SSO enrolled, and keeps it after", async () => {
    // cTrader asks for a token before the trader's first screen: we enrol them, in no language
    // of theirs yet.
    const launch = async (browserLang: string) => {
      const { token } = await generateOneTimeToken({ userId: 811 });
      const result = await enter("kyc", { ...params(`token=${token}`), browserLang });
      if (!result.ok) throw new Error("the launch was refused");
      return (await resolveSession(result.cookie.value))?.locale;
    };
    expect(await launch("pt")).toBe("pt");
    // Known now: another webview's language does not change it.
    expect(await launch("de")).toBe("pt");
  });

  it("refuses an SSO token after its 60-second lifetime", async () => {
    const issued = new Date("2026-01-01T10:00:00Z");
    const { token } = await generateOneTimeToken({ userId: 809 }, issued);
    const late = new Date(issued.getTime() + 61_000);
    expect(await enter("kyc", params(`token=${token}`), late)).toMatchObject({
      ok: false,
      refusal: "expired",
    });
  });
});
