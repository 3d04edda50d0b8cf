/**
 * The subject-access export's allow-list of event, audit, decision and task data
 * (lib/retention/exported-data.ts) classifies every audit action, case event, decision and review
 * task kind the code writes. Actions, events and task kinds are found in the source, as written:
 * `action:` values and the decisions' `audited(staff, "…")`, `kind:` values where tasks are
 * inserted; string literals, constants and the templates listed below. A writer added with a name
 * not in the list fails here until someone decides which of its keys the trader may see (until
 * then the export withholds all of its data, fail closed). Decisions are typed: each has its data
 * schema (lib/review/decision-data.ts), and the export lists them all by that type.
 *
 * A check's evidence is exported as stored (written by the checks alone): every key its schemas
 * have is listed below as reviewed, and a key added there fails here until someone has looked.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { CHECK_EVIDENCE } from "@/lib/checks/evidence";
import {
  AUDIT_DATA_EXPORTED,
  CASE_EVENT_DATA_EXPORTED,
  DECISION_DATA_EXPORTED,
  exportedAuditData,
  exportedDecisionData,
  exportedEventData,
  exportedEvidence,
  exportedQuality,
  exportedTaskData,
  TASK_DATA_EXPORTED,
  WITHHELD_VALUE,
} from "@/lib/retention/exported-data";
import { CASE_EVENTS } from "@/lib/kyc/case-state";
import { ERASURE_REQUESTED, erasureRequestedData } from "@/lib/retention/erasure-data";
import { CASE_DECISION_DATA, type CaseDecisionKind } from "@/lib/review/decision-data";
import type { CheckName } from "@/lib/checks/types";

const ROOT = path.join(__dirname, "../../..");
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/**
 * Actions built from a template, with what they can become: a new template fails the test until
 * its expansions are listed here (and classified).
 */
const TEMPLATES: Record<string, string[]> = {
  // lib/review/screening-hits.ts: the verdict
  "screening.${input.verdict}": ["screening.false_positive", "screening.confirmed"],
  // lib/review/decisions.ts declineUpgrade: a declined renewal or upgrade
  "case.${kind}": ["case.renewal_declined", "case.upgrade_declined"],
};

function sourceFiles(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name))
        out.push({ file: path.relative(ROOT, full), text: fs.readFileSync(full, "utf8") });
    }
  };
  for (const dir of ["lib", "app", "scripts"]) walk(path.join(ROOT, dir));
  return out;
}

function stringConstants(files: { file: string; text: string }[]): Map<string, string> {
  const constants = new Map<string, string>();
  for (const { text } of files)
    for (const m of text.matchAll(/\bconst ([A-Z][A-Z0-9_]*) = "([^"]+)"/g))
      constants.set(m[1]!, m[2]!);
  return constants;
}

/** Every audit action the source writes; problems for what it cannot read. */
function writtenActions(files: { file: string; text: string }[]) {
  const constants = stringConstants(files);
  const actions = new Map<string, string>();
  const problems: string[] = [];
  const expressions: { file: string; expr: string }[] = [];
  for (const { file, text } of files) {
    for (const m of text.matchAll(/\baction: (`[^`]*`|[^,}\n]+)/g))
      expressions.push({ file, expr: m[1]! });
    for (const m of text.matchAll(/\baudited\([^,]+, (`[^`]*`|[^,]+),/g))
      expressions.push({ file, expr: m[1]! });
  }
  for (const { file, expr } of expressions) {
    for (const m of expr.matchAll(/"([^"]*)"/g)) if (ACTION.test(m[1]!)) actions.set(m[1]!, file);
    for (const m of expr.matchAll(/`([^`]*)`/g)) {
      const expansions = TEMPLATES[m[1]!];
      if (!expansions) problems.push(`${file}: action template \`${m[1]}\` is not in TEMPLATES`);
      for (const a of expansions ?? []) actions.set(a, file);
    }
    const bare = expr.replace(/"[^"]*"|`[^`]*`/g, "");
    for (const m of bare.matchAll(/\b([A-Z][A-Z0-9_]+)\b/g)) {
      const value = constants.get(m[1]!);
      if (value && ACTION.test(value)) actions.set(value, file);
      else problems.push(`${file}: action ${m[1]} is not a constant this test can read`);
    }
  }
  return { actions, problems };
}

