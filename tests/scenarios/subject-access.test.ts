/**
 * Scenarios: an admin exports everything held about one trader (a ZIP of data.json and the
 * document files: every field and document of that trader, nothing of another), audited; an
 * erasure request is recorded and refused with the legal reason and the date it will run, or
 * executed when nothing keeps the data.
 *
 * The export is checked against the database, not against a list kept by hand: every table of
 * lib/db/schema that refers to a trader or a case (directly or through another such table) is
 * walked, and every non-null column of every row of the trader must be in data.json under its
 * schema name, or be listed in the export's own `withheld` list with a reason. A column added
 * to the schema fails this test until the export carries it or withholds it.
 */
import "./support/request-scope";
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { getTableColumns, getTableName, is, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import type { z } from "zod";
import * as schema from "@/lib/db/schema";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { DOCUMENT_DELETED } from "@/lib/retention/deletions";
import { documentKey } from "@/lib/storage";
import { caseCipher } from "@/lib/security/case-keys";
import {
  subjectAccessExportedData,
  subjectAccessSchema,
  type SubjectAccess,
} from "@/lib/retention/subject-access";
import { captureLogs } from "../helpers/log-capture";
import { sqlRows } from "../helpers/sql-rows";
import { readStoredZip } from "../helpers/zip";
import { blockStorageDelete, loseStoredObject } from "./support/faults";
import { freshPhoto, signedInStaff, type Staff, Trader } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld, setClock, type World } from "./support/world";

const world = scenarioWorld();
const DAY = 86_400_000;

/** RAFAEL CARO QUINTERO, OFAC SDN entry 6707 (in the excerpt the tests ship): a likely hit. */
const LISTED = {
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
  nationalities: ["MX"],
  placeOfBirth: "Zwolle",
};
const HIT = "ofac-sdn-excerpt:6707";

type Row = Record<string, unknown>;
type Ref = { key: string; foreignTable: string; foreignColumn: string };
type StoredTable = {
  name: string;
  table: PgTable;
  /** [schema (camelCase) key, SQL column name] of every column. */
  columns: [string, string][];
  refs: Ref[];
};

/**
 * The tables that hold data about a trader: those with a foreign key to `traders`, or to such a
 * table, and those with a `trader_id`/`case_id` column (the audit trail keeps them without one).
 */
function traderTables(): StoredTable[] {
  const all: StoredTable[] = (Object.values(schema) as unknown[])
    .filter((v): v is PgTable => is(v, PgTable))
    .map((table) => {
      const config = getTableConfig(table);
      const refs: Ref[] = config.foreignKeys.map((fk) => {
        const ref = fk.reference();
        return {
          key: keyOf(table, ref.columns[0]!.name),
          foreignTable: getTableName(ref.foreignTable),
          foreignColumn: ref.foreignColumns[0]!.name,
        };
      });
      for (const [column, foreignTable] of [
        ["trader_id", "traders"],
        ["case_id", "kyc_cases"],
      ] as const) {
        const key = config.columns.some((c) => c.name === column) ? keyOf(table, column) : null;
        if (key && !refs.some((r) => r.key === key))
          refs.push({ key, foreignTable, foreignColumn: "id" });
      }
      return {
        name: config.name,
        table,
        columns: Object.entries(getTableColumns(table)).map(([k, c]) => [k, c.name]),
        refs,
      };
    });
  const held = new Set(["traders"]);
  for (let grew = true; grew;) {
    grew = false;
    for (const t of all)
      if (!held.has(t.name) && t.refs.some((r) => held.has(r.foreignTable))) {
        held.add(t.name);
        grew = true;
      }
  }
  return all.filter((t) => held.has(t.name));
}

function keyOf(table: PgTable, sqlName: string): string {
  const found = Object.entries(getTableColumns(table)).find(([, c]) => c.name === sqlName);
  if (!found) throw new Error(`no column ${sqlName}`);
  return found[0];
}

/** Every row of every trader table that belongs to the trader, as the schema reads it. */
async function rowsOf(w: World, tables: StoredTable[], traderId: string) {
  const stored = new Map<string, Row[]>();
  for (const t of tables)
    stored.set(t.name, (await w.db.db.select().from(t.table)) as unknown as Row[]);
  const owned = new Map<string, Row[]>([
    ["traders", stored.get("traders")!.filter((r) => r.id === traderId)],
  ]);
  const ownedValue = (table: string, column: string, value: unknown) => {
    const t = tables.find((x) => x.name === table);
    if (!t) return false;
    const key = keyOf(t.table, column);
    return (owned.get(table) ?? []).some((r) => r[key] === value);
  };
  for (let grew = true; grew;) {
    grew = false;
    for (const t of tables) {
      if (t.name === "traders") continue;
      const mine = owned.get(t.name) ?? [];
      for (const row of stored.get(t.name)!) {
        if (mine.includes(row)) continue;
        if (
          t.refs.some(
            (r) => row[r.key] != null && ownedValue(r.foreignTable, r.foreignColumn, row[r.key]),
          )
        ) {
          mine.push(row);
          grew = true;
        }
      }
      owned.set(t.name, mine);
    }
  }
  return owned;
}

