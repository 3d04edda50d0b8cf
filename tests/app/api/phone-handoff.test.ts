/**
 * "Continue on your phone": the QR link opens a confirmation page that shows whose case it is
 * and spends nothing; the trader's click (a POST) redeems it, once, for a few minutes, while the
 * case still takes documents. The session it starts can use the documents API for that case and
 * document type only: no other document type, no further handoff, no status, no forms.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import QRCode from "qrcode";
import "../../scenarios/support/request-scope";
import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import {
  handoffFailureWords,
  phoneFollowResponse,
  phoneHandoffResponse,
} from "@/lib/identity/handoff-contract";
import {
  PHONE_HANDOFF_MINUTES,
  describePhoneHandoff as describeAt,
  maskEmail,
  maskLogin,
} from "@/lib/identity/phone-handoff";
import { handoffConfirmation, phoneHandoffLink } from "@/lib/inapp/handoff";
import { getScreenContext, getUploadContext } from "@/lib/inapp/screen-context";
import {
  PHONE_SESSION_MINUTES,
  phoneSessionMinutes,
  resolveSessionContext,
} from "@/lib/identity/sessions";
import { LOCALES } from "@/lib/i18n/config";
import en from "@/messages/en.json";
import { postAutosave } from "../../helpers/autosave";
import { continueStep } from "@/app/inapp/kyc/actions";
import { STEP_SAVE_REFUSAL_WORDS } from "@/lib/inapp/autosave-contract";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { POST as createHandoff, GET as followRoute } from "@/app/api/inapp/handoff/route";
import { POST as redeem } from "@/app/api/inapp/handoff/redeem/route";
import { POST as closeScreen } from "@/app/api/inapp/close/route";
import { GET as listSides, POST as startUpload } from "@/app/api/inapp/documents/route";
import { POST as confirm } from "@/app/api/inapp/documents/[id]/confirm/route";
import { GET as status } from "@/app/api/inapp/status/route";
import { GET as statusStream } from "@/app/api/inapp/status/stream/route";
import { setTraderCookie, TRADER_COOKIE } from "../../helpers/request-scope";
import { Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";
import { currentWindowRef } from "../../helpers/sessions";

const world = scenarioWorld();

const catalog = (locale: string) =>
  JSON.parse(readFileSync(path.join(process.cwd(), "messages", `${locale}.json`), "utf8")) as {
    Upload: Record<string, string>;
    Errors: Record<string, string>;
  };

let nextUser = 41_000;
/**
 * cTrader opens the KYC screen on the desktop (German, dark, for hannah.schmidt@example.com):
 * the session its launch set is the browser's cookie.
 */
async function desktopSession(userId = nextUser++) {
  const w = world();
  const trader = new Trader(w, userId, "de");
  w.setCtraderEmail(userId, "hannah.schmidt@example.com");
  await trader.launch("kyc", { kycType: "standard", theme: "dark", source: "Desktop" });
  const cookie = trader.cookies.get(TRADER_COOKIE)!;
  setTraderCookie(cookie);
  return { trader, kycCase: await trader.currentCase(), cookie };
}

const SAME_ORIGIN = { origin: "https://broker.test", host: "broker.test" };

const post = (body: unknown, headers: Record<string, string> = {}) =>
  createHandoff(
    new Request("https://broker.test/api/inapp/handoff", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        host: "broker.test",
        "x-kyc-window": currentWindowRef(),
        ...headers,
      },
      body: JSON.stringify(body),
    }),
  );

/** The confirmation page's button, as the phone's browser sends it. */
const click = (
  token: string,
  headers: Record<string, string> = { ...SAME_ORIGIN, "sec-fetch-site": "same-origin" },
  contentType = "application/x-www-form-urlencoded",
) =>
  redeem(
    new Request("https://broker.test/api/inapp/handoff/redeem", {
      method: "POST",
      headers: { "content-type": contentType, ...headers },
      body: new URLSearchParams({ handoff: token, lang: "de" }).toString(),
    }),
  );

const cookieOf = (response: Response) =>
  /__Host-kyc_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];

const tokenOf = (url: string) => new URL(url).searchParams.get("handoff")!;

async function linkFor(documentType = "identity") {
  const response = await post({ documentType }, { origin: "https://broker.test" });
  expect(response.status).toBe(201);
  return (await response.json()) as { url: string; qr: string; minutes: number };
}

const json = (body: unknown) => ({
  method: "POST",
  headers: {
    "content-type": "application/json",
    "x-kyc-window": currentWindowRef(),
    ...SAME_ORIGIN,
  },
  body: JSON.stringify(body),
});

