/**
 * Scenarios: the desktop follows the phone it handed the upload to. Past the link's expiry it asks
 * the server how long the phone's session can still upload, and follows that long. The answer is
 * when the phone really stops being able to upload: its session ends at the absolute end or after
 * SESSION_IDLE_MINUTES without a request, whichever comes first, so a phone put down is not
 * followed to the absolute end, and one already idle is not followed at all.
 */
import "./support/request-scope";
import { GET as askFollow, POST as createHandoff } from "@/app/api/inapp/handoff/route";
import { GET as listSides } from "@/app/api/inapp/documents/route";
import { phoneFollowResponse, phoneHandoffResponse } from "@/lib/identity/handoff-contract";
import { PHONE_SESSION_MINUTES } from "@/lib/identity/sessions";
import { Trader } from "./support/people";
import { BROKER, scenarioWorld, setClock, type World } from "./support/world";
import { HandoffPhone, SAME_ORIGIN } from "./support/phone";

/** Shorter than a phone session, so the idle timeout can end one before its absolute end. */
const IDLE_MINUTES = 5;
const world = scenarioWorld({ SESSION_IDLE_MINUTES: String(IDLE_MINUTES) });
const MINUTE = 60_000;

/** The trader's desktop, on the upload screen of one document type. */
class Desktop {
  readonly trader: Trader;
  constructor(w: World, userId: number) {
    this.trader = new Trader(w, userId);
  }

  private async headers(documentType: string) {
    return {
      ...SAME_ORIGIN,
      "x-kyc-window": await this.trader.windowRef({ documentType }),
    };
  }

  /** "Continue on your phone": the QR code's link. */
  async handoff(documentType: string): Promise<string> {
    return this.trader.act(async () => {
      const response = await createHandoff(
        new Request(`${BROKER}/api/inapp/handoff`, {
          method: "POST",
          headers: { ...(await this.headers(documentType)), "content-type": "application/json" },
          body: JSON.stringify({ documentType }),
        }),
      );
      expect(response.status).toBe(201);
      return phoneHandoffResponse.parse(await response.json()).url;
    });
  }

  /** The panel's question once the link expired: seconds the phone can still upload. */
  async follow(documentType: string): Promise<number> {
    return this.trader.act(async () => {
      const response = await askFollow(
        new Request(`${BROKER}/api/inapp/handoff?documentType=${documentType}`, {
          headers: await this.headers(documentType),
        }),
      );
      expect(response.status).toBe(200);
      return phoneFollowResponse.parse(await response.json()).followInSeconds;
    });
  }
}

/** The trader's phone: scans the QR code, confirms, and polls its upload screen's sides. */
class Phone extends HandoffPhone {
  /** A request of the phone's upload screen: its HTTP status (401 once the session is over). */
  async sides(documentType: string): Promise<number> {
    return this.act(
      async () =>
        (await listSides(new Request(`${BROKER}/api/inapp/documents?documentType=${documentType}`)))
          .status,
    );
  }
}

let nextUser = 52_000;
/** At `t0`: the desktop opens the upload screen from cTrader and shows a QR code. */
async function desktopWithLink(t0: number) {
  setClock(t0);
  const desktop = new Desktop(world(), nextUser++);
  await desktop.trader.launch("kyc", { kycType: "standard" });
  return { desktop, link: await desktop.handoff("identity") };
}

const at = (t: number) => setClock(t);

describe("scenario: the desktop follows the phone's session as long as it can upload", () => {
  afterEach(() => jest.useRealTimers());

  it("stops following a phone put down when its session goes idle, not at the absolute end", async () => {
    const t0 = Date.now();
    const { desktop, link } = await desktopWithLink(t0);
    const phone = new Phone();
    at(t0 + 1 * MINUTE);
    await phone.redeem(link);
    at(t0 + 3 * MINUTE);
    expect(await phone.sides("identity")).toBe(200);
    // Within the interval at which a session's last activity is recorded: not recorded, so it
    // does not put the idle end off either.
    at(t0 + 3 * MINUTE + 30_000);
    expect(await phone.sides("identity")).toBe(200);

    // The phone is put down. Its session can upload until 5 idle minutes after t0+3, far sooner
    // than its absolute end (t0+16).
    at(t0 + 4 * MINUTE);
    expect(await desktop.follow("identity")).toBe(4 * 60);
    // Part of a second left is a second: asked again before the end, the desktop would be told
    // there is nothing left while the phone can still upload.
    at(t0 + 8 * MINUTE - 400);
    expect(await desktop.follow("identity")).toBe(1);

    // Then it is over: nothing to follow, and the phone indeed cannot upload any more.
    at(t0 + 8 * MINUTE);
    expect(await desktop.follow("identity")).toBe(0);
    expect(await phone.sides("identity")).toBe(401);
    at(t0 + 10 * MINUTE);
    expect(await desktop.follow("identity")).toBe(0);
  });

  it("follows a phone in use, asked again when an answer runs out, up to its absolute end", async () => {
    const t0 = Date.now();
    const { desktop, link } = await desktopWithLink(t0);
    const phone = new Phone();
    at(t0 + 1 * MINUTE);
    await phone.redeem(link);
    at(t0 + 2 * MINUTE);
    const first = await desktop.follow("identity");
    expect(first).toBe(4 * 60);

    // The phone uploads until just before that answer runs out: its session can still upload
    // until then, and the question asked when it runs out finds it going on.
    at(t0 + 2 * MINUTE + first * 1000 - 1000);
    expect(await phone.sides("identity")).toBe(200);
    at(t0 + 2 * MINUTE + first * 1000);
    expect(await desktop.follow("identity")).toBe(IDLE_MINUTES * 60 - 1);

    at(t0 + 10 * MINUTE);
    expect(await phone.sides("identity")).toBe(200);
    expect(await desktop.follow("identity")).toBe(IDLE_MINUTES * 60);
    // Near the absolute end, that end is the earlier one.
    at(t0 + 14 * MINUTE);
    expect(await phone.sides("identity")).toBe(200);
    expect(await desktop.follow("identity")).toBe(2 * 60);

    at(t0 + (1 + PHONE_SESSION_MINUTES) * MINUTE);
    expect(await desktop.follow("identity")).toBe(0);
    expect(await phone.sides("identity")).toBe(401);
  });
});
