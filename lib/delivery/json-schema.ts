/**
 * The webhook payloads as JSON Schema (draft 2020-12), for receivers that validate or generate
 * code from a schema instead of reading lib/delivery/payload.ts. Derived from the zod schemas the
 * app itself validates every payload with, so the two cannot disagree; the published copy in
 * docs/webhook-payload.schema.json is rewritten by `npm run docs:schemas` and a test fails when
 * it is stale.
 */
import { z } from "zod";
import { webhookPayload } from "./payload";

export const WEBHOOK_SCHEMA_PATH = "docs/webhook-payload.schema.json";

export function webhookPayloadJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(webhookPayload, { target: "draft-2020-12", io: "output" });
  return {
    $schema: schema.$schema,
    title: "In-App KYC webhook payload",
    description:
      "The JSON body of every webhook POST. Dispatch on type + version; a change that would " +
      "break a receiver becomes a new version next to the old one. Signed per Standard Webhooks " +
      "(webhook-id, webhook-timestamp, webhook-signature headers).",
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema")),
  };
}

/** The published file's exact text (two-space JSON, final newline). */
export function webhookPayloadJsonSchemaText(): string {
  return `${JSON.stringify(webhookPayloadJsonSchema(), null, 2)}\n`;
}
