import type { StaffRole } from "@/lib/db/schema";

/** A signed-in staff member acting on a case. */
export type Reviewer = { id: string; role: StaffRole };