/** Case event types: the state machine's, and those written straight into case_events. */
function writtenEvents(files: { file: string; text: string }[]) {
  const constants = stringConstants(files);
  const events = new Set(Object.keys(CASE_EVENTS));
  const problems: string[] = [];
  for (const { file, text } of files) {
    if (!text.includes("insert(caseEvents)")) continue;
    for (const m of text.matchAll(/\bevent: ([^,}\n]+)/g)) {
      const expr = m[1]!.trim();
      const literal = /^"([^"]+)"$/.exec(expr)?.[1];
      if (literal) events.add(literal);
      else if (/^[A-Z][A-Z0-9_]*$/.test(expr)) {
        const value = constants.get(expr);
        if (value) events.add(value);
        else problems.push(`${file}: case event ${expr} is not a constant this test can read`);
      }
      // Anything else is a type or the state machine's event passed through (lib/db/queries/cases.ts).
    }
  }
  return { events, problems };
}

/**
 * The names in a written expression: its string literals and its constants. `passThrough`: the
 * expression hands on a name its caller wrote (found at the caller).
 */
function namesIn(
  expr: string,
  constants: Map<string, string>,
): { names: string[]; passThrough: boolean } {
  // A literal compared with (`x === "confirmed" ? … : …`) is not a name written.
  const written = expr.replace(/[!=]==?\s*"[^"]*"/g, "");
  const names = [...written.matchAll(/"([a-z][a-z_]*)"/g)].map((m) => m[1]!);
  for (const m of written.replace(/"[^"]*"/g, "").matchAll(/\b([A-Z][A-Z0-9_]+)\b/g)) {
    const value = constants.get(m[1]!);
    if (value) names.push(value);
  }
  return { names, passThrough: /^[a-z]\w*(\.\w+)*\.decision$/.test(expr) };
}

/** Every review task kind inserted: `kind:` values in the files that insert into review_tasks. */
function writtenTaskKinds(files: { file: string; text: string }[]) {
  const constants = stringConstants(files);
  const kinds = new Map<string, string>();
  const problems: string[] = [];
  for (const { file, text } of files) {
    if (!text.includes("insert(reviewTasks)")) continue;
    for (const at of text.split("insert(reviewTasks)").slice(1)) {
      const m = /^\s*\.values\(\{[^}]*?\bkind: ([^,}\n]+)/.exec(at);
      const names = m ? namesIn(m[1]!.trim(), constants).names : [];
      if (names.length === 0) problems.push(`${file}: a task kind this test cannot read`);
      for (const name of names) kinds.set(name, file);
    }
  }
  return { kinds, problems };
}

/**
 * The keys of every check's evidence, reviewed: each is written by the checks from the trader's
 * own answers, documents, the lists or the vendor's verdict, none by a person, and none names a
 * staff member. Nested keys are written with their parents\' (`hits.explanation.pairs`); arrays
 * are looked through. A key added to lib/checks/evidence.ts fails the test below until it is
 * reviewed and listed here; one that is not a machine-written fact of the trader's record needs an
 * allow-list in lib/retention/exported-data.ts first, as events and decisions have.
 */
const EVIDENCE_KEYS_REVIEWED: Record<CheckName, string> = {
  age: "reason age minAge",
  document_expiry: "reason expiryDate daysLeft warnWithinDays",
  document_country: "issuingCountry documentKind nationalities",
  tax_residence: "taxCountries residenceCountry",
  upload_quality:
    "documents issues flagged flagged.documentId flagged.documentType flagged.side flagged.issues",
  duplicate_document_number: "issuingCountry documentKind otherTraders otherCases",
  duplicate_image:
    "reused reused.documentId reused.documentType reused.side reused.usedBy reused.usedBy.documentId reused.usedBy.caseId reused.usedBy.exact",
  pep_declaration: "isPep relation country",
  appropriateness: "result score maxScore",
  screening: [
    "reason lists thresholds thresholds.review thresholds.likely",
    "hits hits.source hits.entryId hits.listedName hits.type hits.programs hits.score hits.level",
    "hits.explanation hits.explanation.matchedName hits.explanation.matchedAlias",
    "hits.explanation.nameScore hits.explanation.pairs hits.explanation.pairs.query",
    "hits.explanation.pairs.listed hits.explanation.pairs.score hits.explanation.unmatchedQuery",
    "hits.explanation.unmatchedListed hits.explanation.dateOfBirth",
    "hits.explanation.dateOfBirth.result hits.explanation.dateOfBirth.listed",
    "hits.explanation.nationality hits.explanation.nationality.result",
    "hits.explanation.nationality.listed hits.explanation.adjustment",
  ].join(" "),
  vendor:
    "reason vendor reference outcome retryAllowed signals signals.documentAuthenticity signals.faceMatch signals.liveness signals.watchlist labels completedAt",
  mrz_match:
    "reason format confidence rotation fields differences differences.field differences.typed differences.read",
  selfie: "complete frames frames.documentId frames.side frames.prompt",
};

