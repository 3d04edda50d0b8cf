"use server";

import { redirect } from "next/navigation";
import { verifyChainNow } from "@/lib/audit/check";
import { withActionScope } from "@/lib/http/action-scope";
import { requireStaff } from "@/lib/staff/console";

/** "Verify now": the whole chain, as audit:verify checks it; recorded and audited. */
export const verifyChainAction = withActionScope(
  async function verifyChainAction(): Promise<never> {
    const admin = await requireStaff("admin");
    const result = await verifyChainNow(admin);
    redirect(`/admin/audit?verified=${result.ok ? "intact" : "broken"}`);
  },
);
