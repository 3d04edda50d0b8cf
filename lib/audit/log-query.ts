/**
 * The audit log's filters as they travel in the URL: each parameter is parsed on its own, and
 * one that does not parse is dropped (the filter falls back to "any"), so a hand-edited or stale
 * link shows the log, never an error.
 */
import { z } from "zod";
import type { AuditLogFilter } from "@/lib/db/queries/audit-log";

export const AUDIT_LOG_PAGE_SIZE = 50;

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

/** `staff:<id>`, `trader:<id>`, `system:<component>`, or a whole kind (`trader`, `ctrader`, …). */
const actor = z
  .string()
  .regex(
    new RegExp(
      `^(?:(?:staff|trader):${UUID}|system:[a-z0-9][a-z0-9._-]{0,63}|staff|trader|system|ctrader)$`,
    ),
  );

const fields = {
  actor,
  case: z.uuid(),
  action: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/),
  from: z.iso.date(),
  to: z.iso.date(),
  page: z.coerce.number().int().min(1).max(100_000),
};

export type AuditLogQuery = {
  actor?: string;
  case?: string;
  action?: string;
  from?: string;
  to?: string;
  page: number;
};

type Params = Record<string, string | string[] | undefined>;

export function parseAuditLogQuery(params: Params): AuditLogQuery {
  const pick = <K extends keyof typeof fields>(key: K) => {
    const raw = params[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === "") return undefined;
    const parsed = fields[key].safeParse(value);
    return parsed.success ? (parsed.data as z.infer<(typeof fields)[K]>) : undefined;
  };
  let from = pick("from");
  let to = pick("to");
  if (from && to && from > to) [from, to] = [to, from];
  return {
    actor: pick("actor")?.toLowerCase(),
    case: pick("case")?.toLowerCase(),
    action: pick("action"),
    from,
    to,
    page: pick("page") ?? 1,
  };
}

const DAY_MS = 86_400_000;

/** The database filter: periods are whole UTC days, `to` included. */
export function auditLogFilter(query: AuditLogQuery): AuditLogFilter {
  const [type, id] = (query.actor?.split(":") ?? []) as [
    NonNullable<AuditLogFilter["actor"]>["type"]?,
    string?,
  ];
  return {
    actor: type ? { type, id } : undefined,
    caseId: query.case,
    action: query.action,
    from: query.from ? new Date(`${query.from}T00:00:00Z`) : undefined,
    before: query.to ? new Date(new Date(`${query.to}T00:00:00Z`).getTime() + DAY_MS) : undefined,
  };
}

/** The query as URL parameters (defaults left out), with some changed: links keep the filters. */
export function auditLogSearch(
  query: AuditLogQuery,
  changes: Partial<AuditLogQuery> = {},
): URLSearchParams {
  const merged = { ...query, ...changes };
  const search = new URLSearchParams();
  for (const key of ["actor", "case", "action", "from", "to"] as const) {
    const value = merged[key];
    if (value) search.set(key, value);
  }
  if (merged.page > 1) search.set("page", String(merged.page));
  return search;
}
