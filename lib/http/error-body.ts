/**
 * The body of every JSON error answer (lib/http/json.ts writes it) and what a screen reads of it:
 * one schema for both. `code` is the machine code (an AppError's, or a contract's), `reason` the
 * closed-list reason when the refusal has one (ERROR_REASONS, the upload contract's), so a
 * screen can tell a refusal it has words for from any other failure. No server-only imports:
 * client components parse with it.
 */
import { z } from "zod";

export const errorBodySchema = z.object({
  error: z.string(),
  message: z.string(),
  code: z.string(),
  reason: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