describe("phone handoff", () => {
  it("the link opens a confirmation page showing the masked account; only the click redeems it", async () => {
    // cTrader's trading login for this user is 7_041_592.
    const { kycCase } = await desktopSession(41_592);
    const body = await linkFor();
    expect(body.minutes).toBe(PHONE_HANDOFF_MINUTES);
    // The picture is the QR code of the link itself (drawn again from the link, it is the same).
    expect(body.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    const svg = Buffer.from(body.qr.split(",")[1]!, "base64").toString();
    expect(svg).toBe(await QRCode.toString(body.url, { type: "svg", margin: 1, width: 240 }));
    const link = new URL(body.url);
    expect(link.origin).toBe("https://broker.test");
    expect(link.pathname).toBe("/inapp/handoff");
    expect(link.searchParams.get("lang")).toBe("de");
    const token = tokenOf(body.url);

    // A link-preview bot (or the trader) fetching the link, also in its old upload-screen form:
    // nothing is spent, no session is set.
    for (const url of [body.url, `https://broker.test/inapp/kyc/upload?handoff=${token}`]) {
      const fetched = await proxy(new NextRequest(url, { method: "GET" }));
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get("set-cookie")).toBeNull();
    }
    expect(await handoffConfirmation(token)).toEqual({
      ok: true,
      documentType: "identity",
      expiresAt: expect.any(Date),
      account: { login: "•••592", email: "h•••@e•••.com" },
    });

    const phone = await click(token);
    expect(phone.status).toBe(303);
    // A path, resolved by the phone against the page it posted from (never the server's own
    // idea of its address, which behind the standalone server is localhost).
    expect(phone.headers.get("location")).toBe("/inapp/kyc/upload?documentType=identity");
    const context = await resolveSessionContext(cookieOf(phone));
    expect(context?.trader.id).toBe(kycCase.traderId);
    expect(context?.session.caseId).toBe(kycCase.id);
    expect(context?.session.identityMode).toBe("phone-handoff");
    expect(context?.session.documentScope).toBe("identity");
    const lifetime = context!.session.expiresAt.getTime() - context!.session.createdAt.getTime();
    expect(lifetime).toBe(PHONE_SESSION_MINUTES * 60_000);

    // Single use: the page now says expired, and a second click lands on the expired screen.
    expect(await handoffConfirmation(token)).toEqual({ ok: false, reason: "expired" });
    const replay = await click(token);
    expect(replay.headers.get("location")).toContain("/inapp/expired");
    expect(replay.headers.get("set-cookie")).toBeNull();
  });

  it("tells the desktop how long a phone session made from its link can upload: none until one is redeemed", async () => {
    const { cookie } = await desktopSession();
    const follow = async (documentType: string) => {
      const response = await followRoute(
        new Request(`https://broker.test/api/inapp/handoff?documentType=${documentType}`, {
          headers: { "x-kyc-window": currentWindowRef() },
        }),
      );
      expect(response.status).toBe(200);
      return phoneFollowResponse.parse(await response.json()).followInSeconds;
    };
    const link = phoneHandoffResponse.parse(
      await (await post({ documentType: "address" }, SAME_ORIGIN)).json(),
    );
    expect(await follow("address")).toBe(0);

    expect(cookieOf(await click(tokenOf(link.url)))).toBeDefined();
    setTraderCookie(cookie);
    const seconds = await follow("address");
    expect(seconds).toBeGreaterThan(phoneSessionMinutes() * 60 - 5);
    expect(seconds).toBeLessThanOrEqual(phoneSessionMinutes() * 60);
    // Only the document type the phone may upload.
    expect(await follow("identity")).toBe(0);

    const bad = await followRoute(
      new Request("https://broker.test/api/inapp/handoff?documentType=passport-photo", {
        headers: { "x-kyc-window": currentWindowRef() },
      }),
    );
    expect(bad.status).toBe(400);
  });

  it("tells the desktop when the link expires, in the shape its QR panel reads", async () => {
    await desktopSession();
    const before = Date.now();
    const response = await post({ documentType: "address" }, { origin: "https://broker.test" });
    const after = Date.now();
    expect(response.status).toBe(201);
    const body = phoneHandoffResponse.parse(await response.json());
    expect(body.expiresInSeconds).toBe(PHONE_HANDOFF_MINUTES * 60);
    const expiresAt = Date.parse(body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + PHONE_HANDOFF_MINUTES * 60_000);
    expect(expiresAt).toBeLessThanOrEqual(after + PHONE_HANDOFF_MINUTES * 60_000);
    // The server stops taking it then: the confirmation page says expired.
    const token = tokenOf(body.url);
    expect(await handoffConfirmation(token)).toMatchObject({ ok: true });
    expect(await describeAt(token, new Date(expiresAt + 1000))).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("the phone's session uploads that document type of that case, and nothing else", async () => {
    const desktop = await desktopSession();
    // A document of another type, started from the desktop.
    const other = await startUpload(
      new Request("https://broker.test/api/inapp/documents", {
        ...json({ documentType: "address", side: "page", contentType: "image/jpeg", size: 5000 }),
      }),
    );
    expect(other.status).toBe(201);
    const otherId = ((await other.json()) as { documentId: string }).documentId;

    const phone = cookieOf(await click(tokenOf((await linkFor("identity")).url)))!;
    setTraderCookie(phone);

    const sides = (type: string) =>
      listSides(new Request(`https://broker.test/api/inapp/documents?documentType=${type}`));
    expect((await sides("identity")).status).toBe(200);
    const refused = await sides("address");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ reason: "out_of_scope" });

    const start = (documentType: string, side: string) =>
      startUpload(
        new Request("https://broker.test/api/inapp/documents", {
          ...json({ documentType, side, contentType: "image/jpeg", size: 5000 }),
        }),
      );
    expect((await start("address", "page")).status).toBe(403);
    expect((await start("identity", "front")).status).toBe(201);
    const confirmOther = await confirm(
      new Request(`https://broker.test/api/inapp/documents/${otherId}/confirm`, json({})),
      { params: Promise.resolve({ id: otherId }) },
    );
    expect(confirmOther.status).toBe(403);

    // No further handoff, no status, no status stream, no forms.
    expect(
      (await post({ documentType: "identity" }, { origin: "https://broker.test" })).status,
    ).toBe(403);
    expect((await status(new Request("https://broker.test/api/inapp/status"))).status).toBe(403);
    expect(
      (await statusStream(new Request("https://broker.test/api/inapp/status/stream"))).status,
    ).toBe(403);
    expect(await getScreenContext()).toBeUndefined(); // what the forms, status and actions read
    const form = new FormData();
    form.set("step", "personal");
    form.set("firstName", "Mallory");
    // Refused as every other trader endpoint refuses a phone session: 403 out_of_scope.
    expect(await postAutosave(form)).toMatchObject({ http: 403, reason: "out_of_scope" });
    expect(await getUploadContext("address")).toBeUndefined();
    expect(await getUploadContext(undefined)).toBeUndefined();
    expect(await getUploadContext("identity")).toMatchObject({
      scoped: true,
      kycCase: { id: desktop.kycCase.id },
    });

    // The desktop keeps its full session meanwhile.
    setTraderCookie(desktop.cookie);
    expect((await sides("address")).status).toBe(200);
    expect(await getUploadContext("address")).toMatchObject({ scoped: false });
  });

  it("tells a step form in a browser the phone's session took over that it only uploads, saving nothing", async () => {
    const desktop = await desktopSession();
    // The form was on screen in this browser for the full session; then the phone's link was
    // opened here too, and its session took the cookie.
    const form = new FormData();
    form.set("window", currentWindowRef());
    form.set("step", "personal");
    form.set("draftVersion", "0");
    form.set("givenNames", "Hannah");
    const phone = cookieOf(await click(tokenOf((await linkFor("identity")).url)))!;
    setTraderCookie(phone);

    // Its autosave is refused as the phone's session: the status line words that reason so.
    expect(await postAutosave(form)).toMatchObject({ http: 403, reason: "out_of_scope" });
    expect(STEP_SAVE_REFUSAL_WORDS.out_of_scope).toBe("uploadOnly");
    // "Save and continue" says so too, and gives back what was typed.
    const saved = await continueStep({ status: "idle" }, form);
    expect(saved).toMatchObject({
      status: "failed",
      message: en.Errors.uploadOnly,
      values: { givenNames: "Hannah" },
    });

    setTraderCookie(desktop.cookie);
    expect((await loadStepDrafts(desktop.kycCase.id)).personal).toBeUndefined();
  });

  it("refuses an expired link and a forged one, on the page and on the click", async () => {
    const { kycCase } = await desktopSession();
    const old = new Date(Date.now() - (PHONE_HANDOFF_MINUTES + 1) * 60_000);
    const expired = await phoneHandoffLink(
      {
        traderId: kycCase.traderId,
        caseId: kycCase.id,
        documentType: "address",
        locale: "en",
        theme: null,
        requestOrigin: "https://broker.test",
      },
      old,
    );
    expect(await handoffConfirmation(tokenOf(expired.url))).toEqual({
      ok: false,
      reason: "expired",
    });
    expect((await click(tokenOf(expired.url))).headers.get("location")).toContain("/inapp/expired");
    for (const forged of ["", "x", "<script>", "a".repeat(1500)]) {
      expect(await handoffConfirmation(forged)).toEqual({ ok: false, reason: "expired" });
      const r = await click(forged);
      expect(r.status).toBe(303);
      expect(r.headers.get("location")).toContain("/inapp/expired");
    }
  });

  it("dies with the desktop screen that showed it: closed, its QR code opens nothing", async () => {
    await desktopSession();
    const kept = await linkFor("identity");
    const closed = await closeScreen(
      new Request("https://broker.test/api/inapp/close", {
        method: "POST",
        headers: {
          ...SAME_ORIGIN,
          "sec-fetch-site": "same-origin",
          "x-kyc-window": currentWindowRef(),
        },
      }),
    );
    expect(closed.status).toBe(204);
    expect(await handoffConfirmation(tokenOf(kept.url))).toEqual({ ok: false, reason: "expired" });
    const answer = await click(tokenOf(kept.url));
    expect(answer.headers.get("location")).toContain("/inapp/expired");
    expect(cookieOf(answer)).toBeUndefined();
  });

  it("a cross-site click or a body that is not the form spends nothing", async () => {
    await desktopSession();
    const token = tokenOf((await linkFor()).url);
    expect((await click(token, { origin: "https://evil.test", host: "broker.test" })).status).toBe(
      403,
    );
    expect((await click(token, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await click(token, SAME_ORIGIN, "text/plain")).status).toBe(415);
    expect((await click(token, SAME_ORIGIN, "application/json")).status).toBe(415);
    const big = await redeem(
      new Request("https://broker.test/api/inapp/handoff/redeem", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...SAME_ORIGIN },
        body: `handoff=${token}&pad=${"x".repeat(5000)}`,
      }),
    );
    expect(big.status).toBe(413);
    expect((await handoffConfirmation(token)).ok).toBe(true);
    expect((await click(token)).status).toBe(303);
  });

  it("refuses once the case no longer takes documents", async () => {
    const { trader } = await desktopSession();
    const link = await linkFor("identity");
    // The trader answers the forms, uploads the documents and submits.
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    expect((await click(tokenOf(link.url))).headers.get("location")).toContain("/inapp/expired");
    // A window still showing the upload step asks for a new link: refused, and its panel says
    // in the trader's language that no link could be made, with a retry (not a silent close).
    const refused = await post({ documentType: "identity" }, SAME_ORIGIN);
    expect(refused.status).toBe(409);
    expect(handoffFailureWords(await refused.json())).toBe("phoneUnavailable");
  });

  it("tells the desktop's panel why no link came: an earlier sign-in's window is told to reload", async () => {
    await desktopSession();
    const earlier = currentWindowRef();
    // Another trader opens the verification in the same browser.
    await desktopSession();
    const refused = await post(
      { documentType: "identity" },
      { ...SAME_ORIGIN, "x-kyc-window": earlier },
    );
    expect(refused.status).toBe(409);
    const words = handoffFailureWords(await refused.json());
    expect(words).toBe("otherSignIn");
    setTraderCookie(undefined);
    const ended = await post({ documentType: "identity" }, SAME_ORIGIN);
    expect(ended.status).toBe(401);
    expect(handoffFailureWords(await ended.json())).toBe("sessionExpired");
    // No answer worth reading (a proxy's page, the network): the generic words.
    expect(handoffFailureWords(null)).toBe("phoneUnavailable");
    expect(handoffFailureWords("<html>")).toBe("phoneUnavailable");
  });

  it.each([...LOCALES])(
    "has the panel's words for a link that could not be made in %s",
    (locale) => {
      const messages = catalog(locale);
      expect(messages.Upload.phoneUnavailable).toEqual(expect.any(String));
      if (locale !== "en")
        expect(messages.Upload.phoneUnavailable).not.toBe(en.Upload.phoneUnavailable);
      // The session's words the panel shows instead are the ones every trader screen uses.
      expect(messages.Errors.otherSignIn).toEqual(expect.any(String));
      expect(messages.Errors.sessionExpired).toEqual(expect.any(String));
    },
  );

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

  it("masks the account enough to recognise one's own", () => {
    expect(maskLogin(3_141_592)).toBe("•••592");
    expect(maskEmail("hannah.schmidt@mail.example.org")).toBe("h•••@m•••.org");
    expect(maskEmail("x@localhost")).toBe("x•••@l•••");
    expect(maskEmail("broken")).toBe("•••");
  });
});