/** A stored value as the export may carry it: dates as ISO strings, encrypted values opened. */
async function readings(value: unknown, caseId: unknown): Promise<unknown[]> {
  if (value instanceof Date) return [value.toISOString()];
  if (typeof value !== "string" || typeof caseId !== "string") return [value];
  try {
    const plain = (await caseCipher(caseId)).decrypt(value);
    try {
      return [value, plain, JSON.parse(plain) as unknown];
    } catch {
      return [value, plain];
    }
  } catch {
    return [value];
  }
}

/** Every object of the export (to find a key with its value) and every leaf value. */
function walk(value: unknown, objects: Row[] = [], leaves = new Set<string>()) {
  if (Array.isArray(value)) for (const v of value) walk(v, objects, leaves);
  else if (value && typeof value === "object") {
    objects.push(value as Row);
    for (const v of Object.values(value)) walk(v, objects, leaves);
  } else if (value != null) leaves.add(String(value));
  return { objects, leaves };
}

/** The keys the export's schema can carry, at any depth. */
function schemaKeys(type: z.ZodType, keys = new Set<string>()): Set<string> {
  const def = (type as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === "object")
    for (const [key, inner] of Object.entries(def.shape as Record<string, z.ZodType>)) {
      keys.add(key);
      schemaKeys(inner, keys);
    }
  for (const field of ["element", "innerType", "valueType"])
    if (def[field]) schemaKeys(def[field] as z.ZodType, keys);
  for (const option of (def.options as z.ZodType[] | undefined) ?? []) schemaKeys(option, keys);
  return keys;
}

const caseOf = (table: string, row: Row) => (table === "kyc_cases" ? row.id : row.caseId);

/** The columns of the trader's rows that the export neither carries nor withholds. */
async function missingFromExport(
  tables: StoredTable[],
  owned: Map<string, Row[]>,
  data: SubjectAccess,
): Promise<string[]> {
  const withheld = (table: string, column: string) =>
    data.withheld.some((x) => x.table === table && (x.column === column || x.column === "*"));
  const { objects, leaves } = walk(data);
  const missing = new Set<string>();
  for (const t of tables)
    for (const row of owned.get(t.name) ?? [])
      for (const [key, column] of t.columns) {
        const value = row[key];
        if (value == null || withheld(t.name, column)) continue;
        const ways = await readings(value, caseOf(t.name, row));
        const found = objects.some(
          (o) => key in o && ways.some((v) => isDeepStrictEqual(o[key], v)),
        );
        // A reference is carried by nesting: the row it names is in the export.
        const nested = t.refs.some((r) => r.key === key) && leaves.has(String(value));
        if (!found && !nested) missing.add(`${t.name}.${column}`);
      }
  return [...missing].sort();
}

/** Values of the other trader's rows (opened where encrypted) that are his alone. */
async function valuesOnlyOf(
  tables: StoredTable[],
  his: Map<string, Row[]>,
  hers: Map<string, Row[]>,
): Promise<string[]> {
  const collect = async (owned: Map<string, Row[]>) => {
    const out = new Set<string>();
    for (const t of tables)
      for (const row of owned.get(t.name) ?? [])
        for (const [key] of t.columns)
          if (row[key] != null)
            for (const v of await readings(row[key], caseOf(t.name, row)))
              for (const leaf of walk([v]).leaves) out.add(leaf);
    return out;
  };
  const mine = await collect(hers);
  // Codes and enum values (`review`, `identity`) are words of the system, not his.
  return [...(await collect(his))].filter(
    (v) => v.length >= 6 && !/^[a-z_]+$/.test(v) && !mine.has(v),
  );
}

/** An admin's subject-access copy of a trader: data.json as sent and as read. */
async function exportFor(admin: Staff, traderId: string) {
  const response = await admin.exportSubjectData(traderId);
  expect(response.status).toBe(200);
  const text = readStoredZip(Buffer.from(await response.arrayBuffer()))
    .get("data.json")!
    .toString("utf8");
  return { text, data: subjectAccessSchema.parse(JSON.parse(text)) };
}

