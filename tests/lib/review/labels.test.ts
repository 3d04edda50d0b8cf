import { readFileSync } from "node:fs";
import path from "node:path";
import type { Messages } from "next-intl";
import { CHECK_NAMES } from "@/lib/checks/types";
import { LOCALES } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translations";
import { STEPS } from "@/lib/kyc/levels";
import { CASE_TIMELINE_EVENTS } from "@/lib/kyc/case-state";
import { CASE_STATUSES } from "@/lib/kyc/statuses";
import { labelsFrom } from "@/lib/review/labels";
import { REJECT_REASONS } from "@/lib/review/reasons";
import { ERROR_KINDS } from "@/lib/delivery/webhook";
import {
  CASE_MONITORING_CLEARED,
  CASE_MONITORING_HIT,
  CASE_RENEWAL_DUE,
  CASE_STATUS_CHANGED,
} from "@/lib/delivery/payload";
import { signalSchema, vendorVerdictSchema } from "@/lib/vendors/verdict";
import { CHECK_EVIDENCE } from "@/lib/checks/evidence";
import { CASE_DECISION_DATA } from "@/lib/review/decision-data";

const catalog = (locale: string): Messages =>
  JSON.parse(readFileSync(path.join(process.cwd(), "messages", `${locale}.json`), "utf8"));

const labelsIn = (locale: string) =>
  labelsFrom(
    translatorFor({ locale, messages: catalog(locale), timeZone: "UTC" }, "ConsoleLabels") as never,
  );

const TRIGGERS = ["first_deposit", "account_creation", "compliance_notice", "manual"];
const ROUTES = ["auto_approve", "review", "escalate"];
/** Every decision a case can hold (one data schema each): the console's decision log names them. */
const DECISIONS = Object.keys(CASE_DECISION_DATA);
const DELIVERY_STATUSES = ["pending", "delivered", "dead"];
const DESTINATIONS = ["ctrader:account", "email:trader", "webhook:crm"];

