/**
 * The trader's phone, given an upload by the desktop's QR code: it opens the link (a confirmation
 * page) and the trader's click redeems it into a phone session limited to uploads.
 */
import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import { POST as redeem } from "@/app/api/inapp/handoff/redeem/route";
import { BROKER, Browser } from "./world";

export const SAME_ORIGIN = {
  host: "broker.test",
  origin: BROKER,
  "sec-fetch-site": "same-origin",
};

export class HandoffPhone extends Browser {
  async redeem(url: string): Promise<void> {
    const cookie = await this.act(async () => {
      expect((await proxy(new NextRequest(url))).status).toBe(200);
      const handoff = new URL(url).searchParams.get("handoff")!;
      const clicked = await redeem(
        new Request(`${BROKER}/api/inapp/handoff/redeem`, {
          method: "POST",
          headers: { ...SAME_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ handoff, lang: "en" }).toString(),
        }),
      );
      expect(clicked.status).toBe(303);
      expect(clicked.headers.get("location")).toMatch(/^\/inapp\/kyc\/upload\?/);
      return /(__Host-kyc_session)=([^;]+)/.exec(clicked.headers.get("set-cookie") ?? "");
    });
    this.cookies.set(cookie![1]!, cookie![2]!);
  }
}
