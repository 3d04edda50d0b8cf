import { eq, getTableName, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { getDb } from "../client";
import { kycCases, reviewTasks } from "../schema";
import type { Tx } from "./cases";

/** A re-screening hit on an approved case (lib/checks/rescreen.ts). */
export const MONITORING_TASK = "monitoring_hit";
/** A concerning vendor verdict that arrived after the case was approved (lib/vendors). */
export const VENDOR_VERDICT_TASK = "vendor_verdict";

/**
 * The tasks that hold an approved trader's account until a person decides, and put the case in
 * the console's monitoring tab; a new kind of hold is added here and nowhere else.
 */
export const HOLD_TASK_KINDS = [MONITORING_TASK, VENDOR_VERDICT_TASK] as const;

/** SQL: the case with this id column has an open hold task (of these kinds). */
export function holdTaskOpen(
  caseId: AnyPgColumn,
  kinds: readonly string[] = HOLD_TASK_KINDS,
): SQL<boolean> {
  // Qualified by hand: in a one-table select drizzle writes the bare column name, which inside
  // this subquery would name the task's own id and match nothing.
  const outer = sql`${sql.identifier(getTableName(caseId.table))}.${sql.identifier(caseId.name)}`;
  return sql<boolean>`exists (select 1 from ${reviewTasks} t
    where t.case_id = ${outer} and t.kind in (${sql.join(
      kinds.map((kind) => sql`${kind}`),
      sql`, `,
    )}) and t.closed_at is null)`;
}

/**
 * Whether the approval in force of the case (it has an approved level) is held by an open hold
 * task: approving an upgrade (or early renewal) then would grant more on an approval in doubt.
 * Outside a transaction it is the console's early answer; the approval itself asks again with
 * `tx`, once the case row is locked (lib/kyc/cases.ts), which is the answer that counts: a hold
 * task opens only under that same lock. Ask in a statement of its own after the lock: a
 * statement that waited for the lock reads with the snapshot it started with and would miss a
 * task committed meanwhile.
 */
export async function approvalOnHold(
  kycCase: { id: string; approvedLevel: string | null },
  tx?: Tx,
): Promise<boolean> {
  if (kycCase.approvedLevel === null) return false;
  const db = tx ?? (await getDb());
  const [row] = await db
    .select({ held: holdTaskOpen(kycCases.id) })
    .from(kycCases)
    .where(eq(kycCases.id, kycCase.id));
  return row?.held === true;
}
