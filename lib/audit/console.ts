/**
 * The audit log as the console shows it (admins only; the pages and the export route check the
 * role): rows with their actors by name and their chain hash, the filter's choices, and the CSV
 * export of the filtered rows, which is itself audited (`audit.exported`, with the filter and the
 * number of rows) since it takes personal data out of the system.
 */
import "server-only";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import {
  getActorNames,
  listAuditActions,
  listAuditLog,
  listStaffNames,
  listSystemActors,
} from "@/lib/db/queries/audit-log";
import type { AuditEvent } from "@/lib/db/schema";
import { csvLine } from "@/lib/csv";
import { AUDIT_LOG_PAGE_SIZE, auditLogFilter, type AuditLogQuery } from "./log-query";

export const AUDIT_EXPORTED_ACTION = "audit.exported";
/** Rows in one export; a larger period is exported in parts (the filter narrows it). */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;

/** `actorName` is null where no name is known (an account or trader gone): the page says so. */
export type AuditLogRow = AuditEvent & { actorName: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function withActorNames(rows: AuditEvent[]): Promise<AuditLogRow[]> {
  const idsOf = (type: string) => [
    ...new Set(
      rows.filter((r) => r.actorType === type && UUID.test(r.actorId)).map((r) => r.actorId),
    ),
  ];
  const names = await getActorNames({ staff: idsOf("staff"), traders: idsOf("trader") });
  return rows.map((row) => ({
    ...row,
    actorName:
      row.actorType === "staff"
        ? (names.staff.get(row.actorId) ?? null)
        : row.actorType === "trader"
          ? (names.traders.get(row.actorId) ?? null)
          : row.actorType === "ctrader"
            ? "cTrader"
            : row.actorId,
  }));
}

/**
 * One choice of the actor filter: `kind` says what it is (the page words it in the officer's
 * language), `name` is a person's or a system part's own name where it has one.
 */
export type ActorChoice = {
  value: string;
  kind: "anyStaff" | "staff" | "anyTrader" | "ctrader" | "anySystem" | "system";
  name: string;
};

/** The actor filter's choices: every console account by name, the system's parts, traders. */
export async function auditActorChoices(): Promise<ActorChoice[]> {
  const [staff, system] = await Promise.all([listStaffNames(), listSystemActors()]);
  return [
    { value: "staff", kind: "anyStaff", name: "" },
    ...staff.map((s) => ({
      value: `staff:${s.id}`,
      kind: "staff" as const,
      name: s.name === s.email ? s.name : `${s.name} (${s.email})`,
    })),
    { value: "trader", kind: "anyTrader", name: "" },
    { value: "ctrader", kind: "ctrader", name: "cTrader" },
    { value: "system", kind: "anySystem", name: "" },
    ...system.map((name) => ({ value: `system:${name}`, kind: "system" as const, name })),
  ];
}

export async function loadAuditLog(query: AuditLogQuery): Promise<{
  rows: AuditLogRow[];
  hasNext: boolean;
  actors: ActorChoice[];
  actions: string[];
}> {
  const [page, actors, actions] = await Promise.all([
    listAuditLog(auditLogFilter(query), {
      limit: AUDIT_LOG_PAGE_SIZE + 1,
      offset: (query.page - 1) * AUDIT_LOG_PAGE_SIZE,
    }),
    auditActorChoices(),
    listAuditActions(),
  ]);
  return {
    rows: await withActorNames(page.slice(0, AUDIT_LOG_PAGE_SIZE)),
    hasNext: page.length > AUDIT_LOG_PAGE_SIZE,
    actors,
    actions,
  };
}

const CSV_COLUMNS = [
  "seq",
  "occurred_at",
  "actor_type",
  "actor_id",
  "actor",
  "action",
  "case_id",
  "trader_id",
  "data",
  "prev_hash",
  "hash",
] as const;

const BATCH = 1_000;

/** The filtered rows (all pages, newest first) as CSV; the export is audited as `staff`'s. */
export async function exportAuditLogCsv(
  query: AuditLogQuery,
  staff: { id: string },
): Promise<{ csv: string; rows: number; truncated: boolean }> {
  const filter = auditLogFilter(query);
  const lines = [csvLine(CSV_COLUMNS)];
  let after: { occurredAt: Date; id: number } | undefined;
  let rows = 0;
  let truncated = false;
  for (;;) {
    const batch = await listAuditLog(filter, { limit: BATCH, after });
    for (const row of await withActorNames(batch)) {
      if (rows === AUDIT_EXPORT_MAX_ROWS) {
        truncated = true;
        break;
      }
      lines.push(
        csvLine([
          row.seq,
          row.occurredAt,
          row.actorType,
          row.actorId,
          // Spreadsheet data, like the column names: the same words whoever exports.
          row.actorName ?? (row.actorType === "staff" ? "Unknown account" : "Trader"),
          row.action,
          row.caseId,
          row.traderId,
          row.data,
          row.prevHash,
          row.hash,
        ]),
      );
      rows += 1;
    }
    const last = batch[batch.length - 1];
    if (truncated || batch.length < BATCH || !last) break;
    after = { occurredAt: last.occurredAt, id: last.id };
  }
  await appendAuditEvent({
    actorType: "staff",
    actorId: staff.id,
    action: AUDIT_EXPORTED_ACTION,
    caseId: query.case ?? null,
    data: {
      filter: {
        actor: query.actor,
        case: query.case,
        action: query.action,
        from: query.from,
        to: query.to,
      },
      rows,
      truncated,
    },
  });
  return { csv: lines.join(""), rows, truncated };
}
