import "../../scenarios/support/request-scope";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { listCaseEvents } from "@/lib/db/queries/cases";
import { listOutboxEventsForCase } from "@/lib/db/queries/outbox";
import { monitoringTaskHit } from "@/lib/checks/monitoring-task";
import {
  buildCaseStatusChanged,
  caseMonitoringHitV1,
  caseStatusChangedV1,
  readStoredPayload,
  storedPayload,
  webhookPayload,
} from "@/lib/delivery/payload";
import { getLevel } from "@/lib/kyc/levels";
import { deliveryWorld, submitFreshCase, traderOf } from "./helpers";

const FIXTURES = path.join(__dirname, "../../fixtures/webhooks");
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => [f, JSON.parse(readFileSync(path.join(FIXTURES, f), "utf8"))] as const);

/** Events as the first release wrote them (no sequence, approved level or account yet). */
const FIRST_RELEASE = path.join(FIXTURES, "first-release");
const firstRelease = readdirSync(FIRST_RELEASE).map(
  (f) => [f, JSON.parse(readFileSync(path.join(FIRST_RELEASE, f), "utf8"))] as const,
);

deliveryWorld();

describe("webhook payload schema", () => {
  it("has sample payloads, and every one is a valid versioned event", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
    for (const [name, sample] of fixtures) {
      const parsed = webhookPayload.safeParse(sample);
      if (!parsed.success) throw new Error(`${name}: ${parsed.error.message}`);
      expect(parsed.data).toEqual(sample);
    }
  });

  it("refuses fields beyond the contract, so nothing personal slips in unnoticed", () => {
    const [, sample] = fixtures[0]!;
    expect(caseStatusChangedV1.safeParse({ ...sample, documents: ["passport.jpg"] }).success).toBe(
      false,
    );
    expect(
      caseStatusChangedV1.safeParse({
        ...sample,
        trader: { ...sample.trader, dateOfBirth: "1990-01-01" },
      }).success,
    ).toBe(false);
    expect(caseStatusChangedV1.safeParse({ ...sample, version: 2 }).success).toBe(false);
  });

  it("carries a monitoring hit as the monitoring task stores it, refusing what the task refuses", () => {
    const sample = fixtures.find(([name]) => name === "case-monitoring-hit.json")![1];
    const hit = sample.hits[0];
    for (const candidate of [
      hit,
      { ...hit, source: "" },
      { ...hit, entryId: "" },
      { ...hit, score: 1.2 },
      { ...hit, listedName: "Listed Person" },
    ])
      expect({
        candidate,
        sent: caseMonitoringHitV1.safeParse({ ...sample, hits: [candidate] }).success,
      }).toEqual({ candidate, sent: monitoringTaskHit.safeParse(candidate).success });
  });

  it("writes a valid payload with the case, the trader's identifiers and the level's limits", async () => {
    const { eventId, caseId } = await submitFreshCase();
    const [event] = await listOutboxEventsForCase(caseId);
    expect(event?.id).toBe(eventId);
    // The moment of the status change, as the case's timeline has it.
    const submitted = (await listCaseEvents(caseId)).find((e) => e.event === "submit");
    const trader = traderOf({ id: caseId });
    const payload = caseStatusChangedV1.parse(event?.payload);
    expect(payload).toMatchObject({
      type: "case.status_changed",
      version: 1,
      id: eventId,
      occurredAt: submitted?.occurredAt.toISOString(),
      case: {
        id: caseId,
        level: "standard",
        status: "submitted",
        previousStatus: "draft",
        // What cTrader's kycType=standard maps to (lib/kyc/levels.ts).
        trigger: "manual",
      },
      event: "submit",
      // As cTrader's redeem API gave them at the launch.
      trader: {
        ctraderUserId: trader.userId,
        tradingLogin: trader.tradingLogin,
        email: `trader${trader.userId}@example.com`,
      },
      limits: getLevel("standard").limits,
    });
  });
});

describe("a declined upgrade or renewal", () => {
  const facts = {
    eventId: "2f6a9c41-7d3e-4b8a-9c5d-0e1f2a3b4c5d",
    sequence: 8,
    occurredAt: new Date("2031-04-20T09:12:44.501Z"),
    kycCase: {
      id: "5b1d2c7e-8f3a-4e6b-b2d4-1a9c0e7f3d21",
      level: "standard",
      trigger: "manual" as const,
      approvedLevel: "standard",
    },
    from: "in_review" as const,
    to: "approved" as const,
    event: "decline_upgrade",
    trader: { ctraderUserId: 1, tradingLogin: null, email: null },
  };

  it("says which was refused in `declined`, an additive field old receivers can ignore", () => {
    expect(buildCaseStatusChanged({ ...facts, declined: "renewal" }).declined).toBe("renewal");
    expect(buildCaseStatusChanged({ ...facts, declined: "upgrade" }).declined).toBe("upgrade");
    // Without it the event is exactly what it was before the field existed.
    expect("declined" in buildCaseStatusChanged({ ...facts, event: "approve" })).toBe(false);
    expect(
      caseStatusChangedV1.safeParse({
        ...buildCaseStatusChanged({ ...facts, declined: "renewal" }),
        declined: "both",
      }).success,
    ).toBe(false);
  });
});

describe("stored payload, as our own destinations read it back", () => {
  it("reads every event this version writes, unchanged", () => {
    for (const [name, sample] of fixtures) {
      const read = readStoredPayload(sample);
      if ("error" in read) throw new Error(`${name}: ${read.error}`);
      expect(read.payload).toEqual(sample);
    }
  });

  it("reads events the first release wrote, which the contract schema now refuses", () => {
    expect(firstRelease.length).toBe(3);
    for (const [name, sample] of firstRelease) {
      expect(webhookPayload.safeParse(sample).success).toBe(false);
      const read = readStoredPayload(sample);
      if ("error" in read) throw new Error(`${name}: ${read.error}`);
      expect(read.payload).toMatchObject({ type: sample.type, case: sample.case });
      expect(read.payload.sequence).toBeUndefined();
    }
  });

  it("drops keys a newer version added instead of refusing the event", () => {
    const [, sample] = fixtures[0]!;
    const newer = { ...sample, region: "eu", case: { ...sample.case, tier: 2 } };
    expect(webhookPayload.safeParse(newer).success).toBe(false);
    expect(storedPayload.parse(newer)).toEqual(sample);
  });

  it("names where an unreadable event fails, never its values", () => {
    const [, sample] = fixtures[0]!;
    const read = readStoredPayload({
      ...sample,
      case: { ...sample.case, id: "not-a-uuid" },
      trader: { email: "secret@trader.example" },
    });
    expect(read).toEqual({
      error:
        "the stored event does not match its schema at case.id, trader.ctraderUserId, trader.tradingLogin",
    });
    expect(readStoredPayload({ type: "case.unknown" })).toHaveProperty("error");
    expect(readStoredPayload(null)).toHaveProperty("error");
  });
});
