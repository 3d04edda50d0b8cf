/**
 * What a trader screen's CSP must allow for a vendor's web SDK: the frames and API calls the SDK
 * makes from our page. Only for the vendor of the case's level, only when it is configured, and
 * nothing at all otherwise: a broker without vendors, or a level verified locally, sends a CSP
 * that names no vendor. Scripts need no entry: the CSP's 'strict-dynamic' lets our nonce'd code
 * add the SDK's script element.
 */
import type { Env } from "@/lib/env";
import type { VendorName } from "./verdict";

/** Every host each vendor's web SDK frames or calls (its CDN, capture frames, regional APIs). */
const SDK_ORIGINS: Record<VendorName, readonly string[]> = {
  sumsub: ["https://*.sumsub.com"],
  onfido: ["https://*.onfido.com"],
};

export type VendorOrigins = { frame: readonly string[]; connect: readonly string[] };

export const NO_VENDOR_ORIGINS: VendorOrigins = Object.freeze({ frame: [], connect: [] });

export function vendorOrigins(
  vendors: Pick<Env["vendors"], VendorName>,
  vendor: VendorName | null,
): VendorOrigins {
  if (!vendor || !vendors[vendor]) return NO_VENDOR_ORIGINS;
  return { frame: SDK_ORIGINS[vendor], connect: SDK_ORIGINS[vendor] };
}
