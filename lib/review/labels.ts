/**
 * Words for the console's closed vocabularies (statuses, triggers, risk, levels, steps, checks,
 * outcomes, reject reasons, document types and sides, screening hit levels, states and listed
 * entry kinds, quality issues, timeline events, check routes, decisions, delivery statuses,
 * destinations, errors and event types, vendor verdicts and their signals, the reasons a check had
 * nothing to judge), read from the `ConsoleLabels` catalog in the officer's language. A value the
 * catalog does not know (a level from KYC_LEVELS_PATH, a check added later) falls back to a
 * generic word or to the value itself, never to an error: the console must render whatever the
 * database holds.
 */
import type { Messages } from "next-intl";
import { getLocale } from "next-intl/server";
import { messagesFor } from "@/lib/i18n/catalogs";
import { levelName } from "@/lib/kyc/levels";
import { getTranslations, translatorFor } from "@/lib/i18n/translations";

export type ConsoleLabels = {
  status(status: string): string;
  trigger(trigger: string): string;
  /** `null` (not assessed yet) has its own word. */
  risk(risk: string | null): string;
  level(level: string): string;
  step(step: string): string;
  check(check: string): string;
  outcome(outcome: string): string;
  reason(code: string): string;
  documentType(type: string): string;
  side(side: string): string;
  /** A stored file's review state: pending, accepted, retake. */
  documentStatus(status: string): string;
  hitLevel(level: string): string;
  hitState(state: string): string;
  /** A listed entry's kind (lib/screening/types.ts `entryTypes`): individual, entity, vessel… */
  hitType(type: string): string;
  qualityIssue(issue: string): string;
  /** A requested item as lib/review writes it: `step:<id>` or `document:<type>`. */
  item(item: string): string;
  /** A timeline entry's event (CASE_TIMELINE_EVENTS); an unknown one shows its id. */
  event(event: string): string;
  /** Where a check run sent the case: auto_approve, review, escalate. */
  route(route: string): string;
  decision(decision: string): string;
  deliveryStatus(status: string): string;
  /** A delivery destination id: `ctrader:account`, `email:trader`, `webhook:<id>`. */
  destination(destination: string): string;
  /** Why a delivery attempt failed (ERROR_KINDS); the receiver's own text is only detail. */
  deliveryError(kind: string): string;
  /** An outbox event type as sent to the broker (`case.status_changed`, …). */
  outboxEvent(type: string): string;
  /** A verification vendor's outcome: approved, declined, review, pending. */
  vendorOutcome(outcome: string): string;
  /** One signal of a vendor's verdict: clear, consider, not_run. */
  signal(signal: string): string;
  /** Why a check had nothing to judge (its evidence's `reason`: no_image, no_list, …). */
  evidenceReason(reason: string): string;
  /** A key of a check's evidence (lib/checks/evidence.ts); an unknown one shows as itself. */
  evidenceKey(key: string): string;
  /** The machine-readable zone against what was typed: agree, near, differ, not_typed. */
  mrzAgreement(agreement: string): string;
  /** The selfie prompt a frame answers: look_left, look_right, blink. */
  selfiePrompt(prompt: string): string;
  yesNo(value: "yes" | "no"): string;
  /** An ISO 3166 country code as the country's name in the officer's language; else the code. */
  country(code: string): string;
};

function countryNames(locale: string): (code: string) => string {
  let names: Intl.DisplayNames | undefined;
  return (code) => {
    if (!/^[A-Za-z]{2}$/.test(code)) return code;
    names ??= new Intl.DisplayNames([locale, "en"], { type: "region", fallback: "code" });
    return names.of(code.toUpperCase()) ?? code;
  };
}

type Translate = (key: string, values: Record<string, string>) => string;

