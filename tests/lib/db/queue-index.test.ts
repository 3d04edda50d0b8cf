/**
 * The queue's common filters are served by indexes: the plan PostgreSQL makes for the exact
 * query the console runs never scans kyc_cases sequentially. The tables here are small, so the
 * plan is asked for as for large ones (asIfLarge); `npm run bench:queue` measures the real choice
 * and the time over 50,000 cases.
 */
import { sql } from "drizzle-orm";
import { QUEUE_STATUSES } from "@/lib/db/queries/metrics";
import { explainQueue, type QueueFilter } from "@/lib/db/queries/queue";
import { parseQueueParams, queueFilterOf, QUEUE_PAGE_SIZE } from "@/lib/review/queue";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

const staff = { id: "5b0d4c1e-58a4-4f2e-9c43-1b0f3f9f0d11" };
const filterFor = (query: Record<string, string>): QueueFilter => ({
  ...queueFilterOf(staff, parseQueueParams(query), new Date()),
  offset: 0,
  limit: QUEUE_PAGE_SIZE + 1,
});

type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
};
function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodes)];
}

describe.each([
  ["the default queue", {}],
  ["newest first", { sort: "newest" }],
  ["unassigned", { assignee: "unassigned" }],
  ["mine", { assignee: "me" }],
  ["risk and level", { risk: "high", level: "enhanced" }],
  ["SLA overdue", { overdue: "1" }],
  ["escalated", { escalated: "1" }],
  ["a status", { status: "in_review", queue: "decided" }],
  ["a name search", { q: "ivan petrov" }],
  ["a document number", { q: "XK4471920" }],
  ["a trigger", { trigger: "first_deposit" }],
  ["checks failed", { checksFailed: "1" }],
  ["monitoring hits", { monitoring: "1" }],
  ["an e-mail search", { q: "ivan.petrov@example.com" }],
  ["a number search (user id, login, account)", { q: "4400987" }],
  ["page 20", { page: "20" }],
  ["highest risk first", { sort: "risk" }],
  ["the latest change first", { queue: "decided", sort: "updated" }],
  ["a deep page", { page: "500" }],
  ["decided, a deep page", { queue: "decided", page: "250" }],
])("the queue's plan for %s", (_name, query) => {
  it("reads kyc_cases through an index", async () => {
    const { plan } = await explainQueue(filterFor(query), { asIfLarge: true });
    const all = nodes(JSON.parse(plan) as PlanNode);
    const onCases = all.filter((n) => n["Relation Name"] === "kyc_cases");
    expect(onCases.length).toBeGreaterThan(0);
    expect(onCases.map((n) => n["Node Type"])).not.toContain("Seq Scan");
    expect(all.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"])).toEqual(
      [],
    );
  });
});

describe.each(["oldest", "newest", "risk", "updated"])(
  "the queue's keyset page in the %s order",
  (sort) => {
    it.each(["after", "before"] as const)(
      "reads kyc_cases through an index, %s a case",
      async (direction) => {
        const filter = {
          ...filterFor({ sort }),
          seek: { caseId: "0c4a3b6e-6b1f-4a8e-9d52-7f2d3c1b9e01", direction },
        };
        const { plan } = await explainQueue(filter, { asIfLarge: true });
        const all = nodes(JSON.parse(plan) as PlanNode);
        expect(
          all.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"]),
        ).toEqual([]);
        // The row comparison is the index's condition, not a filter over every case before it.
        const conditions = all.map((n) => (n as { "Index Cond"?: string })["Index Cond"] ?? "");
        expect(conditions.some((c) => /ROW\(\(?(queued_at|updated_at|CASE)/.test(c))).toBe(true);
      },
    );
  },
);

describe.each([
  ["escalated cases", { escalated: "1" }, "case_risk_escalated_cases_idx"],
  ["cases with a failed check", { checksFailed: "1" }, "case_checks_failed_idx"],
])("the queue's plan for %s", (_name, query, index) => {
  it(`reads the few matching rows through ${index}`, async () => {
    const { plan } = await explainQueue(filterFor(query), { asIfLarge: true });
    const used = nodes(JSON.parse(plan) as PlanNode).map((n) => n["Index Name"]);
    expect(used).toContain(index);
  });
});

describe("the dashboard's waiting index", () => {
  // Migration 0030 writes the queue statuses into the index predicate as literals; a query whose
  // status list differs from the predicate silently stops using the index.
  it("lists exactly QUEUE_STATUSES in its predicate", async () => {
    const rows = await t.db.execute<{ indexdef: string }>(
      sql`select indexdef from pg_indexes where indexname = 'kyc_cases_waiting_idx'`,
    );
    const def = [...rows][0]?.indexdef ?? "";
    const list = /status\)::text = ANY \(\(ARRAY\[(.*?)\]\)/.exec(def)?.[1] ?? def;
    const statuses = [...list.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    expect(statuses.sort()).toEqual([...QUEUE_STATUSES].sort());
  });
});
