/**
 * selfie_challenges — one attempt at the selfie: the liveness prompts the server chose, in the
 * order the trader is asked to follow them. Each selfie frame (a `documents` row of type
 * `selfie`, side `frame_<n>`) names its challenge and the prompt it answers.
 *
 * Invariants:
 * - The prompts are chosen by the server (random order) when the attempt starts; the browser
 *   never picks them, so frames recorded for another attempt answer the wrong prompts.
 * - Frames may be started only while `expires_at` is ahead and `completed_at` is null.
 * - `completed_at` is set when the attempt's last frame is accepted: the attempt is spent, a
 *   replay of its upload requests is refused (`challenge_invalid`).
 */
import { index, jsonb, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";

export const selfieChallenges = pgTable(
  "selfie_challenges",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "cascade" }),
    /** The prompt of each frame, frame_1 first (SELFIE_PROMPTS). */
    prompts: jsonb("prompts").$type<string[]>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [index("selfie_challenges_case_idx").on(t.caseId)],
);

export type SelfieChallenge = typeof selfieChallenges.$inferSelect;
