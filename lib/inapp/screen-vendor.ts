/**
 * Which vendor's web SDK a trader screen may run, for the CSP the proxy writes before the page
 * renders: only for a full session (a phone handoff never shows the vendor step) whose open case
 * is at a level that names a vendor. Every screen of such a trader gets it, not only the upload
 * screen that mounts the SDK: the screens move between each other by client-side navigation,
 * which keeps the CSP of the document first loaded. Without any vendor configured nothing is
 * looked up.
 */
import { getOpenCaseForTrader } from "@/lib/db/queries/cases";
import { resolveSessionContext } from "@/lib/identity/sessions";
import { vendorForLevel, vendorsEnabled } from "@/lib/vendors/registry";
import type { VendorName } from "@/lib/vendors/verdict";

export async function screenVendor(
  pathname: string,
  sessionCookie: string | undefined,
): Promise<VendorName | null> {
  if (!pathname.startsWith("/inapp/") || !sessionCookie || !vendorsEnabled()) return null;
  const found = await resolveSessionContext(sessionCookie);
  if (!found || found.session.documentScope !== null) return null;
  const kycCase = found.kycCase ?? (await getOpenCaseForTrader(found.trader.id));
  return kycCase ? (vendorForLevel(kycCase.level)?.vendor ?? null) : null;
}
