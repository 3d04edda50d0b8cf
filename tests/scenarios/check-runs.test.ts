/**
 * Scenario: the trader's submit starts the automated checks once the response is sent (Next's
 * `after()`), and the worker's sweep comes round while they still run. One run of the round is
 * recorded, and the case's route, risk and four eyes are that run's.
 *
 * Next runs an `after()` task once the response is sent; here the scenario runs it, at the moment
 * it chooses. The deliveries' first attempt after the response is off (DELIVER_AFTER_RESPONSE=0):
 * only the checks follow the submit, and the worker delivers.
 *
 * The race is staged with a second PostgreSQL connection holding the case's row: the submit's
 * run stops where it records its results (after its seconds of analysis, which the hold stands
 * in for) while the worker runs, so the worker meets a run in flight every time.
 */
import "./support/request-scope";
import { sql } from "drizzle-orm";
import { CHECK_CLAIM_LEASE_MS, CHECK_RUN_MAX_MS } from "@/lib/checks/run";
import { claimCaseChecks, renewCaseChecks } from "@/lib/db/queries/checks";
import { adminUrl } from "../helpers/db-target";
import { captureLogs } from "../helpers/log-capture";
import { sqlRows } from "../helpers/sql-rows";
import { holdCase, inTurnBehindCase } from "./support/faults";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld, setClock, type World } from "./support/world";

const mockAfterResponse: (() => Promise<unknown>)[] = [];
jest.mock("next/server", () => ({
  ...jest.requireActual<typeof import("next/server")>("next/server"),
  after: (task: () => Promise<unknown>) => void mockAfterResponse.push(task),
}));

/** What Next does once the responses so far are sent: runs the `after()` tasks they queued. */
function afterResponses(): Promise<unknown> {
  return Promise.all(mockAfterResponse.splice(0).map((task) => task()));
}

const world = scenarioWorld({ DELIVER_AFTER_RESPONSE: "0" });

const submissionRuns = (w: World, caseId: string) =>
  sqlRows<{ id: string }>(
    w.db.db,
    sql`select id from check_runs where case_id = ${caseId} and reason = 'submission'`,
  );
const runsOf = (w: World, caseId: string) =>
  sqlRows<{ id: string; created_at: Date }>(
    w.db.db,
    sql`select id, created_at from check_runs where case_id = ${caseId} and reason = 'submission'`,
  ).then((rows) => rows.map((r) => ({ ...r, created_at: new Date(r.created_at) })));
const skipped = (lines: string[]) =>
  lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.event === "checks.skipped");
const completedAudits = async (w: World, caseId: string) =>
  (
    await sqlRows<{ n: number }>(
      w.db.db,
      sql`select count(*)::int as n from audit_events
        where case_id = ${caseId} and action = 'checks.completed'`,
    )
  )[0]?.n;
const auditCount = async (w: World, caseId: string, action: string) =>
  (
    await sqlRows<{ n: number }>(
      w.db.db,
      sql`select count(*)::int as n from audit_events
        where case_id = ${caseId} and action = ${action}`,
    )
  )[0]?.n;
const riskRun = async (w: World, caseId: string) =>
  (
    await sqlRows<{ run_id: string }>(
      w.db.db,
      sql`select run_id from case_risk where case_id = ${caseId}`,
    )
  )[0]?.run_id;

/** The trader sends the standard level; the submit's checks wait in `after()`. */
async function submitted(w: World, userId: number) {
  const trader = new Trader(w, userId);
  await trader.launch("kyc", { kycType: "standard" });
  await trader.fillStandardForms();
  await trader.uploadStandardDocuments();
  await afterResponses();
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  return { trader, kycCase: await trader.currentCase() };
}

/**
 * Runs the submit's `after()` checks; once they wait to record their run, `meanwhile` (the
 * worker) runs until it finishes or waits for the case too; then the case is let go.
 */
async function raceTheSubmitsChecks(
  w: World,
  caseId: string,
  meanwhile: () => Promise<unknown>,
): Promise<void> {
  await inTurnBehindCase(w, caseId, afterResponses, meanwhile);
}

const leaseUntil = async (w: World, caseId: string): Promise<number> => {
  const [claim] = await sqlRows<{ lease_until: Date }>(
    w.db.db,
    sql`select lease_until from check_claims where case_id = ${caseId}`,
  );
  return claim ? new Date(claim.lease_until).getTime() : 0;
};

