/**
 * /api/metrics through real flows: the numbers move because a trader submitted and the worker
 * ran, not because a test wrote rows.
 */
import "../../scenarios/support/request-scope";
import { GET } from "@/app/api/metrics/route";
import { Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";

const TOKEN = "metrics-token-for-tests-0123456789abcdef";
const world = scenarioWorld({ METRICS_TOKEN: TOKEN });

const scrape = (authorization?: string) =>
  GET(
    new Request("http://localhost/api/metrics", {
      headers: authorization ? { authorization } : {},
    }),
  );

/** One exposition line: a comment (HELP/TYPE), or `name{labels} value`. */
const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(
  `^(${NAME})(\\{([a-zA-Z_][a-zA-Z0-9_]*="(\\\\.|[^"\\\\])*",?)*\\})? (NaN|[+-]Inf|-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?)$`,
);
const HELP = new RegExp(`^# HELP (${NAME}) .+$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

async function metrics(): Promise<Map<string, number>> {
  const response = await scrape(`Bearer ${TOKEN}`);
  expect(response.status).toBe(200);
  const text = await response.text();
  const values = new Map<string, number>();
  for (const line of text.trimEnd().split("\n")) {
    const sample = SAMPLE.exec(line);
    if (sample) values.set(line.slice(0, line.lastIndexOf(" ")), Number(line.split(" ").at(-1)));
  }
  return values;
}
const value = (all: Map<string, number>, key: string) => all.get(key) ?? 0;

describe("/api/metrics", () => {
  it("is absent (404) while METRICS_TOKEN is unset", async () => {
    const w = world();
    w.configure({ METRICS_TOKEN: undefined });
    try {
      expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(404);
    } finally {
      w.configure({ METRICS_TOKEN: TOKEN });
    }
  });

  it("refuses a missing, wrong or near-miss key with 401", async () => {
    world();
    for (const auth of [undefined, "Bearer wrong", `Bearer ${TOKEN}x`, TOKEN, `Basic ${TOKEN}`]) {
      const response = await scrape(auth);
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain("kyc_");
    }
  });

  it("answers in the Prometheus text format: every line a valid exposition line, each family described once", async () => {
    world();
    const response = await scrape(`Bearer ${TOKEN}`);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    expect(text.endsWith("\n")).toBe(true);
    const described = new Set<string>();
    const typed = new Map<string, string>();
    for (const line of text.trimEnd().split("\n")) {
      const help = HELP.exec(line);
      const type = TYPE.exec(line);
      const sample = SAMPLE.exec(line);
      expect({ line, valid: Boolean(help ?? type ?? sample) }).toEqual({ line, valid: true });
      if (help) {
        expect(described.has(help[1]!)).toBe(false);
        described.add(help[1]!);
      }
      if (type) typed.set(type[1]!, type[2]!);
      if (sample) {
        const family = [...typed.keys()].find(
          (name) =>
            sample[1] === name || /^_(bucket|sum|count)$/.test(sample[1]!.slice(name.length)),
        );
        expect({ line, family: family !== undefined }).toEqual({ line, family: true });
      }
    }
    expect([...typed.keys()].sort()).toEqual(
      [
        "kyc_audit_chain_intact",
        "kyc_audit_chain_verified_age_seconds",
        "kyc_check_failures",
        "kyc_check_runs_total",
        "kyc_deliveries_dead",
        "kyc_deliveries_due",
        "kyc_document_check_duration_seconds",
        "kyc_live_status_streams",
        "kyc_review_queue_cases",
        "kyc_review_sla_breaches",
        "kyc_screening_list_age_seconds",
        "kyc_screening_list_fetch_failing",
        "kyc_screening_list_unreadable",
      ].sort(),
    );
  });

  it("moves with a trader's submit and the worker's checks: queue depth, document checks, deliveries, check runs", async () => {
    const w = world();
    const before = await metrics();
    const trader = new Trader(w, 530_001);
    await trader.completeStandardLevel();

    const submitted = await metrics();
    expect(value(submitted, 'kyc_review_queue_cases{status="submitted"}')).toBe(
      value(before, 'kyc_review_queue_cases{status="submitted"}') + 1,
    );
    // Two documents (identity, address), each checked on the server at its confirm.
    expect(value(submitted, "kyc_document_check_duration_seconds_count")).toBe(
      value(before, "kyc_document_check_duration_seconds_count") + 2,
    );
    expect(value(submitted, 'kyc_document_check_duration_seconds_bucket{le="+Inf"}')).toBe(
      value(submitted, "kyc_document_check_duration_seconds_count"),
    );
    // The "submitted" webhook waits for the worker (no after() outside a request).
    expect(value(submitted, 'kyc_deliveries_due{destination="webhook:crm"}')).toBeGreaterThan(0);

    await w.worker();
    const checked = await metrics();
    expect(value(checked, 'kyc_review_queue_cases{status="submitted"}')).toBe(
      value(before, 'kyc_review_queue_cases{status="submitted"}'),
    );
    expect(value(checked, 'kyc_review_queue_cases{status="in_review"}')).toBe(
      value(before, 'kyc_review_queue_cases{status="in_review"}') + 1,
    );
    expect(value(checked, 'kyc_check_runs_total{reason="submission"}')).toBe(
      value(before, 'kyc_check_runs_total{reason="submission"}') + 1,
    );
    expect(value(checked, 'kyc_deliveries_due{destination="webhook:crm"}')).toBe(0);
    expect(value(checked, "kyc_review_sla_breaches")).toBe(0);
  });

  it("reports the audit chain's latest verification by the worker: intact, and how long ago", async () => {
    const w = world();
    await w.worker();
    const all = await metrics();
    expect(all.get("kyc_audit_chain_intact")).toBe(1);
    expect(all.get("kyc_audit_chain_verified_age_seconds")).toBeGreaterThanOrEqual(0);
  });
});
