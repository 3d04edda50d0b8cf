/**
 * "Continue in a new window": Safari (without CHIPS) drops our session cookie inside cTrader
 * Web's cross-site iframe, so the screen after the launch's 303 knew no session and said
 * "expired" on every launch. The landing URL now carries a one-use code; the framed screen
 * without its cookie offers the verification in a new window, whose form post opens the same
 * case with a first-party cookie. The code stops working once used, once its own cookie came
 * back, after RESUME_MINUTES, and it is never offered outside a frame.
 */
import "../../helpers/language-from-request";
import { NextRequest } from "next/server";
import { sql } from "drizzle-orm";
import { captureLogs } from "../../helpers/log-capture";
import { proxy } from "@/proxy";
import KycPage from "@/app/inapp/kyc/page";
import UploadPage from "@/app/inapp/kyc/upload/page";
import StatusPage from "@/app/inapp/kyc/status/page";
import { POST as resumeRoute } from "@/app/api/inapp/resume/route";
import { describeResume, resumeSession } from "@/lib/identity/resume";
import { RESUME_MINUTES, resolveSession } from "@/lib/identity/sessions";
import { browserHeaders, setTraderCookie, TRADER_COOKIE } from "../../helpers/request-scope";
import { hiddenFieldsOf, renderPage, textOf } from "../../helpers/render-page";
import de from "@/messages/de.json";
import { Trader } from "../../scenarios/support/people";
import { BROKER, scenarioWorld } from "../../scenarios/support/world";

const world = scenarioWorld();

let nextUser = 52_000;

type Launched = { trader: Trader; landing: URL; cookie: string };

/** cTrader Web opens a screen in its iframe (German, dark); the launch answers 303 + cookie. */
async function launch(
  screen: "kyc" | "upload" | "status" = "kyc",
  query: Record<string, string> = {},
): Promise<Launched> {
  const trader = new Trader(world(), nextUser++, "de");
  const landing = new URL(
    await trader.launch(screen, { theme: "dark", source: "Web", ...query }),
    BROKER,
  );
  return { trader, landing, cookie: trader.cookies.get(TRADER_COOKIE)! };
}

const PAGES = { kyc: KycPage, upload: UploadPage, status: StatusPage };

/**
 * The landing screen as the browser asks for it after the 303: through proxy.ts (which retires
 * the code when the cookie came along), then the page, with or without the cookie, framed or not.
 */
async function land(
  landing: URL,
  { cookie, dest, site }: { cookie?: string; dest: "iframe" | "document"; site?: string },
): Promise<string> {
  const headers: Record<string, string> = { host: "broker.test", "sec-fetch-dest": dest };
  if (site) headers["sec-fetch-site"] = site;
  if (cookie) headers.cookie = `${TRADER_COOKIE}=${cookie}`;
  const answered = await proxy(new NextRequest(landing, { headers }));
  expect(answered.status).toBe(200);
  setTraderCookie(cookie);
  browserHeaders.set("sec-fetch-dest", dest);
  if (site) browserHeaders.set("sec-fetch-site", site);
  const lang = landing.searchParams.get("lang");
  if (lang) browserHeaders.set("x-kyc-lang", lang);
  const screen = landing.pathname.endsWith("/upload")
    ? "upload"
    : landing.pathname.endsWith("/status")
      ? "status"
      : "kyc";
  const query = Object.fromEntries(landing.searchParams);
  try {
    return await renderPage(PAGES[screen]({ searchParams: Promise.resolve(query) }));
  } finally {
    browserHeaders.clear();
    setTraderCookie(undefined);
  }
}

/** The offer's form, as the page wrote it: a post to the resume route in a new window. */
function offerForm(html: string): Record<string, string> {
  const form = /<form [^>]*>[\s\S]*?data-testid="resume-continue"/.exec(html)?.[0] ?? "";
  expect(form).toContain('action="/api/inapp/resume"');
  expect(form).toContain('method="post"');
  expect(form).toContain('target="_blank"');
  return hiddenFieldsOf(html, "resume-continue");
}

/** The offer's button, as the new window's navigation sends it (a same-origin form post). */
const click = (
  fields: Record<string, string>,
  headers: Record<string, string> = {
    origin: "https://broker.test",
    host: "broker.test",
    "sec-fetch-site": "same-origin",
  },
) =>
  resumeRoute(
    new Request("https://broker.test/api/inapp/resume", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
    }),
  );

const cookieOf = (response: Response) =>
  /__Host-kyc_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];

