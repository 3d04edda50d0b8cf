/**
 * Scenario: a broker turned tracing on. One trader's case from launch to delivery leaves a span
 * for each part an operator times — the token redemption, each document's inspection, the
 * automated checks, each delivery attempt — with ids and outcomes, and nothing the trader typed.
 */
import "./support/request-scope";
import { trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { PERSONAL } from "../fixtures/kyc-values";
import { Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const world = scenarioWorld();

beforeAll(() => trace.setGlobalTracerProvider(provider));
afterAll(async () => {
  trace.disable();
  await provider.shutdown();
});

describe("scenario: tracing on", () => {
  it("spans the redemption, inspections, checks and deliveries of a case, without personal data", async () => {
    const w = world();
    const trader = new Trader(w, 460_001, "en");
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker(); // the checks, then the deliveries

    const spans = exporter.getFinishedSpans();
    const named = (name: string) => spans.filter((s) => s.name === name);
    expect(named("kyc.entry.redeem").map((s) => s.attributes["kyc.entry.ok"])).toContain(true);
    const inspections = named("kyc.document.inspect");
    expect(inspections.length).toBeGreaterThanOrEqual(2); // identity document, proof of address
    expect(inspections.every((s) => s.attributes["kyc.document.ok"] === true)).toBe(true);
    expect(named("kyc.checks.run").map((s) => s.attributes["kyc.case_id"])).toContain(kycCase.id);
    const attempts = named("kyc.delivery.attempt");
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.some((s) => s.attributes["kyc.delivery.ok"] === true)).toBe(true);

    const everything = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status]));
    for (const typed of [PERSONAL.givenNames, PERSONAL.surnames, PERSONAL.dateOfBirth])
      expect(everything).not.toContain(typed);
  });
});
