/**
 * The console's request scope: who is signed in (from the staff cookie), once per request;
 * pages and actions that need a role send everyone else to the login page.
 */
import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { StaffRole } from "@/lib/db/schema";
import { hasRole, resolveStaff, STAFF_COOKIE, type StaffPrincipal } from "./auth";

export const getStaff = cache(async (): Promise<StaffPrincipal | undefined> => {
  const store = await cookies();
  return resolveStaff(store.get(STAFF_COOKIE)?.value);
});

export async function requireStaff(role: StaffRole = "reviewer"): Promise<StaffPrincipal> {
  const staff = await getStaff();
  if (!staff) redirect("/admin/login");
  if (!hasRole(staff, role)) redirect("/admin?error=forbidden");
  return staff;
}

/** The client address for login throttling: the first forwarded hop, else the direct peer. */
export async function clientAddress(): Promise<string> {
  const h = await headers();
  return (
    h.get("x-forwarded-for")?.split(",")[0]?.trim() ||
    h.get("x-real-ip")?.trim() ||
    "unknown"
  ).slice(0, 64);
}
