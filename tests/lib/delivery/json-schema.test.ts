/**
 * The published JSON Schema of the webhook payloads (docs/webhook-payload.schema.json) is what a
 * receiver's validator sees: it must be current, valid JSON Schema, accept every payload we send
 * and refuse what we never send. Validated here with Ajv (draft 2020-12, strict), as a receiver
 * would, not with the zod schemas it was generated from.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { WEBHOOK_SCHEMA_PATH, webhookPayloadJsonSchemaText } from "@/lib/delivery/json-schema";
import { buildCaseStatusChanged } from "@/lib/delivery/payload";

const ROOT = path.join(__dirname, "../../..");
const published = readFileSync(path.join(ROOT, WEBHOOK_SCHEMA_PATH), "utf8");
const samplesDir = path.join(ROOT, "tests/fixtures/webhooks");
const samples = readdirSync(samplesDir)
  .filter((name) => name.endsWith(".json"))
  .map((name) => ({ name, body: JSON.parse(readFileSync(path.join(samplesDir, name), "utf8")) }));

function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(published));
}

const approved = () =>
  structuredClone(samples.find((s) => s.name === "case-approved.json")!.body) as Record<
    string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    any
  >;

describe("the published webhook JSON Schema", () => {
  it("is the one the zod schemas generate today (run npm run docs:schemas when this fails)", () => {
    expect(published).toBe(webhookPayloadJsonSchemaText());
  });

  it("compiles as strict JSON Schema 2020-12", () => {
    expect(() => validator()).not.toThrow();
  });

  it("accepts every sample payload in tests/fixtures/webhooks", () => {
    const validate = validator();
    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (const sample of samples) {
      expect({ name: sample.name, valid: validate(sample.body), errors: validate.errors }).toEqual({
        name: sample.name,
        valid: true,
        errors: null,
      });
    }
  });

  it("accepts what the app builds, with and without the optional fields", () => {
    const validate = validator();
    const facts = {
      eventId: crypto.randomUUID(),
      sequence: 3,
      occurredAt: new Date("2026-11-26T04:00:00.123Z"),
      kycCase: { id: crypto.randomUUID(), level: "basic", trigger: "manual" as const },
      from: "action_required" as const,
      to: "resubmitted" as const,
      event: "resubmit",
      trader: { ctraderUserId: 42, tradingLogin: null, email: null },
    };
    expect(validate(buildCaseStatusChanged(facts))).toBe(true);
    expect(
      validate(
        buildCaseStatusChanged({
          ...facts,
          trader: { ctraderUserId: 42, tradingLogin: 9001, email: "a@example.com" },
          messageForTrader: "Bitte die Rückseite des Ausweises.",
        }),
      ),
    ).toBe(true);
  });

  it.each([
    ["an unknown top-level field", (p: ReturnType<typeof approved>) => (p.extra = 1)],
    ["an unknown field inside case", (p: ReturnType<typeof approved>) => (p.case.name = "x")],
    ["a version we never sent", (p: ReturnType<typeof approved>) => (p.version = 2)],
    ["another type", (p: ReturnType<typeof approved>) => (p.type = "case.deleted")],
    ["a status outside the enum", (p: ReturnType<typeof approved>) => (p.case.status = "ok")],
    ["a missing limits object", (p: ReturnType<typeof approved>) => delete p.limits],
    ["a non-UUID event id", (p: ReturnType<typeof approved>) => (p.id = "evt_1")],
    ["a date without a zone", (p: ReturnType<typeof approved>) => (p.occurredAt = "2026-06-01")],
    ["a fractional user id", (p: ReturnType<typeof approved>) => (p.trader.ctraderUserId = 1.5)],
    ["a lower-case currency", (p: ReturnType<typeof approved>) => (p.limits.currency = "eur")],
  ])("refuses %s", (_label, mutate) => {
    const validate = validator();
    const payload = approved();
    expect(validate(payload)).toBe(true);
    mutate(payload);
    expect(validate(payload)).toBe(false);
  });
});
