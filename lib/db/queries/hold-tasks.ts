import { and, getTableName, inArray, isNull, eq, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { getDb } from "../client";
import { reviewTasks } from "../schema";

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

/** Whether the case has an open hold task: its approval in force waits for a person. */
export async function hasOpenHoldTask(caseId: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db
    .select({ id: reviewTasks.id })
    .from(reviewTasks)
    .where(
      and(
        eq(reviewTasks.caseId, caseId),
        inArray(reviewTasks.kind, [...HOLD_TASK_KINDS]),
        isNull(reviewTasks.closedAt),
      ),
    )
    .limit(1);
  return row !== undefined;
}
