/**
 * What the trader screens' CSP must allow for a configured vendor's web SDK: the frames and API
 * calls the SDK makes from our page. Nothing without a vendor. Scripts need no entry: the CSP's
 * 'strict-dynamic' lets our nonce'd code add the SDK's script element.
 */
import type { Env } from "@/lib/env";

export function vendorOrigins(vendors: Env["vendors"]): { frame: string[]; connect: string[] } {
  const frame: string[] = [];
  const connect: string[] = [];
  if (vendors.sumsub) {
    frame.push("https://*.sumsub.com");
    connect.push("https://*.sumsub.com");
  }
  if (vendors.onfido) {
    frame.push("https://*.onfido.com");
    connect.push("https://*.onfido.com");
  }
  return { frame, connect };
}