describe("scenario: data-subject access", () => {
  it("exports every field and document of one trader and nothing of another, audited", async () => {
    const w = world();
    await w.importLists([OFAC_EXCERPT]);
    // Anna: launched from a named account, a likely sanctions hit cleared by two people, four
    // eyes approve, webhooks delivered, a periodic review task closed a year on, the
    // relationship ended, an erasure request refused and a legal hold set.
    const anna = new Trader(w, 480_001);
    await anna.launch("kyc", { kycType: "standard", account: "7480001" });
    await anna.fillStandardForms(LISTED, { expiryDate: "2045-01-31" });
    await anna.uploadStandardDocuments();
    expect(await anna.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const bert = new Trader(w, 480_002);
    await bert.completeStandardLevel({ surnames: "Brandvold", placeOfBirth: "Bergen" });
    await w.worker();
    const annaCase = await anna.currentCase();
    const bertCase = await bert.currentCase();

    const reviewer = await signedInStaff(w, "dsar.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "dsar.approver@broker.example", "approver");
    expect(
      await reviewer.judgeHit(annaCase.id, HIT, "false_positive", "Born in Zwolle, not him"),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(annaCase.id, HIT, "false_positive", "Passport: not listed"),
    ).toBe("hit_cleared");
    expect(await reviewer.approve(annaCase.id)).toBe("awaiting_co_sign");
    expect(await approver.approve(annaCase.id)).toBe("approved");
    expect(await reviewer.approve(bertCase.id)).toBe("approved");
    await w.worker();
    const year = new Date(Date.now() + 370 * DAY);
    await w.worker(year);
    // The worker ran a year ahead and ended idle console sessions: fresh sign-ins.
    const officer = await signedInStaff(w, "dsar.officer@broker.example", "reviewer");
    expect(
      await officer.completePeriodicReview(annaCase.id, "no_change", "Watch the source of funds"),
    ).toBe("periodic_review_completed");
    // She opens the status screen again (the worker's run ended her earlier sessions).
    await anna.launch("status");
    const admin = await signedInStaff(w, "dsar.admin@broker.example", "admin");
    const ended = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    expect(await admin.relationshipEnd(annaCase.id, ended)).toBe("relationship_ended");
    expect(await admin.erasureRequest(annaCase.id)).toBe("erasure_refused");
    expect(await admin.legalHold(annaCase.id, "set", "court order 2026/91 preserve")).toBe(
      "legal_hold_set",
    );

    const tables = traderTables();
    const hers = await rowsOf(w, tables, annaCase.traderId);
    const his = await rowsOf(w, tables, bertCase.traderId);

    expect((await officer.exportSubjectData(annaCase.traderId)).status).toBe(403);
    const response = await admin.exportSubjectData(annaCase.traderId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    const zip = Buffer.from(await response.arrayBuffer());
    const entries = readStoredZip(zip);
    const text = entries.get("data.json")!.toString("utf8");
    const data = subjectAccessSchema.parse(JSON.parse(text));

    // Every column of every row of hers is in the export or withheld with a reason.
    expect(await missingFromExport(tables, hers, data)).toEqual([]);
    for (const w of data.withheld) expect(w.reason.length).toBeGreaterThan(40);
    // ... and so is every column the schema has, including ones null in this story (a
    // reference is carried by nesting the row under the one it names).
    const keys = schemaKeys(subjectAccessSchema);
    const withheld = (table: string, column: string) =>
      data.withheld.some((x) => x.table === table && (x.column === column || x.column === "*"));
    const uncovered = tables.flatMap((t) =>
      t.columns
        .filter(
          ([key, column]) =>
            !keys.has(key) && !withheld(t.name, column) && !t.refs.some((r) => r.key === key),
        )
        .map(([, column]) => `${t.name}.${column}`),
    );
    expect(uncovered).toEqual([]);
    // The story reaches every table but those a vendor level, SSO mode, the phone hand-off, the
    // selfie or a failing check run fill (each has its own scenario), and a run's claim on the
    // case, released when it ends; the export reads them too.
    expect(
      tables
        .filter((t) => !hers.get(t.name)?.length)
        .map((t) => t.name)
        .sort(),
    ).toEqual([
      "check_claims",
      "check_failures",
      "phone_handoffs",
      "selfie_challenges",
      "sso_one_time_tokens",
      "vendor_verification_history",
      "vendor_verifications",
    ]);

    // What the auditor missed is there, in words a reader finds.
    const [only] = data.cases;
    expect(data.cases).toHaveLength(1);
    expect(only).toMatchObject({ account: "7480001", approvedLevel: "standard" });
    // The approval set the rights of the account she launched from.
    expect(only!.accountLogins).toEqual([{ login: 7_480_001, firstSetAt: expect.any(String) }]);
    expect(only!.documentExpiresOn).toBe("2045-01-31");
    expect(only!.risk?.escalated).toBe(true);
    expect(only!.decisions.map((d) => d.decision)).toEqual([
      "screening_false_positive",
      "screening_false_positive",
      "approve",
      "approve",
      "periodic_review",
    ]);
    expect(JSON.stringify(only!.checkRuns)).toContain("6707");
    expect(only!.reviewTasks.map((t) => t.kind)).toContain("periodic_review");
    expect(only!.notifications.flatMap((n) => n.deliveries.map((d) => d.status))).toContain(
      "delivered",
    );
    expect(data.relationship?.endedAt.slice(0, 10)).toBe(ended);
    expect(data.erasureRequests.map((e) => e.reason)).toEqual(["retention_not_over"]);
    expect(only!.retention?.legalHoldAt).not.toBeNull();
    expect(JSON.stringify(only!.drafts)).toContain("Caro Quintero");
    expect(JSON.stringify(only!.submissions)).toContain("Zwolle");
    // Officers' own words (a review's note, a hit verdict's reason, a hold's reason) are
    // withheld wherever they are kept, and the export says so.
    for (const note of [
      "Watch the source of funds",
      "Passport: not listed",
      "not him",
      "court order 2026/91",
    ])
      expect(text).not.toContain(note);
    // The export states what it withholds on the tipping-off ground, and why: the hit verdict's
    // reason (kept as the decision's internal note), the hold's reason, staff text in entries.
    const onSuspicion = data.withheld.filter((x) => x.category === "suspicion");
    expect(onSuspicion.map((x) => `${x.table}.${x.column}`).sort()).toEqual(
      [
        "audit_events.data",
        "case_decisions.data",
        "case_decisions.internal_note",
        "case_events.data",
        "case_retention.legal_hold_reason",
        "review_tasks.data",
        // In every copy, a review under way or not: its presence tells her nothing.
        "*.review_in_progress",
      ].sort(),
    );
    for (const x of onSuspicion) {
      expect(x.reason).toContain("tip you off");
      expect(x.reason).toContain("Art. 39");
      expect(x.reason).toContain("Art. 23(1)(d)");
    }
    expect(onSuspicion.find((x) => x.column === "internal_note")?.reason).toContain(
      "screening-hit verdict",
    );
    // Entries show only the keys known to be facts of her record; the rest is marked withheld:
    // a verdict's list entry but not the officer's reason, the erasure's refusal code but not the
    // hold's reason.
    const entry = (action: string) => data.auditTrail.find((a) => a.action === action)?.data;
    expect(entry("screening.false_positive")).toMatchObject({ hitKey: HIT, reason: "(withheld)" });
    expect(entry("retention.erasure_requested")).toMatchObject({
      outcome: "refused",
      reason: "retention_not_over",
    });
    expect(entry("retention.legal_hold_set")).toEqual({ reason: "(withheld)" });
    // What was decided is not withheld: the verdicts and the fact of the hold are in the copy,
    // the review's outcome and what the review task found changed since the approval.
    expect(only!.decisions.some((d) => d.decision === "screening_false_positive")).toBe(true);
    expect(only!.decisions.find((d) => d.decision === "periodic_review")?.data).toEqual({
      taskId: expect.any(String),
      outcome: "no_change",
    });
    const review = only!.reviewTasks.find((t) => t.kind === "periodic_review");
    expect(review?.data).toMatchObject({ months: expect.any(Number), changes: expect.any(Object) });
    expect(JSON.stringify(review?.data)).not.toContain("(withheld)");

    // Every stored document of hers is in the archive, byte for byte.
    const stored = hers.get("documents")!;
    expect(only!.documents.map((d) => d.id).sort()).toEqual(stored.map((d) => d.id).sort());
    for (const d of only!.documents) {
      expect(d.originalName).toBe("photo.jpg");
      const bytes = entries.get(d.file!);
      expect(bytes).toBeDefined();
      expect(createHash("sha256").update(bytes!).digest("hex")).toBe(d.sha256);
    }
    expect(entries.size).toBe(1 + stored.length);

    // Nothing of Bert's: no value of his rows (nor his answers) appears, no file of his.
    const hisValues = await valuesOnlyOf(tables, his, hers);
    expect(hisValues).toEqual(expect.arrayContaining(["Brandvold", "Bergen", bertCase.id]));
    expect(hisValues.filter((v) => text.includes(v))).toEqual([]);
    const hisFiles = new Set(his.get("documents")!.map((d) => d.sha256));
    for (const [name, bytes] of entries)
      if (name !== "data.json")
        expect(hisFiles.has(createHash("sha256").update(bytes).digest("hex"))).toBe(false);

    const audit = await sqlRows<{ actor_id: string; data: Record<string, unknown> }>(
      w.db.db,
      sql`select actor_id, data from audit_events where action = 'retention.subject_access_exported' and trader_id = ${annaCase.traderId}`,
    );
    const [adminRow] = await sqlRows<{ id: string }>(
      w.db.db,
      sql`select id from staff_users where email = 'dsar.admin@broker.example'`,
    );
    expect(audit).toEqual([
      { actor_id: adminRow!.id, data: { cases: 1, files: stored.length, restricted: [] } },
    ]);
  });
});

describe("scenario: officers' words on decisions and review tasks", () => {
  it("exports what was decided and found, and withholds the notes and any key not known as a fact", async () => {
    const w = world();
    const list = path.join(w.dataDir, "dsar-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);
    const greta = new Trader(w, 480_006);
    await greta.completeStandardLevel({
      givenNames: "Greta",
      surnames: "Lindqvist",
      dateOfBirth: "1979-08-21",
      nationalities: ["SE"],
    });
    await w.worker();
    const kycCase = await greta.currentCase();
    const reviewer = await signedInStaff(w, "words.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "words.approver@broker.example", "approver");
    const admin = await signedInStaff(w, "words.admin@broker.example", "admin");

    // A request with a reason meant for her and a note that is not; then the approval.
    expect(
      await reviewer.requestInformation(
        kycCase.id,
        ["document:identity"],
        "A sharper photo of your passport, please.",
        { identity: "The lower corner is cut off" },
        "Fonts look edited, compare with the issuer's template",
      ),
    ).toBe("action_requested");
    expect(await reviewer.resumeReview(kycCase.id)).toBe("review_resumed");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();

    // The broker's list gains her: the re-screening opens a monitoring task; one officer clears
    // the hit, an approver confirms it and takes the approval back, each with their reasons.
    writeFileSync(list, `${readFileSync(list, "utf8")}Greta Lindqvist,,1979-08-21,Sweden\n`);
    expect(await w.runListsImportCommand([list])).toMatch(/1 with a new likely match/);
    await w.worker();
    const hitKey = /data-hit="(dsar-pep:[^"]+)"/.exec(await reviewer.casePage(kycCase.id))?.[1];
    expect(hitKey).toBeDefined();
    expect(
      await reviewer.judgeHit(kycCase.id, hitKey!, "false_positive", "Her bank says another woman"),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(kycCase.id, hitKey!, "confirmed", "Same woman as in the press"),
    ).toBe("hit_confirmed");
    expect(await approver.reject(kycCase.id, "sanctions_match", "MLRO told, report filed")).toBe(
      "rejected_final",
    );

    const exported = async () => {
      const { text, data } = await exportFor(admin, kycCase.traderId);
      const [only] = data.cases;
      const decision = (kind: string) => only!.decisions.filter((d) => d.decision === kind);
      const task = only!.reviewTasks.find((t) => t.kind === "monitoring_hit");
      return { text, decision, task };
    };
    const notes = [
      "Fonts look edited",
      "another woman",
      "as in the press",
      "MLRO told",
      "report filed",
    ];

    let { text, decision, task } = await exported();
    for (const note of notes) expect(text).not.toContain(note);
    // The facts: what was asked of her, with its reason; the hit and both verdicts on it; the
    // final rejection that took the approval back; the task's runs and hits, and how it ended.
    expect(decision("request_action")).toEqual([
      expect.objectContaining({
        messageForTrader: "A sharper photo of your passport, please.",
        data: {
          items: [
            { kind: "document", documentType: "identity", reason: "The lower corner is cut off" },
          ],
        },
      }),
    ]);
    const verdicts = [
      ...decision("screening_false_positive"),
      ...decision("screening_confirmed"),
    ].map((d) => d.data);
    expect(verdicts).toEqual([
      expect.objectContaining({
        hitKey,
        source: "dsar-pep",
        level: "likely",
        listedName: "Greta Lindqvist",
      }),
      expect.objectContaining({
        hitKey,
        source: "dsar-pep",
        level: "likely",
        listedName: "Greta Lindqvist",
      }),
    ]);
    expect(JSON.stringify(verdicts)).not.toContain("(withheld)");
    expect(decision("reject")).toEqual([
      expect.objectContaining({
        reasonCode: "sanctions_match",
        data: { kind: "final", revoked: true },
      }),
    ]);
    expect(task).toMatchObject({
      resolution: "revoked",
      data: {
        runIds: [expect.any(String)],
        hits: [expect.objectContaining({ source: "dsar-pep", entryId: hitKey!.split(":")[1] })],
      },
    });

    // No writer of today puts an officer's words or a staff member's id into a decision's or a
    // task's data (a reason is the decision's internal note). This plants what a later writer
    // might, as fault injection, to show it stays out of the copy without anyone listing it.
    w.plantedFault(kycCase.id);
    const [approverRow] = await sqlRows<{ id: string }>(
      w.db.db,
      sql`select id from staff_users where email = 'words.approver@broker.example'`,
    );
    await w.db.db.execute(
      sql`update case_decisions set data = data || jsonb_build_object('note', 'Escalated to the MLRO', 'checkedBy', staff_id::text) where case_id = ${kycCase.id} and decision = 'reject'`,
    );
    await w.db.db.execute(
      sql`update review_tasks set data = data || jsonb_build_object('assignee', closed_by::text) where case_id = ${kycCase.id}`,
    );
    ({ text, decision, task } = await exported());
    expect(text).not.toContain("Escalated to the MLRO");
    expect(text).not.toContain(approverRow!.id);
    expect(decision("reject")[0]?.data).toEqual({
      kind: "final",
      revoked: true,
      note: "(withheld)",
      checkedBy: "(withheld)",
    });
    expect(task?.data).toMatchObject({ runIds: [expect.any(String)], assignee: "(withheld)" });
  });
});

describe("scenario: a trader's copy while a monitoring hit is under review", () => {
  it("leaves out the open task, its hits and notices, records that for staff, and gives them once settled", async () => {
    const w = world();
    const list = path.join(w.dataDir, "held-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);
    const hanna = new Trader(w, 480_021);
    await hanna.completeStandardLevel({
      givenNames: "Hanna",
      surnames: "Virtanen",
      dateOfBirth: "1981-03-14",
      nationalities: ["FI"],
    });
    await w.worker();
    const kycCase = await hanna.currentCase();
    const reviewer = await signedInStaff(w, "held.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "held.approver@broker.example", "approver");
    const admin = await signedInStaff(w, "held.admin@broker.example", "admin");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();

    // The broker's list gains her: the re-screening opens a monitoring task and holds her
    // account; one officer has judged the hit, the second has not yet.
    writeFileSync(list, `${readFileSync(list, "utf8")}Hanna Virtanen,,1981-03-14,Finland\n`);
    expect(await w.runListsImportCommand([list])).toMatch(/1 with a new likely match/);
    await w.worker();
    const hitKey = /data-hit="(held-pep:[^"]+)"/.exec(await reviewer.casePage(kycCase.id))?.[1];
    expect(hitKey).toBeDefined();
    expect(await reviewer.judgeHit(kycCase.id, hitKey!, "false_positive", "Other Hanna")).toBe(
      "hit_awaiting_second",
    );

    const exported = async () => {
      const { text, data } = await exportFor(admin, kycCase.traderId);
      return { text, data, only: data.cases[0]! };
    };
    const recorded = async () =>
      (
        await sqlRows<{ data: unknown }>(
          w.db.db,
          sql`select data from audit_events where action = 'retention.subject_access_exported'
              and trader_id = ${kycCase.traderId} order by id`,
        )
      ).map((r) => subjectAccessExportedData.parse(r.data));

    // While it is open: nothing of the review is in her copy.
    const held = await exported();
    expect(held.only.status).toBe("approved");
    expect(held.only.reviewTasks.filter((t) => t.kind === "monitoring_hit")).toEqual([]);
    expect(held.only.checkRuns.map((r) => r.reason)).toEqual(["submission"]);
    expect(held.only.decisions.map((d) => d.decision)).toEqual(["approve"]);
    expect(held.only.notifications.map((n) => n.type)).not.toContain("case.monitoring_hit");
    expect(held.only.risk).toBeNull();
    expect(held.only.riskLevel).toBeNull();
    expect(
      held.data.auditTrail.map((a) => a.action).filter((a) => a.startsWith("screening.")),
    ).toEqual([]);
    for (const trace of [hitKey!, "monitoring", "rescreen", "Other Hanna"])
      expect(held.text).not.toContain(trace);
    // What she did and was told is there: her answers, documents and the approval.
    expect(held.only.documents.length).toBeGreaterThan(0);
    expect(held.only.events.map((e) => e.event)).toContain("approve");
    // The copy states the ground in the general words every copy carries, nothing more.
    expect(held.data.withheld.find((x) => x.column === "review_in_progress")?.reason).toContain(
      "tip you off",
    );
    // Staff see what was left out, on which case, since when and why.
    const [firstRecord] = await recorded();
    expect(firstRecord?.restricted).toEqual([
      {
        caseId: kycCase.id,
        ground: "tipping_off",
        since: expect.any(String),
        tasks: [{ id: expect.any(String), kind: "monitoring_hit" }],
        withheld: {
          reviewTasks: 1,
          checkRuns: 1,
          decisions: 1,
          notifications: 1,
          auditEntries: expect.any(Number),
          vendorVerifications: 0,
          risk: true,
        },
      },
    ]);
    expect(firstRecord!.restricted[0]!.withheld.auditEntries).toBeGreaterThanOrEqual(2);
    // The staff's evidence export is not the trader's copy: it keeps the open task and the hit.
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      reviewTasks: { kind: string; closedAt: string | null }[];
      screeningHits: { key: string; state: string }[];
    };
    expect(evidence.reviewTasks).toContainEqual(
      expect.objectContaining({ kind: "monitoring_hit", closedAt: null }),
    );
    expect(evidence.screeningHits).toContainEqual(
      expect.objectContaining({ key: hitKey, state: "awaiting_second" }),
    );

    // Settled: the second officer clears the hit, the hold lifts, and the ordinary rules apply.
    expect(await approver.judgeHit(kycCase.id, hitKey!, "false_positive", "Other Hanna")).toBe(
      "monitoring_cleared",
    );
    await w.worker();
    const settled = await exported();
    expect(settled.only.reviewTasks.find((t) => t.kind === "monitoring_hit")).toMatchObject({
      resolution: "cleared",
      data: { hits: [expect.objectContaining({ source: "held-pep" })] },
    });
    expect(settled.only.checkRuns.map((r) => r.reason)).toEqual(["submission", "rescreen"]);
    expect(
      settled.only.decisions.filter((d) => d.decision === "screening_false_positive"),
    ).toHaveLength(2);
    expect(settled.only.notifications.map((n) => n.type)).toEqual(
      expect.arrayContaining(["case.monitoring_hit", "case.monitoring_cleared"]),
    );
    expect(settled.only.risk).toMatchObject({ level: "high", escalated: true });
    expect(settled.data.auditTrail.map((a) => a.action)).toContain("screening.rescreen_hit");
    expect(settled.text).toContain(hitKey!);
    // Her copy never shows what an earlier copy left out: that is the staff's record.
    expect(
      settled.data.auditTrail
        .filter((a) => a.action === "retention.subject_access_exported")
        .map((a) => a.data),
    ).toEqual([{ cases: 1, files: expect.any(Number), restricted: "(withheld)" }]);
    expect((await recorded()).map((r) => r.restricted)).toEqual([firstRecord!.restricted, []]);
  });
});

describe("scenario: erasure requests", () => {
  it("refuses while retention runs (with the date once known) or a hold is set; executes for a draft", async () => {
    const w = world();
    const carl = new Trader(w, 480_003);
    await carl.completeStandardLevel({ surnames: "Carlsen" });
    const carlCase = await carl.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "erase.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(carlCase.id)).toBe("approved");
    const admin = await signedInStaff(w, "erase.admin@broker.example", "admin");

    expect(await reviewer.erasureRequest(carlCase.id)).toBe("error:forbidden");
    expect(await admin.erasureRequest(carlCase.id)).toBe("erasure_refused");
    let page = await admin.casePage(carlCase.id);
    expect(page).toContain('data-reason="retention_not_over" data-runs-at=""');

    const ended = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    expect(await admin.relationshipEnd(carlCase.id, ended)).toBe("relationship_ended");
    expect(await admin.erasureRequest(carlCase.id)).toBe("erasure_refused");
    const runsAt = `${Number(ended.slice(0, 4)) + 5}${ended.slice(4)}`;
    page = await admin.casePage(carlCase.id);
    expect(page).toContain(`data-reason="retention_not_over" data-runs-at="${runsAt}"`);

    expect(await admin.legalHold(carlCase.id, "set", "court order 2026/88 preserve")).toBe(
      "legal_hold_set",
    );
    expect(await admin.erasureRequest(carlCase.id)).toBe("erasure_refused");
    expect(await admin.casePage(carlCase.id)).toContain('data-reason="legal_hold"');

    // A trader who never sent anything: nothing keeps the data.
    const dora = new Trader(w, 480_004);
    await dora.launch("kyc", { kycType: "standard" });
    await dora.fillStandardForms({ surnames: "Dahlberg" });
    const doraCase = await dora.currentCase();
    expect(await admin.erasureRequest(doraCase.id)).toBe("erasure_executed");
    expect(await admin.casePage(doraCase.id)).toContain('data-testid="tombstone"');
    const drafts = await sqlRows<{ n: number }>(
      w.db.db,
      sql`select count(*)::int as n from case_drafts where case_id = ${doraCase.id}`,
    );
    expect(drafts[0]!.n).toBe(0);

    const requests = await sqlRows<{ outcome: string; reason: string | null }>(
      w.db.db,
      sql`select outcome, reason from erasure_requests where trader_id in (${carlCase.traderId}, ${doraCase.traderId}) order by requested_at`,
    );
    expect(requests).toEqual([
      { outcome: "refused", reason: "retention_not_over" },
      { outcome: "refused", reason: "retention_not_over" },
      { outcome: "refused", reason: "legal_hold" },
      { outcome: "executed", reason: null },
    ]);
    const verify = await w.runCommand("scripts/audit-verify.ts");
    expect(verify.code).toBe(0);
  });
});

describe("scenario: a trader's copy after an erasure the storage stopped part-way", () => {
  it("tells the trader how many of their stored files the failed erasure had already deleted", async () => {
    const w = world();
    const fay = new Trader(w, 480_007);
    await fay.launch("kyc", { kycType: "standard" });
    await fay.fillStandardForms({ surnames: "Fagerlund" });
    const uploaded = await fay.upload("identity", "page", await freshPhoto());
    expect(uploaded.status).toBe(200);
    const fayCase = await fay.currentCase();
    // The storage deletes the sealed file, then fails on the upload key.
    const unblock = blockStorageDelete(w, documentKey(fayCase.id, uploaded.documentId!));
    try {
      // An hour on: the upload's form has expired, so nothing but the storage stands in the way.
      setClock(Date.now() + 60 * 60_000);
      const admin = await signedInStaff(w, "halfway.admin@broker.example", "admin");
      expect(await admin.erasureRequest(fayCase.id)).toBe("erasure_failed");

      const { data } = await exportFor(admin, fayCase.traderId);
      expect(data.erasureRequests.map((e) => e.outcome)).toEqual(["failed"]);
      const entry = data.auditTrail.find((a) => a.action === "retention.erasure_requested");
      expect(entry?.data).toEqual({ outcome: "failed", erased: 0, objectsDeleted: 1 });
      // Her rows stay (the case's erasure rolled back); the file they name is gone, and the copy
      // says so rather than failing whole.
      expect(data.cases[0]?.documents.map((d) => d.file)).toEqual([null]);
    } finally {
      unblock();
      jest.useRealTimers();
    }
  });
});

describe("scenario: a trader's copy when a stored file is gone and nothing explains it", () => {
  it("makes no copy, with an error saying why, instead of one that looks complete without the file", async () => {
    const w = world();
    const gil = new Trader(w, 480_011);
    await gil.launch("kyc", { kycType: "standard" });
    await gil.fillStandardForms({ surnames: "Gilmore" });
    const uploaded = await gil.upload("identity", "page", await freshPhoto());
    expect(uploaded.status).toBe(200);
    const gilCase = await gil.currentCase();
    const admin = await signedInStaff(w, "lost.admin@broker.example", "admin");
    // The copy holds her file while the storage has it.
    const before = await exportFor(admin, gilCase.traderId);
    expect(before.data.cases[0]?.documents.map((d) => d.file)).toEqual([
      `documents/${gilCase.id}/${uploaded.documentId}`,
    ]);

    // No erasure was asked for; the object is gone all the same.
    loseStoredObject(w, before.data.cases[0]!.documents[0]!.storageKey);
    const logs = captureLogs();
    try {
      const response = await admin.exportSubjectData(gilCase.traderId);
      expect(response.status).toBe(500);
      expect(((await response.json()) as { message: string }).message).toMatch(
        /stored document file is missing/,
      );
      expect(logs.lines.join("\n")).toContain("retention.subject_access_file_missing");
    } finally {
      logs.stop();
    }
  });
});

describe("scenario: retention records in an older format", () => {
  it("shows an unreadable tombstone or deletion entry as stored, logged, and exports it whole", async () => {
    const w = world();
    // Erin leaves a draft and asks for erasure: the real erasure writes today's tombstone.
    const erin = new Trader(w, 480_005);
    await erin.launch("kyc", { kycType: "standard" });
    await erin.fillStandardForms({ surnames: "Eriksen" });
    const erinCase = await erin.currentCase();
    const admin = await signedInStaff(w, "legacy.admin@broker.example", "admin");
    expect(await admin.erasureRequest(erinCase.id)).toBe("erasure_executed");

    // No flow of today's code writes these shapes: they stand for rows an older release (or a
    // hand repair) left behind, which is why they are planted here and not made by a flow. The
    // tombstone as a release before the hashes were kept wrote it; a deletion entry with the
    // document under another key, appended through the audit trail so that its chain holds.
    await w.db.db.execute(
      sql`update case_retention set tombstone = tombstone - 'submissions' - 'documents' || '{"rule":"erasure"}'::jsonb where case_id = ${erinCase.id}`,
    );
    await appendAuditEvent({
      actorType: "system",
      actorId: "retention",
      action: DOCUMENT_DELETED,
      caseId: erinCase.id,
      traderId: erinCase.traderId,
      data: { document: "legacy-doc-7" },
    });

    const logs = captureLogs();
    try {
      const list = await admin.retentionPage();
      expect(list).toMatch(new RegExp(`data-case="${erinCase.id}" data-format="unrecognised"`));
      expect(list).toContain("Record in an older format:");
      expect(list).toContain("legacy-doc-7");
      expect(list).toContain(`data-action="${DOCUMENT_DELETED}"`);
      const page = await admin.casePage(erinCase.id);
      expect(page).toContain('data-testid="tombstone" data-format="unrecognised"');
      expect(page).toContain("Its tombstone is in an older format");
      // The erasure's forms stay away from an erased case, readable tombstone or not.
      expect(page).not.toContain('data-testid="erasure-submit"');

      const { data } = await exportFor(admin, erinCase.traderId);
      const [erased] = data.cases;
      expect(erased?.retention?.tombstoneRecognised).toBe(false);
      expect(erased?.retention?.tombstone).toMatchObject({ caseId: erinCase.id, rule: "erasure" });
      // The entry is there; a key the export does not know is marked withheld, not shown.
      expect(data.auditTrail.find((a) => a.action === DOCUMENT_DELETED)?.data).toEqual({
        document: "(withheld)",
      });
    } finally {
      logs.stop();
    }
    const unreadable = logs.lines.map((l) => JSON.parse(l) as { event?: string; caseId?: string });
    expect(unreadable.filter((l) => l.event === "retention.tombstone_unreadable")).toEqual(
      expect.arrayContaining([expect.objectContaining({ caseId: erinCase.id })]),
    );
    expect(unreadable.some((l) => l.event === "retention.deletion_unreadable")).toBe(true);
  });
});

describe("scenario: a trader's copy shows a duplicate finding without naming the other trader", () => {
  it("exports that the number and the picture are on record elsewhere, and withholds whose they are", async () => {
    const w = world();
    const photo = await freshPhoto();
    const number = { documentNumber: "D7700123" };
    // Two traders send the same passport number and the same picture of it.
    const first = new Trader(w, 470_001);
    await first.launch("kyc", { kycType: "standard" });
    await first.fillStandardForms({}, number);
    const firstPhoto = await first.upload("identity", "page", photo);
    expect(firstPhoto.status).toBe(200);
    expect((await first.upload("address")).status).toBe(200);
    expect(await first.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const firstCase = await first.currentCase();
    const second = new Trader(w, 470_002);
    await second.launch("kyc", { kycType: "standard" });
    await second.fillStandardForms({ givenNames: "Bert" }, number);
    const upload = await second.upload("identity", "page", photo);
    expect(upload.status).toBe(200);
    expect((await second.upload("address")).status).toBe(200);
    expect(await second.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const secondCase = await second.currentCase();

    // The compliance officer sees whose they are: the findings name the first trader's case.
    const admin = await signedInStaff(w, "dup.admin@broker.example", "admin");
    const page = await admin.casePage(secondCase.id);
    expect(page).toContain('data-check="duplicate_document_number" data-outcome="fail"');
    expect(page).toContain('data-check="duplicate_image" data-outcome="fail"');

    const { text, data } = await exportFor(admin, secondCase.traderId);
    // The other trader's ids are nowhere in the copy.
    for (const id of [firstCase.id, firstCase.traderId, firstPhoto.documentId!])
      expect(text).not.toContain(id);
    const checks = data.cases[0]!.checkRuns.flatMap((r) => r.checks);
    const evidence = (check: string) => checks.find((c) => c.check === check)?.evidence;
    // The findings are there: the number is on record with one other trader, in one other case,
    // and the picture was sent by someone else too, byte for byte.
    expect(evidence("duplicate_document_number")).toMatchObject({
      otherTraders: ["(withheld)"],
      otherCases: ["(withheld)"],
    });
    expect(evidence("duplicate_image")).toEqual({
      reused: [
        expect.objectContaining({
          documentId: upload.documentId,
          usedBy: [{ documentId: "(withheld)", caseId: "(withheld)", exact: true }],
        }),
      ],
    });
    const identity = data.cases[0]!.documents.find((d) => d.id === upload.documentId);
    expect(identity?.quality).toMatchObject({
      usedByOtherTraders: [{ documentId: "(withheld)", caseId: "(withheld)", exact: true }],
    });
    expect(data.withheld).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          table: "case_checks",
          column: "evidence",
          category: "other_people",
        }),
        expect.objectContaining({
          table: "documents",
          column: "quality",
          category: "other_people",
        }),
      ]),
    );
  });
});
