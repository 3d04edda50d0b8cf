/**
 * The `retention.erasure_requested` audit entry's data: what an erasure request did. Written by
 * lib/retention/erasure.ts through this schema; the subject-access export
 * (lib/retention/exported-data.ts) lists its keys from the same type, so a key added here is
 * withheld from the trader until someone has looked at it, and a key renamed here fails to
 * compile there. No server-only imports: the export and the tests load it too.
 */
import { z } from "zod";

export const ERASURE_REQUESTED = "retention.erasure_requested";

/** Why a request was refused: the legal reason that keeps the data, or a wait. */
export const ERASURE_REFUSALS = [
  "legal_hold",
  "open_task",
  "retention_not_over",
  "upload_in_progress",
] as const;

const count = z.number().int().nonnegative();

export const erasureRequestedData = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("executed"), erased: count }),
  /**
   * Stopped on an error: `erased` cases before it, and `objectsDeleted` stored objects of the
   * case it stopped on already gone (its rows rolled back: partly carried out).
   */
  z.object({ outcome: z.literal("failed"), erased: count, objectsDeleted: count }),
  /** `runsAt`: the day the erasure will run; null when no date is known (a hold, a task). */
  z.object({
    outcome: z.literal("refused"),
    reason: z.enum(ERASURE_REFUSALS),
    runsAt: z.iso.datetime().nullable(),
  }),
]);

export type ErasureRequestedData = z.infer<typeof erasureRequestedData>;
