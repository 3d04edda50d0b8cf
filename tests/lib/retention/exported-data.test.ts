/**
 * The subject-access export's allow-list of event and audit data (lib/retention/exported-data.ts)
 * classifies every audit action and every case event the code writes. The actions are found in
 * the source, as written: `action:` values and the decisions' `audited(staff, "…")`, string
 * literals, constants and the templates listed below. A writer added with an action or event not
 * in the list fails here until someone decides which of its keys the trader may see (until then
 * the export withholds all of its data, fail closed).
 */
import fs from "node:fs";
import path from "node:path";
import {
  AUDIT_DATA_EXPORTED,
  CASE_EVENT_DATA_EXPORTED,
  exportedAuditData,
  exportedEventData,
  WITHHELD_VALUE,
} from "@/lib/retention/exported-data";
import { CASE_EVENTS } from "@/lib/kyc/case-state";

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

/** Every audit action the source writes; problems for what it cannot read. */
function writtenActions(files: { file: string; text: string }[]) {
  const constants = new Map<string, string>();
  for (const { text } of files)
    for (const m of text.matchAll(/\bconst ([A-Z][A-Z0-9_]*) = "([^"]+)"/g))
      constants.set(m[1]!, m[2]!);
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
  const constants = new Map<string, string>();
  for (const { text } of files)
    for (const m of text.matchAll(/\bconst ([A-Z][A-Z0-9_]*) = "([^"]+)"/g))
      constants.set(m[1]!, m[2]!);
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
});
