import { auditLogFilter, auditLogSearch, parseAuditLogQuery } from "@/lib/audit/log-query";

const STAFF = "staff:0b9f5c1e-4a57-4f0e-9d59-2a3c7c1f6b10";
const CASE = "5d0c1d4e-8f1a-4b6c-9e0d-2f3a4b5c6d7e";

describe("the audit log's URL", () => {
  it("reads every filter and the page", () => {
    expect(
      parseAuditLogQuery({
        actor: STAFF,
        case: CASE,
        action: "case.claimed",
        from: "2026-11-01",
        to: "2026-11-30",
        page: "3",
      }),
    ).toEqual({
      actor: STAFF,
      case: CASE,
      action: "case.claimed",
      from: "2026-11-01",
      to: "2026-11-30",
      page: 3,
    });
    expect(parseAuditLogQuery({ actor: "system:audit-signer" }).actor).toBe("system:audit-signer");
    expect(parseAuditLogQuery({ actor: "trader" }).actor).toBe("trader");
  });

  it("drops what does not parse, one parameter at a time, and never throws", () => {
    expect(
      parseAuditLogQuery({
        actor: "staff:robert'); drop table",
        case: "12",
        action: "<script>",
        from: "2026-02-30",
        to: "tomorrow",
        page: "0",
      }),
    ).toEqual({ page: 1 });
    expect(parseAuditLogQuery({ page: ["2", "5"], action: ["case.viewed"] })).toEqual({
      action: "case.viewed",
      page: 2,
    });
    expect(parseAuditLogQuery({ page: "1e9" }).page).toBe(1);
  });

  it("takes a period given backwards the right way round; days are whole UTC days, `to` included", () => {
    const query = parseAuditLogQuery({ from: "2026-11-30", to: "2026-11-01" });
    expect(query).toMatchObject({ from: "2026-11-01", to: "2026-11-30" });
    expect(auditLogFilter(query)).toMatchObject({
      from: new Date("2026-11-01T00:00:00Z"),
      before: new Date("2026-12-01T00:00:00Z"),
    });
    expect(auditLogFilter(parseAuditLogQuery({ actor: STAFF })).actor).toEqual({
      type: "staff",
      id: STAFF.slice("staff:".length),
    });
  });

  it("keeps the filters in its links, changing only what a link changes", () => {
    const query = parseAuditLogQuery({ actor: "trader", action: "case.submitted", page: "2" });
    expect(auditLogSearch(query, { page: 3 }).toString()).toBe(
      "actor=trader&action=case.submitted&page=3",
    );
    expect(auditLogSearch(query, { page: 1 }).toString()).toBe(
      "actor=trader&action=case.submitted",
    );
  });
});