/** Every key a JSON Schema lets an object have, at any depth, as a dotted path. */
function jsonSchemaKeys(schema: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (!schema || typeof schema !== "object") return out;
  const s = schema as Record<string, unknown>;
  for (const k of ["anyOf", "oneOf", "allOf"])
    for (const option of (s[k] as unknown[] | undefined) ?? []) jsonSchemaKeys(option, prefix, out);
  for (const inner of [s.items, s.additionalProperties]) jsonSchemaKeys(inner, prefix, out);
  for (const [key, inner] of Object.entries((s.properties as object | undefined) ?? {})) {
    const at = prefix ? `${prefix}.${key}` : key;
    out.add(at);
    jsonSchemaKeys(inner, at, out);
  }
  return out;
}

describe("subject-access export: event and audit data allow-list", () => {
  const files = sourceFiles();

  it("classifies every audit action the code writes, and lists none it does not", () => {
    const { actions, problems } = writtenActions(files);
    expect(problems).toEqual([]);
    // The scan finds the writers it must (a sanity check on the scan itself).
    for (const known of ["retention.legal_hold_set", "case.reopened", "screening.confirmed"])
      expect(actions.has(known)).toBe(true);
    const unclassified = [...actions]
      .filter(([action]) => !Object.hasOwn(AUDIT_DATA_EXPORTED, action))
      .map(([action, file]) => `${action} (${file})`);
    expect(unclassified).toEqual([]);
    expect(Object.keys(AUDIT_DATA_EXPORTED).filter((a) => !actions.has(a))).toEqual([]);
  });

  it("classifies every case event the code writes, and lists none it does not", () => {
    const { events, problems } = writtenEvents(files);
    expect(problems).toEqual([]);
    expect(events.has("renewal_due") && events.has("periodic_review_closed")).toBe(true);
    expect([...events].filter((e) => !Object.hasOwn(CASE_EVENT_DATA_EXPORTED, e))).toEqual([]);
    expect(Object.keys(CASE_EVENT_DATA_EXPORTED).filter((e) => !events.has(e))).toEqual([]);
  });

  it("exports every key of every decision's data, and every decision is written through its schema", () => {
    // lib/review/decision-data.ts: a decision's data is what was decided, never an officer's
    // words (the internal note) or who decided (the staff id); a key added there fails here
    // until it is listed or withheld on purpose.
    for (const [decision, schema] of Object.entries(CASE_DECISION_DATA))
      expect({ decision, keys: Object.keys(schema.shape).sort() }).toEqual({
        decision,
        keys: [...DECISION_DATA_EXPORTED[decision as CaseDecisionKind]].sort(),
      });
    // Each file that inserts a decision parses its data with decisionRow first.
    const inserting = files.filter((f) => f.text.includes("insert(caseDecisions)"));
    expect(inserting.length).toBeGreaterThan(0);
    expect(inserting.filter((f) => !f.text.includes("decisionRow(")).map((f) => f.file)).toEqual(
      [],
    );
  });

  it("exports every key an erasure request's entry can hold, written through its schema", () => {
    // lib/retention/erasure-data.ts: codes, counts and a date, all of them the trader's to know
    // (what a failed erasure had already deleted too); a key added there fails here until listed.
    const keys = new Set(erasureRequestedData.options.flatMap((o) => Object.keys(o.shape)));
    expect([...keys].sort()).toEqual([...AUDIT_DATA_EXPORTED[ERASURE_REQUESTED]!].sort());
    const writing = files.filter((f) => /action: ERASURE_REQUESTED\b/.test(f.text));
    expect(writing.map((f) => f.file)).toEqual(["lib/retention/erasure.ts"]);
    expect(writing[0]!.text).toContain("erasureRequestedData.parse(");
  });

  it("classifies every review task kind the code writes, and lists none it does not", () => {
    const { kinds, problems } = writtenTaskKinds(files);
    expect(problems).toEqual([]);
    expect([...kinds.keys()].sort()).toEqual(
      expect.arrayContaining(["monitoring_hit", "periodic_review", "vendor_verdict"]),
    );
    const unclassified = [...kinds]
      .filter(([kind]) => !Object.hasOwn(TASK_DATA_EXPORTED, kind))
      .map(([kind, file]) => `${kind} (${file})`);
    expect(unclassified).toEqual([]);
    expect(Object.keys(TASK_DATA_EXPORTED).filter((k) => !kinds.has(k))).toEqual([]);
  });

  it("has reviewed every key a check's evidence can hold", () => {
    const reviewed = (check: CheckName) => EVIDENCE_KEYS_REVIEWED[check].split(" ").sort();
    for (const [check, schema] of Object.entries(CHECK_EVIDENCE) as [CheckName, z.ZodType][])
      expect({ check, keys: [...jsonSchemaKeys(z.toJSONSchema(schema))].sort() }).toEqual({
        check,
        keys: reviewed(check),
      });
    expect(Object.keys(EVIDENCE_KEYS_REVIEWED).sort()).toEqual(Object.keys(CHECK_EVIDENCE).sort());
  });

  it("withholds officers' words wherever they are written, and every key it does not know", () => {
    expect(exportedAuditData("retention.legal_hold_set", { reason: "court order 7" })).toEqual({
      reason: WITHHELD_VALUE,
    });
    expect(exportedEventData("reopen", { reason: "given in error" })).toEqual({
      reason: WITHHELD_VALUE,
    });
    // A note nested under an exported-looking key of an unknown action, or under a new key of a
    // known one, stays in the database.
    expect(exportedAuditData("case.new_thing", { items: [{ note: "suspicious" }] })).toEqual({
      items: WITHHELD_VALUE,
    });
    expect(
      exportedAuditData("screening.confirmed", { hitKey: "ofac:1", comment: { text: "x" } }),
    ).toEqual({ hitKey: "ofac:1", comment: WITHHELD_VALUE });
    // Another staff member's id is not the trader's data.
    expect(exportedAuditData("case.assigned", { assignee: "staff-1", bulk: true })).toEqual({
      assignee: WITHHELD_VALUE,
      bulk: true,
    });
    // A code in `reason` is the trader's to know (an erasure refused, and why).
    expect(exportedAuditData("retention.erasure_requested", { reason: "legal_hold" })).toEqual({
      reason: "legal_hold",
    });
    // Names that are also Object.prototype's own are not a list.
    expect(exportedAuditData("constructor", { x: 1 })).toEqual({ x: WITHHELD_VALUE });
    expect(exportedEventData("__proto__", ["a"])).toBe(WITHHELD_VALUE);
    expect(exportedEventData("submit", null)).toBeNull();
  });

  it("shows what a decision or task records and withholds a note or a staff id added to it", () => {
    const verdict = {
      hitKey: "ofac-sdn:6707",
      source: "ofac-sdn",
      entryId: "6707",
      level: "likely",
      score: 0.97,
      listedName: "CARO QUINTERO, Rafael",
      runId: "run-1",
    };
    expect(exportedDecisionData("screening_confirmed", verdict)).toEqual(verdict);
    expect(
      exportedDecisionData("screening_false_positive", { ...verdict, reason: "not him" }),
    ).toEqual({ ...verdict, reason: WITHHELD_VALUE });
    expect(
      exportedDecisionData("reject", { kind: "final", revoked: true, note: "fraud?" }),
    ).toEqual({ kind: "final", revoked: true, note: WITHHELD_VALUE });
    expect(
      exportedDecisionData("periodic_review", { outcome: "no_change", by: "staff-1" }),
    ).toEqual({ outcome: "no_change", by: WITHHELD_VALUE });
    // A decision of a kind not classified shows none of its data.
    expect(exportedDecisionData("escalate", { to: "mlro" })).toEqual({ to: WITHHELD_VALUE });
    const hits = [{ source: "broker-pep", entryId: "12", score: 0.95 }];
    expect(
      exportedTaskData("monitoring_hit", { runIds: ["r"], hits, assignee: "staff-1" }),
    ).toEqual({ runIds: ["r"], hits, assignee: WITHHELD_VALUE });
    expect(exportedTaskData("periodic_review", { erased: true })).toEqual({ erased: true });
    expect(exportedTaskData("case_note", { text: "watch him" })).toEqual({ text: WITHHELD_VALUE });
  });

  it("withholds whoever else a duplicate finding names, and a finding in a shape it cannot read", () => {
    const other = { documentId: "d-2", caseId: "c-2", exact: false };
    expect(exportedQuality({ blur: 3, usedByOtherTraders: [other] })).toEqual({
      blur: 3,
      usedByOtherTraders: [{ documentId: WITHHELD_VALUE, caseId: WITHHELD_VALUE, exact: false }],
    });
    expect(exportedQuality({ usedByOtherTraders: [{ traderId: "t-2" }] })).toEqual({
      usedByOtherTraders: WITHHELD_VALUE,
    });
    expect(exportedQuality({ width: 10 })).toEqual({ width: 10 });
    expect(
      exportedEvidence("duplicate_document_number", {
        issuingCountry: "DE",
        documentKind: "passport",
        otherTraders: ["t-2", "t-3"],
        otherCases: ["c-2"],
      }),
    ).toEqual({
      issuingCountry: "DE",
      documentKind: "passport",
      otherTraders: [WITHHELD_VALUE, WITHHELD_VALUE],
      otherCases: [WITHHELD_VALUE],
    });
    expect(exportedEvidence("duplicate_image", { reused: [{ documentId: "d-1" }] })).toBe(
      WITHHELD_VALUE,
    );
    const own = { taxCountries: ["DE"], residenceCountry: "DE" };
    expect(exportedEvidence("tax_residence", own)).toBe(own);
  });
});
