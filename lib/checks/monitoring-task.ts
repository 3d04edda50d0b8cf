/**
 * The evidence of a `monitoring_hit` review task: the re-screening runs that found likely matches
 * on a case with an approval in force, and those hits (list and entry, as `hitKey` names them).
 * Written by lib/db/queries/checks.ts recordRescreenRun (from lib/checks/rescreen.ts), read by
 * lib/review/screening-hits.ts, which closes the task, lifting the hold on the trader's account,
 * once every hit in it is cleared. A task whose data does not parse is never read as "no hits
 * left": it stays open, since reading it as empty would lift the hold on unjudged matches.
 */
import { z } from "zod";
import { storedHitSchema } from "./evidence";

export const monitoringTaskHit = storedHitSchema.pick({ source: true, entryId: true, score: true });
export type MonitoringTaskHit = z.infer<typeof monitoringTaskHit>;

export const monitoringTaskData = z.strictObject({
  runIds: z.array(z.string().min(1)).min(1),
  hits: z.array(monitoringTaskHit).min(1),
});
export type MonitoringTaskData = z.infer<typeof monitoringTaskData>;

/**
 * The task's fields. Each is a list: a hit found while the task is open joins it by appending
 * to every list (recordRescreenRun merges in SQL, field by field, with these names).
 */
export const MONITORING_TASK_FIELDS = Object.keys(
  monitoringTaskData.shape,
) as (keyof MonitoringTaskData)[];
// Fails to compile when a field that is not a list is added: the merge appends lists only.
const everyFieldAList: {
  [K in keyof MonitoringTaskData]: MonitoringTaskData[K] extends readonly unknown[] ? true : never;
} = { runIds: true, hits: true };
void everyFieldAList;

export const RESCREEN_HIT_AUDIT = "screening.rescreen_hit";

/**
 * The `screening.rescreen_hit` audit entry: a re-screening's runs, the new likely hits it found
 * and the lists it screened against. Written by recordRescreenRun with the task's own change, so
 * the entries since a task opened name the hits it holds: the console reads them when the task's
 * own data does not read (lib/review/screening-hits.ts), as drizzle/0039 rebuilt such tasks.
 */
export const rescreenHitAuditData = z.strictObject({
  runId: z.string().min(1),
  runIds: z.array(z.string().min(1)).min(1),
  hits: z.array(monitoringTaskHit).min(1),
  lists: z.record(z.string(), z.string()),
});
