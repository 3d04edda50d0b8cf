import { and, eq, isNull, lte, or } from "drizzle-orm";
import { getDb } from "../client";
import { scheduledJobs, type ScheduledJob } from "../schema";

/**
 * Claims a scheduled job for one run: true when this caller holds the lease until `leaseUntil`.
 * One statement: the row is created on first use, or updated only when it is due and not
 * leased, so of two concurrent claims the second waits on the row lock, sees the lease and gets
 * nothing back.
 */
export async function claimScheduledJob(input: {
  name: string;
  holder: string;
  now: Date;
  leaseUntil: Date;
}): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .insert(scheduledJobs)
    .values({
      name: input.name,
      holder: input.holder,
      leasedUntil: input.leaseUntil,
      lastStartedAt: input.now,
    })
    .onConflictDoUpdate({
      target: scheduledJobs.name,
      set: { holder: input.holder, leasedUntil: input.leaseUntil, lastStartedAt: input.now },
      setWhere: and(
        or(isNull(scheduledJobs.nextRunAt), lte(scheduledJobs.nextRunAt, input.now)),
        or(isNull(scheduledJobs.leasedUntil), lte(scheduledJobs.leasedUntil, input.now)),
      ),
    })
    .returning({ name: scheduledJobs.name });
  return rows.length > 0;
}

/** Ends the run the holder claimed; a holder whose lease was taken over changes nothing. */
export async function finishScheduledJob(input: {
  name: string;
  holder: string;
  now: Date;
  nextRunAt: Date;
  ok: boolean;
}): Promise<void> {
  const db = await getDb();
  await db
    .update(scheduledJobs)
    .set({
      leasedUntil: null,
      holder: null,
      nextRunAt: input.nextRunAt,
      lastFinishedAt: input.now,
      lastOk: input.ok ? "ok" : "failed",
    })
    .where(and(eq(scheduledJobs.name, input.name), eq(scheduledJobs.holder, input.holder)));
}

export async function getScheduledJob(name: string): Promise<ScheduledJob | null> {
  const db = await getDb();
  const [row] = await db.select().from(scheduledJobs).where(eq(scheduledJobs.name, name));
  return row ?? null;
}
