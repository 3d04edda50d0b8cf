/**
 * The fake vendors' back office (`/_control/…` on tests/e2e-vendors/fake-vendors.ts): one schema
 * per request body and one for the state it reports, read by the fake server and written by the
 * specs (tests/e2e-vendors/embedded.ts).
 */
import { z } from "zod";

const record = z.record(z.string(), z.unknown());

export const controlBodies = {
  /** Sumsub's review of every applicant from now on, and its per-step answers. */
  "sumsub/review": z.object({ review: record, steps: record }),
  /** Onfido's check result and reports from now on. */
  "onfido/check": z.object({
    result: z.string(),
    reports: z.array(
      z.object({
        name: z.string(),
        status: z.string(),
        result: z.string().nullable(),
        sub_result: z.string().nullable().optional(),
      }),
    ),
  }),
  /** Sumsub posts this payload to the app, signed with the app's secret or `secret` (a forgery). */
  "sumsub/webhook": z.object({ payload: record, secret: z.string().optional() }),
  /** Onfido posts `check.completed` for the check, signed with the app's token or `token`. */
  "onfido/webhook": z.object({ checkId: z.string(), token: z.string().optional() }),
};
export type ControlPath = keyof typeof controlBodies;

/** What the app answered the vendor's webhook. */
export const deliverySchema = z.object({ status: z.number(), body: z.unknown() });

/** What the vendors were asked so far. */
export const stateSchema = z.object({
  sumsub: z.object({
    applicants: z.array(
      z.object({ id: z.string(), externalUserId: z.string(), levelName: z.string() }),
    ),
    reportsServed: z.number(),
  }),
  onfido: z.object({
    calls: z.array(z.object({ method: z.string(), path: z.string(), body: z.unknown() })),
    reportsServed: z.number(),
  }),
});
