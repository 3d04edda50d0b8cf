/**
 * What a sender decided beyond the outcome of an attempt (the cTrader account adapter: why it sent
 * nothing, or which rights it set; the delivery worker: why a renewal notice went nowhere), kept in
 * `delivery_attempts.note` and shown on the case page in the officer's language. The sender writes
 * a closed code with its values, never a sentence; this schema is the one both sides use. Notes
 * written before it are English sentences: read back as `{ ok: false, text }` and shown as they
 * are.
 */
import { z } from "zod";

export const attemptNoteSchema = z.discriminatedUnion("code", [
  /** No cTrader account update configured, or no case behind the event. */
  z.object({ code: z.literal("nothing_to_update") }),
  /** A later event of the case sets the current rights; this one must not undo them. */
  z.object({ code: z.literal("superseded"), by: z.number().int() }),
  z.object({ code: z.literal("no_trading_login") }),
  /**
   * A renewal notice queued before the trader's relationship ended: nobody is to renew any more,
   * so it goes nowhere (lib/delivery/worker.ts).
   */
  z.object({ code: z.literal("relationship_ended") }),
  /**
   * A mail not sent because a later event of the case (`by`) tells the trader a newer status: a
   * mail held up by retries never arrives after the news that replaced it.
   */
  z.object({ code: z.literal("news_superseded"), by: z.number().int() }),
  /** The level has no rights configured for the access state (`state`). */
  z.object({ code: z.literal("no_access_rights"), state: z.string() }),
  /**
   * Rights set for the case's access state now; `eventState` is what the event said when it
   * differs (the case moved on since), else null. `gone`: logins the case left behind that cTrader
   * answered 404 for (deleted accounts: nothing left to restrict); absent when none.
   */
  z.object({
    code: z.literal("rights_set"),
    rights: z.string(),
    state: z.string(),
    eventState: z.string().nullable(),
    gone: z.array(z.number().int()).min(1).optional(),
  }),
]);
export type AttemptNote = z.infer<typeof attemptNoteSchema>;

export type StoredAttemptNote = { ok: true; note: AttemptNote } | { ok: false; text: string };

export function writeAttemptNote(note: AttemptNote): string {
  return JSON.stringify(attemptNoteSchema.parse(note));
}

export function readAttemptNote(stored: string | null): StoredAttemptNote | null {
  if (stored === null || stored === "") return null;
  let json: unknown;
  try {
    json = JSON.parse(stored);
  } catch {
    return { ok: false, text: stored };
  }
  const parsed = attemptNoteSchema.safeParse(json);
  return parsed.success ? { ok: true, note: parsed.data } : { ok: false, text: stored };
}