/**
 * The submit's run works (its last step held by the second connection) while `ms` pass on the
 * test's clock and heartbeat timer. Once the renewals the heartbeat sent (in any order) have
 * taken the claim to `renewedTo(started)` and the rest have landed, the worker comes round.
 * Returns when the run started, the logs, and the claim's lease as the worker found it.
 */
async function workPast(
  w: World,
  caseId: string,
  ms: number,
  renewedTo: (started: number) => number,
): Promise<{ started: number; lines: string[]; leaseAtWorker: number }> {
  const started = Date.now();
  const logs = captureLogs();
  let leaseAtWorker = 0;
  setClock(started, { intervals: true });
  try {
    await raceTheSubmitsChecks(w, caseId, async () => {
      jest.advanceTimersByTime(ms);
      for (let waited = 0; (await leaseUntil(w, caseId)) < renewedTo(started);) {
        if ((waited += 50) > 10_000) throw new Error("the claim was never renewed");
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 500));
      leaseAtWorker = await leaseUntil(w, caseId);
      await w.worker();
    });
  } finally {
    jest.useRealTimers();
    logs.stop();
  }
  return { started, lines: logs.lines, leaseAtWorker };
}

describe("scenario: the worker's sweep while the submit's checks run", () => {
  (adminUrl() ? it : it.skip)(
    "records one run of the round; the officer's retry and the worker leave the run in flight alone",
    async () => {
      const w = world();
      const { trader, kycCase } = await submitted(w, 452_001);
      const reviewer = await signedInStaff(w, "runs.reviewer@broker.example", "reviewer");
      let retried: string | undefined;
      let page = "";
      let leaseUntil: Date | undefined;
      const logs = captureLogs();
      try {
        await raceTheSubmitsChecks(w, kycCase.id, async () => {
          // An officer sees no run yet and asks for one; then the worker's pass.
          retried = await reviewer.retryChecks(kycCase.id);
          page = await reviewer.casePage(kycCase.id, { error: retried.replace(/^error:/, "") });
          leaseUntil = (
            await sqlRows<{ lease_until: Date }>(
              w.db.db,
              sql`select lease_until from check_claims where case_id = ${kycCase.id}`,
            )
          )[0]?.lease_until;
          await w.worker();
        });
      } finally {
        logs.stop();
      }
      expect(retried).toBe("error:checks_running");
      // The page the refusal leads to says until when the run in flight keeps the case: should
      // its process have died, that is when a retry goes through.
      expect(leaseUntil).toBeDefined();
      expect(page).toContain('data-testid="checks-claimed-until"');
      expect(page).toMatch(
        new RegExp(
          `checks-claimed-until.*?datetime="${new Date(leaseUntil!).toISOString()}"`,
          "is",
        ),
      );
      // The trail does not say the officer started a run that was refused.
      expect(await auditCount(w, kycCase.id, "checks.retry_requested")).toBe(0);

      const runs = await submissionRuns(w, kycCase.id);
      expect(runs).toHaveLength(1);
      expect(await completedAudits(w, kycCase.id)).toBe(1);
      // The risk the console filters on and the run a reviewer reads are the same run.
      expect(await riskRun(w, kycCase.id)).toBe(runs[0]?.id);
      // Nothing failed: the officer and the worker saw the run in flight and started no other.
      expect(logs.lines.filter((l) => l.includes('"checks.failed"'))).toEqual([]);
      expect(await trader.status()).toBe("in_review");

      await w.worker();
      expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).toEqual(["submitted", "in_review"]);
      expect(await reviewer.approve(kycCase.id)).toBe("approved");
    },
  );

  (adminUrl() ? it : it.skip)(
    "records one run of the round when a run outlives its claim and the worker starts another: the worker's",
    async () => {
      const w = world();
      const { kycCase } = await submitted(w, 452_002);
      const takenOverAt = Date.now() + CHECK_CLAIM_LEASE_MS + 60_000;
      const logs = captureLogs();
      try {
        await raceTheSubmitsChecks(w, kycCase.id, async () => {
          // The submit's run has been stalled past its lease (no heartbeat came through): the
          // worker may take the case over.
          setClock(takenOverAt);
          await w.worker();
        });
      } finally {
        jest.useRealTimers();
        logs.stop();
      }

      const runs = await runsOf(w, kycCase.id);
      expect(runs).toHaveLength(1);
      expect(await completedAudits(w, kycCase.id)).toBe(1);
      expect(await riskRun(w, kycCase.id)).toBe(runs[0]?.id);
      // The run that holds the case records; the one taken over records nothing it found.
      expect(runs[0]!.created_at.getTime()).toBeGreaterThanOrEqual(takenOverAt);
      expect(skipped(logs.lines)).toEqual([
        expect.objectContaining({ caseId: kycCase.id, reason: "checks_running" }),
      ]);
    },
  );

  (adminUrl() ? it : it.skip)(
    "an officer's retry that takes over a stalled run records its own run, and the trail names it",
    async () => {
      const w = world();
      const { kycCase } = await submitted(w, 452_004);
      const reviewer = await signedInStaff(w, "runs.late@broker.example", "reviewer");
      const takenOverAt = Date.now() + CHECK_CLAIM_LEASE_MS + 60_000;
      let retried: string | undefined;
      try {
        await raceTheSubmitsChecks(w, kycCase.id, async () => {
          setClock(takenOverAt);
          retried = await reviewer.retryChecks(kycCase.id);
        });
      } finally {
        jest.useRealTimers();
      }
      // The stalled run finished first; its results were refused, the retry's stand.
      expect(retried).toBe("checks_ran");
      const runs = await runsOf(w, kycCase.id);
      expect(runs).toHaveLength(1);
      expect(runs[0]!.created_at.getTime()).toBeGreaterThanOrEqual(takenOverAt);
      expect(
        await sqlRows<{ data: unknown }>(
          w.db.db,
          sql`select data from audit_events
            where case_id = ${kycCase.id} and action = 'checks.retry_requested'`,
        ),
      ).toEqual([{ data: { round: 1, outcome: "recorded", runIds: [runs[0]!.id] } }]);
    },
  );

  (adminUrl() ? it : it.skip)(
    "a run that works past its lease keeps the case: its heartbeat renews the claim, the worker passes over it",
    async () => {
      const w = world();
      const { kycCase } = await submitted(w, 452_005);
      // Eleven minutes pass while the run works; the worker comes once the claim reaches past it.
      const { started, lines } = await workPast(
        w,
        kycCase.id,
        CHECK_CLAIM_LEASE_MS + 60_000,
        (started) => started + CHECK_CLAIM_LEASE_MS + 2 * 60_000,
      );
      const runs = await runsOf(w, kycCase.id);
      expect(runs).toHaveLength(1);
      // The submit's own run, started before the eleven minutes.
      expect(runs[0]!.created_at.getTime()).toBeLessThan(started + 60_000);
      expect(skipped(lines)).toEqual([]);
      expect(lines.filter((l) => l.includes('"checks.claim_lost"'))).toEqual([]);
    },
  );

  (adminUrl() ? it : it.skip)(
    "a run that hangs keeps the case no longer than its longest run: then the worker takes it over and the hung run records nothing",
    async () => {
      const w = world();
      const { kycCase } = await submitted(w, 452_006);
      const { started, lines, leaseAtWorker } = await workPast(
        w,
        kycCase.id,
        CHECK_RUN_MAX_MS + 60_000,
        (started) => started + 2 * CHECK_CLAIM_LEASE_MS,
      );
      // The renewals the heartbeat sent: none past the longest run.
      expect(leaseAtWorker).toBeLessThanOrEqual(started + CHECK_RUN_MAX_MS);
      const runs = await runsOf(w, kycCase.id);
      expect(runs).toHaveLength(1);
      expect(runs[0]!.created_at.getTime()).toBeGreaterThan(started + CHECK_RUN_MAX_MS);
      expect(lines.filter((l) => l.includes('"checks.run_overdue"'))).toHaveLength(1);
      expect(skipped(lines)).toEqual([
        expect.objectContaining({ caseId: kycCase.id, reason: "checks_running" }),
      ]);
    },
  );

  (adminUrl() ? it : it.skip)(
    "a run taken over that then fails records no failure: the case is the new holder's, and its run stands",
    async () => {
      const w = world();
      const { trader, kycCase } = await submitted(w, 452_007);
      const takenOverAt = Date.now() + CHECK_CLAIM_LEASE_MS + 60_000;
      const held = await holdCase(w, kycCase.id);
      const logs = captureLogs();
      let failuresMeanwhile: unknown[] = [];
      let checksDone = false;
      const checks = afterResponses().then(
        () => (checksDone = true),
        () => (checksDone = true),
      );
      let worker: Promise<unknown> | undefined;
      try {
        // The submit's run stalls where it records (past its lease: no heartbeat came through).
        await held.waiting(1, () => checksDone);
        const stalled = await held.waitingPids();
        expect(stalled).toHaveLength(1);
        // The worker takes the case over and waits to record its own run.
        setClock(takenOverAt);
        let workerDone = false;
        worker = w.worker().finally(() => (workerDone = true));
        await held.waiting(2, () => workerDone);
        // Then the stalled run's statement is cancelled: it fails while the worker holds the case.
        await held.cancel(stalled);
        await checks;
        failuresMeanwhile = await sqlRows(
          w.db.db,
          sql`select round from check_failures where case_id = ${kycCase.id}`,
        );
      } finally {
        await held.release();
        await checks;
        await worker;
        jest.useRealTimers();
        logs.stop();
      }
      // Nothing the console or the sweep reads says the worker's run failed, meanwhile or after.
      expect(failuresMeanwhile).toEqual([]);
      expect(await auditCount(w, kycCase.id, "checks.failed")).toBe(0);
      const entries = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(entries.filter((e) => e.event === "checks.failure_refused")).toEqual([
        expect.objectContaining({ caseId: kycCase.id, reason: "overtaken" }),
      ]);
      // Logged as what it was, a run another run took over, not as a failure someone must look at.
      expect(entries.filter((e) => e.event === "checks.failed")).toEqual([]);
      expect(entries.filter((e) => e.level === "error")).toEqual([]);
      expect(entries.filter((e) => e.event === "checks.skipped")).toEqual([
        expect.objectContaining({ caseId: kycCase.id, reason: "checks_running" }),
      ]);
      const runs = await runsOf(w, kycCase.id);
      expect(runs).toHaveLength(1);
      expect(runs[0]!.created_at.getTime()).toBeGreaterThanOrEqual(takenOverAt);
      expect(await riskRun(w, kycCase.id)).toBe(runs[0]?.id);
      expect(await trader.status()).toBe("in_review");
    },
  );

  it("logs a run that finds the case returned to the trader as skipped, not as a failure", async () => {
    const w = world();
    const { kycCase } = await submitted(w, 452_003);
    // Before the submit's checks start, an officer sends the case back for a newer bill.
    const reviewer = await signedInStaff(w, "runs.early@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(kycCase.id, ["document:address"], "A newer bill, please."),
    ).toBe("action_requested");
    const logs = captureLogs();
    try {
      await afterResponses();
    } finally {
      logs.stop();
    }
    const entries = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.filter((e) => e.event === "checks.failed")).toEqual([]);
    expect(entries.filter((e) => e.event === "checks.skipped")).toEqual([
      expect.objectContaining({ level: "info", caseId: kycCase.id, reason: "changed" }),
    ]);
    expect(await submissionRuns(w, kycCase.id)).toHaveLength(0);
    expect(await auditCount(w, kycCase.id, "checks.failed")).toBe(0);
  });

  it("a heartbeat's renewal that lands after the next one takes back none of the time it gave", async () => {
    const w = world();
    const { kycCase } = await submitted(w, 452_010);
    // The run's claim, as the submit's run takes it; its heartbeats renew it on the run's clock.
    const start = new Date();
    const token = await claimCaseChecks(kycCase.id, start, CHECK_CLAIM_LEASE_MS);
    expect(token).not.toBeNull();
    const at = (ms: number) => new Date(start.getTime() + ms);
    // The second heartbeat's renewal lands first; the first one's, held up in a busy pool, after.
    expect(await renewCaseChecks(kycCase.id, token!, at(2 * 150_000), CHECK_CLAIM_LEASE_MS)).toBe(
      true,
    );
    expect(await renewCaseChecks(kycCase.id, token!, at(150_000), CHECK_CLAIM_LEASE_MS)).toBe(true);
    expect(await leaseUntil(w, kycCase.id)).toBe(at(2 * 150_000 + CHECK_CLAIM_LEASE_MS).getTime());
  });
});