/** Labels over a translator of the `ConsoleLabels` namespace (the page's or a test's). */
export function labelsFrom(t: Translate, locale = "en"): ConsoleLabels {
  return {
    status: (status) => t("status", { status }),
    trigger: (trigger) => t("trigger", { trigger }),
    risk: (risk) => t("risk", { risk: risk ?? "none" }),
    level: (level) => levelName(level, locale, (id) => t("level", { level: id })),
    step: (step) => t("step", { step }),
    check: (check) => t("check", { check }),
    outcome: (outcome) => t("outcome", { outcome }),
    reason: (code) => t("reason", { reason: code }),
    documentType: (type) => t("documentType", { type }),
    side: (side) => t("side", { side }),
    documentStatus: (status) => t("documentStatus", { status }),
    hitLevel: (level) => t("hitLevel", { level }),
    hitState: (state) => t("hitState", { state }),
    hitType: (type) => t("hitType", { type }),
    qualityIssue: (issue) => t("qualityIssue", { issue }),
    item: (item) => {
      const [kind, name = ""] = item.split(":");
      return kind === "step" ? t("step", { step: name }) : t("documentType", { type: name });
    },
    event: (event) => t("event", { event }),
    route: (route) => t("route", { route }),
    decision: (decision) => t("decision", { decision }),
    deliveryStatus: (status) => t("deliveryStatus", { status }),
    destination: (destination) => {
      // ICU select keys cannot hold the colon: choose on the kind, name a webhook by its id.
      const [kind = "", id = ""] = destination.split(/:(.*)/s);
      return t("destination", { kind, id: id || destination });
    },
    deliveryError: (kind) => t("deliveryError", { kind }),
    // Same as destinations: a select key cannot hold the dot of `case.status_changed`.
    outboxEvent: (type) => t("outboxEvent", { type: type.replace(/^case\./, ""), raw: type }),
    vendorOutcome: (outcome) => t("vendorOutcome", { outcome }),
    signal: (signal) => t("signal", { signal }),
    evidenceReason: (reason) => t("evidenceReason", { reason }),
    evidenceKey: (key) => t("evidenceKey", { key }),
    mrzAgreement: (agreement) => t("mrzAgreement", { agreement }),
    selfiePrompt: (prompt) => t("selfiePrompt", { prompt }),
    yesNo: (value) => t("yesNo", { value }),
    country: countryNames(locale),
  };
}

export async function getConsoleLabels(): Promise<ConsoleLabels> {
  const [t, locale] = await Promise.all([getTranslations("ConsoleLabels"), getLocale()]);
  return labelsFrom(t as unknown as Translate, locale);
}

/** The labels in one locale, outside a request (tests, exports). */
export async function labelsIn(locale: string): Promise<ConsoleLabels> {
  const messages = (await messagesFor(locale)) as unknown as Messages;
  return labelsFrom(
    translatorFor({ locale, messages, timeZone: "UTC" }, "ConsoleLabels") as never,
    locale,
  );
}

/** What the officer reads for a field the trader typed, in the words of the trader's own forms. */
export type FieldLabels = {
  /** The field's label (`Personal.<field>`, `Forms.<step>.<field>`), else the field's key. */
  field(step: string, field: string): string;
  /**
   * A choice's label (`…<field>Options.<value>`; each of a list's; a boolean's `yes` / `no`), else
   * the value as stored.
   */
  option(step: string, field: string, value: unknown): unknown;
};

type Lookup = { has(key: string): boolean; (key: string): string };

/**
 * Field labels over translators of the `Personal` and `Forms` namespaces, and of
 * `ConsoleAnswers` for what a step stores beside the fields its form asks (the questionnaire's
 * score and result): those words are for staff, not part of the trader's form.
 */
export function fieldLabelsFrom(personal: Lookup, forms: Lookup, stored: Lookup): FieldLabels {
  const inForm = (step: string, key: string): string | undefined =>
    step === "personal"
      ? personal.has(key)
        ? personal(key)
        : undefined
      : forms.has(`${step}.${key}`)
        ? forms(`${step}.${key}`)
        : undefined;
  const find = (step: string, key: string): string | undefined =>
    inForm(step, key) ?? (stored.has(`${step}.${key}`) ? stored(`${step}.${key}`) : undefined);
  const choice = (step: string, field: string, value: string) =>
    find(step, `${field}Options.${value}`) ?? value;
  return {
    field: (step, field) => find(step, field) ?? field,
    // A checkbox group stores a list of choices, a yes/no radio a boolean (its `yes`/`no` options).
    option: (step, field, value) =>
      typeof value === "string"
        ? choice(step, field, value)
        : typeof value === "boolean"
          ? (find(step, `${field}Options.${value ? "yes" : "no"}`) ?? value)
          : Array.isArray(value)
            ? value.map((v) => (typeof v === "string" ? choice(step, field, v) : v))
            : value,
  };
}

export async function getFieldLabels(): Promise<FieldLabels> {
  const [personal, forms, stored] = await Promise.all([
    getTranslations("Personal"),
    getTranslations("Forms"),
    getTranslations("ConsoleAnswers"),
  ]);
  return fieldLabelsFrom(
    personal as unknown as Lookup,
    forms as unknown as Lookup,
    stored as unknown as Lookup,
  );
}

/** The field labels in one locale, outside a request (tests, exports). */
export async function fieldLabelsIn(locale: string): Promise<FieldLabels> {
  const messages = (await messagesFor(locale)) as unknown as Messages;
  const request = { locale, messages, timeZone: "UTC" };
  return fieldLabelsFrom(
    translatorFor(request, "Personal") as unknown as Lookup,
    translatorFor(request, "Forms") as unknown as Lookup,
    translatorFor(request, "ConsoleAnswers") as unknown as Lookup,
  );
}
