/**
 * The "continue on your phone" link: the upload screen's URL with the single-use token
 * (lib/identity/phone-handoff.ts), and its QR code. PUBLIC_BASE_URL names the host when set;
 * otherwise the origin the desktop reached us on.
 */
import QRCode from "qrcode";
import { env } from "@/lib/env";
import { createPhoneHandoff } from "@/lib/identity/phone-handoff";
import { HANDOFF_PARAM } from "./entry";
import { SCREENS } from "./params";

export async function phoneHandoffLink(
  input: Parameters<typeof createPhoneHandoff>[0] & { requestOrigin: string },
  now = new Date(),
): Promise<{ url: string; qr: string; expiresAt: Date; minutes: number }> {
  const { token, expiresAt, minutes } = await createPhoneHandoff(input, now);
  const base = process.env.PUBLIC_BASE_URL ? env().publicBaseUrl : input.requestOrigin;
  const url = new URL(SCREENS.upload, base);
  url.searchParams.set(HANDOFF_PARAM, token);
  url.searchParams.set("documentType", input.documentType);
  url.searchParams.set("lang", input.locale);
  const qr = await QRCode.toDataURL(url.toString(), { margin: 1, width: 240 });
  return { url: url.toString(), qr, expiresAt, minutes };
}