describe("console labels", () => {
  it("name every status, trigger, risk, step, check, outcome and reason in English words", () => {
    const label = labelsIn("en");
    expect(label.status("in_review")).toBe("In review");
    expect(label.status("action_required")).toBe("Waiting for the trader");
    expect(label.trigger("first_deposit")).toBe("First deposit");
    expect(label.risk("high")).toBe("High");
    expect(label.risk(null)).toBe("Not assessed");
    expect(label.level("enhanced")).toBe("Enhanced");
    expect(label.step("proof_of_address")).toBe("Proof of address");
    expect(label.check("duplicate_document_number")).toBe("Duplicate document number");
    expect(label.outcome("warn")).toBe("Warning");
    expect(label.reason("sanctions_match")).toBe("Sanctions match");
  });

  it("never shows a raw code in any language, and shows an unknown level by its id", () => {
    for (const locale of LOCALES) {
      const label = labelsIn(locale);
      const words = [
        ...CASE_STATUSES.map(label.status),
        ...TRIGGERS.map(label.trigger),
        ...["low", "medium", "high", null].map(label.risk),
        ...["basic", "standard", "enhanced"].map(label.level),
        ...STEPS.map(label.step),
        ...CHECK_NAMES.map(label.check),
        ...["pass", "warn", "fail"].map(label.outcome),
        ...REJECT_REASONS.map((r) => label.reason(r.code)),
      ];
      for (const word of words) {
        expect(word.trim()).not.toBe("");
        expect(word).not.toMatch(/^[a-z]+_[a-z_]+$/);
        expect(word).not.toContain("ConsoleLabels");
      }
      expect(label.level("vip_2")).toBe("vip_2");
      // A code without words falls back to a generic word ("Check", "Other reason"...): a known
      // code that reads like that fallback has lost its words.
      const unknown = "no_such_code";
      const generic: [string, string[]][] = [
        [label.status(unknown as never), CASE_STATUSES.map(label.status)],
        [label.step(unknown), STEPS.map(label.step)],
        [label.check(unknown), CHECK_NAMES.map(label.check)],
        [label.outcome(unknown), ["pass", "warn", "fail"].map(label.outcome)],
        [label.reason(unknown), REJECT_REASONS.map((r) => label.reason(r.code))],
      ];
      for (const [fallback, known] of generic) expect(known).not.toContain(fallback);
    }
  });

  // These vocabularies fall back to the code itself (a new event must still render), so a
  // missing word shows as the code: every known value must read as something else.
  it("names every timeline event, route, decision, delivery status and destination in every language", () => {
    for (const locale of LOCALES) {
      const label = labelsIn(locale);
      const named: [string, string][] = [
        ...CASE_TIMELINE_EVENTS.map((e): [string, string] => [e, label.event(e)]),
        ...ROUTES.map((r): [string, string] => [r, label.route(r)]),
        ...DECISIONS.map((d): [string, string] => [d, label.decision(d)]),
        ...DELIVERY_STATUSES.map((s): [string, string] => [s, label.deliveryStatus(s)]),
        ...DESTINATIONS.map((d): [string, string] => [d, label.destination(d)]),
      ];
      for (const [code, word] of named) {
        expect({ locale, code, word: word.trim() }).not.toEqual({ locale, code, word: code });
        expect(word.trim()).not.toBe("");
      }
      expect(new Set(CASE_TIMELINE_EVENTS.map(label.event)).size).toBe(CASE_TIMELINE_EVENTS.length);
      expect(label.destination("webhook:crm")).toContain("crm");
      expect(label.event("renamed_later")).toBe("renamed_later");
    }
  });

  // Every `reason` a check's evidence can hold, read from the evidence schemas themselves, so a
  // reason added to a check without words fails here.
  const evidenceReasons = (): string[] => {
    const found = new Set<string>();
    const walk = (schema: unknown, depth = 0): void => {
      if (depth > 6 || !schema || typeof schema !== "object") return;
      const def = (schema as { def?: Record<string, unknown> }).def;
      if (!def) return;
      if (def.type === "object") {
        const shape = def.shape as Record<string, { def?: { type?: string; entries?: object } }>;
        const reason = shape.reason?.def;
        if (reason?.type === "enum")
          Object.values(reason.entries ?? {}).forEach((v) => found.add(v));
        if (reason?.type === "literal")
          ((reason as { values?: string[] }).values ?? []).forEach((v) => found.add(v));
      }
      for (const option of (def.options as unknown[]) ?? []) walk(option, depth + 1);
    };
    Object.values(CHECK_EVIDENCE).forEach((s) => walk(s));
    return [...found];
  };

  it("names every delivery error, event type, vendor outcome and signal, and evidence reason in every language", () => {
    const reasons = evidenceReasons();
    expect(reasons).toEqual(expect.arrayContaining(["no_list", "no_image", "no_expiry_date"]));
    const events = [
      CASE_STATUS_CHANGED,
      CASE_MONITORING_HIT,
      CASE_MONITORING_CLEARED,
      CASE_RENEWAL_DUE,
    ];
    const outcomes = vendorVerdictSchema.shape.outcome.options;
    for (const locale of LOCALES) {
      const label = labelsIn(locale);
      const named: [string, string][] = [
        ...ERROR_KINDS.map((k): [string, string] => [k, label.deliveryError(k)]),
        ...events.map((e): [string, string] => [e, label.outboxEvent(e)]),
        ...outcomes.map((o): [string, string] => [o, label.vendorOutcome(o)]),
        ...signalSchema.options.map((s): [string, string] => [s, label.signal(s)]),
        ...reasons.map((r): [string, string] => [r, label.evidenceReason(r)]),
      ];
      for (const [code, word] of named) {
        expect({ locale, code, word: word.trim() }).not.toEqual({ locale, code, word: code });
        expect({ locale, code, word: word.trim() }).not.toEqual({
          locale,
          code,
          word: code.replace(/^case\./, ""),
        });
        expect(word.trim()).not.toBe("");
      }
      expect(new Set(ERROR_KINDS.map(label.deliveryError)).size).toBe(ERROR_KINDS.length);
      expect(label.outboxEvent("case.added_later")).toBe("case.added_later");
    }
  });

  it("speaks the officer's language", () => {
    expect(labelsIn("de").status("approved")).toBe("Genehmigt");
    expect(labelsIn("ja").check("screening")).toBe("制裁スクリーニング");
    expect(labelsIn("ar").risk("low")).toBe("منخفض");
    expect(labelsIn("de").event("request_action")).toBe("Weitere Informationen angefordert");
    expect(labelsIn("de").deliveryStatus("dead")).toBe("Aufgegeben");
    expect(labelsIn("de").deliveryError("timeout")).toBe("Keine Antwort in der Frist");
    expect(labelsIn("ja").signal("consider")).toBe("要確認");
  });
});
