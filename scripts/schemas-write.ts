/**
 * `npm run docs:schemas`: rewrites the published JSON Schemas from the zod schemas: the webhook
 * payloads (lib/delivery/json-schema.ts) and the case evidence export (lib/review/evidence.ts).
 * Run it after changing either; tests fail while a published copy is stale.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { WEBHOOK_SCHEMA_PATH, webhookPayloadJsonSchemaText } from "@/lib/delivery/json-schema";
import { caseEvidenceJsonSchemaText, EVIDENCE_SCHEMA_PATH } from "@/lib/review/evidence";

for (const [file, text] of [
  [WEBHOOK_SCHEMA_PATH, webhookPayloadJsonSchemaText()],
  [EVIDENCE_SCHEMA_PATH, caseEvidenceJsonSchemaText()],
] as const) {
  writeFileSync(path.join(process.cwd(), file), text);
  console.log(`wrote ${file}`);
}
