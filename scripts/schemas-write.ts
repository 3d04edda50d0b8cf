/**
 * `npm run docs:schemas`: rewrites the published JSON Schema of the webhook payloads from the zod
 * schemas (lib/delivery/json-schema.ts). Run it after changing lib/delivery/payload.ts; the test
 * tests/lib/delivery/json-schema.test.ts fails until you do.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { WEBHOOK_SCHEMA_PATH, webhookPayloadJsonSchemaText } from "@/lib/delivery/json-schema";

const target = path.join(process.cwd(), WEBHOOK_SCHEMA_PATH);
writeFileSync(target, webhookPayloadJsonSchemaText());
console.log(`wrote ${WEBHOOK_SCHEMA_PATH}`);