describe("a browser that drops the cookie in cTrader Web's iframe", () => {
  it("lands with a one-use code and the screen's language, theme and source", async () => {
    const { landing } = await launch("kyc", { lang: "de" });
    expect(landing.pathname).toBe("/inapp/kyc");
    expect(landing.searchParams.get("resume")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(landing.searchParams.get("lang")).toBe("de");
    expect(landing.searchParams.get("theme")).toBe("dark");
    expect(landing.searchParams.get("source")).toBe("Web");
    expect(landing.searchParams.has("token")).toBe(false);
  });

  it("offers the verification in a new window, in the trader's language, naming the account", async () => {
    const { trader, landing } = await launch();
    const html = await land(landing, { dest: "iframe" });
    const text = textOf(html);
    expect(text).toContain("In einem neuen Fenster fortfahren");
    expect(text).toContain(`•••${String(7_000_000 + trader.userId).slice(-3)}`);
    expect(html).not.toContain('data-testid="expired-screen"');
    expect(offerForm(html)).toEqual({
      resume: landing.searchParams.get("resume"),
      screen: "kyc",
      documentType: "",
      lang: "de",
    });
  });

  it("opens the same case in the new window, once, and ends the framed session", async () => {
    const { trader, landing, cookie: framed } = await launch();
    const caseId = (await trader.currentCase()).id;
    const fields = offerForm(await land(landing, { dest: "iframe" }));

    const opened = await click(fields);
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe("/inapp/kyc");
    const cookie = cookieOf(opened)!;
    const session = await resolveSession(cookie);
    expect(session).toMatchObject({ caseId, locale: "de", theme: "dark", source: "Web" });
    expect(await resolveSession(framed)).toBeUndefined();
    // The new window is top level: its cookie arrives and the screen is the verification.
    const screen = await land(new URL("/inapp/kyc", BROKER), { cookie, dest: "document" });
    expect(screen).not.toContain('data-testid="expired-screen"');
    expect(screen).not.toContain('data-testid="resume-offer"');
    expect(screen).toContain('data-testid="personal-form"');

    // A second click (or anyone replaying the form) opens nothing.
    const again = await click(fields);
    expect(again.headers.get("location")).toBe("/inapp/expired?reason=expired&lang=de");
    expect(cookieOf(again)).toBeUndefined();
    expect(textOf(await land(landing, { dest: "iframe" }))).toContain("abgelaufen");
  });

  it("says unavailable while sessions cannot be read, and logs the failure's facts, not its SQL", async () => {
    const { landing } = await launch();
    const fields = offerForm(await land(landing, { dest: "iframe" }));
    const db = world().db.db;
    const logs = captureLogs();
    await db.execute(sql.raw("alter table sessions rename to sessions_down"));
    let answer: Response;
    try {
      answer = await click(fields);
    } finally {
      await db.execute(sql.raw("alter table sessions_down rename to sessions"));
      logs.stop();
    }
    expect(answer.headers.get("location")).toBe("/inapp/expired?reason=unavailable&lang=de");
    const logged = logs.lines.filter((l) => l.includes("resume.redeem_failed"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('"errorCode":"42P01"');
    // The statement quotes the code's hash and the session's ids: none of it is logged.
    expect(logged[0]).not.toMatch(/select|update|insert|params/i);
    // The code was not spent: with the table back, it opens the case.
    expect((await click(fields)).headers.get("location")).toBe("/inapp/kyc");
  });

  it("opens one session for two clicks at once, and the other window says expired", async () => {
    const { landing } = await launch();
    const fields = offerForm(await land(landing, { dest: "iframe" }));
    const answers = await Promise.all([click(fields), click(fields)]);
    const locations = answers.map((a) => a.headers.get("location")).sort();
    expect(locations).toEqual(["/inapp/expired?reason=expired&lang=de", "/inapp/kyc"]);
    const cookies = answers.map(cookieOf).filter((c) => c !== undefined);
    expect(cookies).toHaveLength(1);
    expect(await resolveSession(cookies[0])).toBeDefined();
  });

  it("keeps the upload screen and its document type", async () => {
    const { landing } = await launch("upload", { documentType: "address" });
    expect(landing.pathname).toBe("/inapp/kyc/upload");
    expect(landing.searchParams.get("documentType")).toBe("address");
    const fields = offerForm(await land(landing, { dest: "iframe" }));
    expect(fields).toMatchObject({ screen: "upload", documentType: "address" });
    const opened = await click(fields);
    expect(opened.headers.get("location")).toBe("/inapp/kyc/upload?documentType=address");
  });

  it("lands on the verification screen when the form names no screen or document type of ours", async () => {
    const { landing } = await launch();
    const fields = offerForm(await land(landing, { dest: "iframe" }));
    const opened = await click({ ...fields, screen: "constructor", documentType: "../admin" });
    expect(opened.headers.get("location")).toBe("/inapp/kyc");
    expect(cookieOf(opened)).toBeDefined();
  });

  it("offers it on the status screen too", async () => {
    const { landing } = await launch("status");
    const fields = offerForm(await land(landing, { dest: "iframe" }));
    expect(fields.screen).toBe("status");
    expect((await click(fields)).headers.get("location")).toBe("/inapp/kyc/status");
  });
});

describe("the code opens nothing where it is not needed", () => {
  it("is retired as soon as its own cookie comes back with it", async () => {
    const { landing, cookie } = await launch();
    const code = landing.searchParams.get("resume")!;
    const html = await land(landing, { cookie, dest: "iframe" });
    expect(html).toContain('data-testid="personal-form"');
    // The same URL, without the cookie, from the frame's history: expired, and the form is dead.
    expect(await land(landing, { dest: "iframe" })).toContain('data-testid="expired-screen"');
    const replay = await click({ resume: code, screen: "kyc", documentType: "", lang: "de" });
    expect(replay.headers.get("location")).toBe("/inapp/expired?reason=expired&lang=de");
  });

  it("is not retired by another session's cookie", async () => {
    const { landing } = await launch();
    const other = await launch();
    await land(landing, { cookie: other.cookie, dest: "iframe" });
    expect(await land(landing, { dest: "iframe" })).toContain('data-testid="resume-offer"');
  });

  it("is never offered outside a frame: a forwarded landing URL opens the expired screen", async () => {
    const { landing } = await launch();
    const html = await land(landing, { dest: "document" });
    expect(html).toContain('data-testid="expired-screen"');
    expect(html).not.toContain("/api/inapp/resume");
    // ...and stays usable in the frame it belongs to.
    expect(await land(landing, { dest: "iframe" })).toContain('data-testid="resume-offer"');
  });

  it("refuses a cross-site post and any body that is not our form", async () => {
    const { landing } = await launch();
    const fields = offerForm(await land(landing, { dest: "iframe" }));
    const crossSite = await click(fields, {
      origin: "https://attacker.example",
      host: "broker.test",
      "sec-fetch-site": "cross-site",
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: "Forbidden", code: "CROSS_SITE" });
    const json = await resumeRoute(
      new Request("https://broker.test/api/inapp/resume", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: "https://broker.test",
          host: "broker.test",
          "sec-fetch-site": "same-origin",
        },
        body: JSON.stringify(fields),
      }),
    );
    expect(json.status).toBe(415);
    // Neither spent the code.
    expect((await click(fields)).status).toBe(303);
  });

  it("works for RESUME_MINUTES, and not after", async () => {
    const { landing } = await launch();
    const code = landing.searchParams.get("resume")!;
    const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);
    expect((await describeResume(code, later(RESUME_MINUTES - 1))).ok).toBe(true);
    expect((await describeResume(code, later(RESUME_MINUTES + 1))).ok).toBe(false);
    expect((await resumeSession(code, "kyc", later(RESUME_MINUTES + 1))).ok).toBe(false);
    // Not spent by the late try: in time, it still opens the session.
    expect((await resumeSession(code, "kyc", later(RESUME_MINUTES - 1))).ok).toBe(true);
  });

  it("ends with the session: a later entry of the same trader revokes it, and the code with it", async () => {
    const first = await launch();
    const trader = first.trader;
    // The trader launches again (another device): the first session, and its code, are gone.
    await trader.launch("kyc", { theme: "dark", source: "Web" });
    expect(await land(first.landing, { dest: "iframe" })).toContain('data-testid="expired-screen"');
  });

  it("is not handed out for a refused launch", async () => {
    const response = await proxy(
      new NextRequest(`${BROKER}/inapp/kyc?token=never-issued&lang=de`, {
        headers: { host: "broker.test" },
      }),
    );
    expect(response.status).toBe(303);
    const refused = new URL(response.headers.get("location")!, BROKER);
    expect(refused.pathname + refused.search).toBe("/inapp/expired?reason=expired&lang=de");
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

/**
 * A launch URL opened at top level from another site may be someone else's, sent so that the
 * trader's documents land in the sender's verification. Its session starts without the cookie;
 * the screen names the account and asks first.
 */
describe("a launch another site sent the browser to", () => {
  /** The launch as the browser sends it: the token URL, top level, with its fetch metadata. */
  async function launchAtTopLevel(fetchMetadata: Record<string, string>) {
    const trader = new Trader(world(), nextUser++, "de");
    const token = world().issueToken(trader.userId);
    const response = await proxy(
      new NextRequest(`${BROKER}/inapp/kyc?token=${token}&lang=de&source=Web`, {
        headers: { host: "broker.test", ...fetchMetadata },
      }),
    );
    expect(response.status).toBe(303);
    return {
      trader,
      landing: new URL(response.headers.get("location")!, BROKER),
      cookie: cookieOf(response),
    };
  }
  const crossSite = { "sec-fetch-dest": "document", "sec-fetch-site": "cross-site" };

  it("sets no cookie, names the account and opens the case only when the trader says it is theirs", async () => {
    const { trader, landing, cookie } = await launchAtTopLevel(crossSite);
    expect(cookie).toBeUndefined();
    expect(landing.searchParams.get("resume")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const html = await land(landing, { dest: "document", site: "cross-site" });
    expect(html).toContain('data-testid="launch-check"');
    expect(html).not.toContain('data-testid="personal-form"');
    const text = textOf(html);
    expect(text).toContain(de.LaunchCheck.title);
    expect(text).toContain(de.Handoff.warning);
    expect(text).toContain(`•••${String(7_000_000 + trader.userId).slice(-3)}`);
    // The button opens the case here, in this window: no new window at top level.
    const form = /<form [^>]*>[\s\S]*?data-testid="resume-continue"/.exec(html)?.[0] ?? "";
    expect(form).toContain('action="/api/inapp/resume"');
    expect(form).not.toContain("target=");
    const opened = await click(hiddenFieldsOf(html, "resume-continue"));
    expect(opened.headers.get("location")).toBe("/inapp/kyc");
    const session = await resolveSession(cookieOf(opened)!);
    expect(session).toMatchObject({ caseId: (await trader.currentCase()).id, locale: "de" });
    const screen = await land(new URL("/inapp/kyc", BROKER), {
      cookie: cookieOf(opened),
      dest: "document",
      site: "same-origin",
    });
    expect(screen).toContain('data-testid="personal-form"');
  });

  it("asks the same after a launch from a sibling subdomain", async () => {
    const { landing, cookie } = await launchAtTopLevel({
      "sec-fetch-dest": "document",
      "sec-fetch-site": "same-site",
    });
    expect(cookie).toBeUndefined();
    expect(await land(landing, { dest: "document", site: "same-site" })).toContain(
      'data-testid="launch-check"',
    );
  });

  it("signs nobody in from another site's script, image or object: no cookie, nothing to show", async () => {
    for (const fetchMetadata of [
      { "sec-fetch-dest": "empty", "sec-fetch-site": "same-site" },
      { "sec-fetch-dest": "image", "sec-fetch-site": "cross-site" },
      { "sec-fetch-dest": "object", "sec-fetch-site": "same-site" },
    ]) {
      const { landing, cookie } = await launchAtTopLevel(fetchMetadata);
      expect(cookie).toBeUndefined();
      // Opened afterwards at top level from the app or the address bar: nothing is open.
      expect(
        await land(new URL("/inapp/kyc", BROKER), { dest: "document", site: "none" }),
      ).toContain('data-testid="expired-screen"');
      expect(landing.searchParams.get("resume")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it("keeps the cookie for the apps' own launches, cTrader Web's frame and browsers without fetch metadata", async () => {
    for (const fetchMetadata of [
      { "sec-fetch-dest": "document", "sec-fetch-site": "none" } as Record<string, string>,
      { "sec-fetch-dest": "document", "sec-fetch-site": "same-origin" },
      { "sec-fetch-dest": "iframe", "sec-fetch-site": "cross-site" },
      {},
    ]) {
      const { landing, cookie } = await launchAtTopLevel(fetchMetadata);
      expect(cookie).toBeDefined();
      expect(await land(landing, { cookie, dest: "document" })).toContain(
        'data-testid="personal-form"',
      );
    }
  });

  it("a landing URL opened from mail or chat (no other site) still shows the expired screen", async () => {
    const { landing } = await launchAtTopLevel(crossSite);
    const html = await land(landing, { dest: "document", site: "none" });
    expect(html).toContain('data-testid="expired-screen"');
    expect(html).not.toContain("/api/inapp/resume");
  });

  it("a screen that has the trader's own session shows it, not the check", async () => {
    const own = await launch();
    const { landing } = await launchAtTopLevel(crossSite);
    const html = await land(landing, { cookie: own.cookie, dest: "document", site: "cross-site" });
    expect(html).toContain('data-testid="personal-form"');
    expect(html).not.toContain('data-testid="launch-check"');
  });
});
