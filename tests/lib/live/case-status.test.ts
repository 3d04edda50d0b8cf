/**
 * The per-process LISTEN behind the status streams: a LISTEN that fails leaves no listener
 * behind; after an outage each notification reaches one callback, however many streams were
 * tried meanwhile; a LISTEN found deaf takes streams again once it hears.
 */
import "../../scenarios/support/request-scope";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, setDatabaseOverride, type DbHandle } from "@/lib/db/client";
import { LIVE_TIMING, liveListenerCount, subscribeCaseStatus } from "@/lib/live/case-status";
import { PERSONAL } from "../../fixtures/kyc-values";
import { adminUrl, withDatabase } from "../../helpers/db-target";
import { Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";

const world = scenarioWorld();

const postgresOnly = adminUrl() ? it : it.skip;

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise and what settles it. */
function signal(): { done: Promise<void>; fire: () => void } {
  let fire = () => {};
  const done = new Promise<void>((resolve) => (fire = resolve));
  return { done, fire };
}

/** A trader's case with its personal step saved, its status followed until the LISTEN is lost. */
async function followedCase(w: ReturnType<typeof world>, userId: number) {
  const trader = new Trader(w, userId);
  await trader.launch();
  await trader.continue("personal", PERSONAL);
  const caseId = (await trader.currentCase()).id;
  const lost = signal();
  const stop = await subscribeCaseStatus(caseId, () => {}, lost.fire);
  return { trader, caseId, stop, lost: lost.done };
}

/** Probes every 200 ms, a LISTEN taken for deaf after 600 ms unheard; answers what restores them. */
function fastProbes(): () => void {
  const saved = { ...LIVE_TIMING };
  LIVE_TIMING.probeMs = 200;
  LIVE_TIMING.probeTimeoutMs = 600;
  return () => Object.assign(LIVE_TIMING, saved);
}

/**
 * Connections of the test's own: an admin one (to cut the LISTEN) and one on the test's database
 * that hears what PostgreSQL sends on the channel. `end` lets connections in again and closes them.
 */
function outside(database: string) {
  const admin = postgres(adminUrl()!, { max: 1, onnotice: () => {} });
  const watcher = postgres(withDatabase(adminUrl()!, database), { max: 1, onnotice: () => {} });
  const end = async () => {
    await admin.unsafe(`alter database "${database}" allow_connections true`);
    await admin.end();
    await watcher.end();
  };
  return { admin, watcher, end };
}

/**
 * An outage of the LISTEN's path: its connection is cut while the database takes no new one
 * (the app's pooled connections keep working), so postgres.js cannot listen again.
 */
async function cutListen(admin: postgres.Sql, database: string) {
  await admin.unsafe(`alter database "${database}" allow_connections false`);
  const killed = await admin`
    select pg_terminate_backend(pid) as ok from pg_stat_activity
    where datname = ${database} and query ilike 'listen%'`;
  expect(killed.length).toBe(1);
}

/**
 * Waits (at most 5 s) until every notification PostgreSQL sent was counted by the process, then
 * half a second more for a second copy of each, were there one: the counts must then agree.
 */
async function countsAgree(sent: () => number, counted: () => number) {
  const deadline = Date.now() + 5_000;
  while ((sent() === 0 || counted() < sent()) && Date.now() < deadline) await settle(50);
  await settle(500);
  expect(sent()).toBeGreaterThan(0);
  expect(counted()).toBe(sent());
}

describe("live case status", () => {
  postgresOnly("removes the listener when LISTEN fails, and listens again next time", async () => {
    const w = world();
    // A real failure: PostgreSQL refuses the LISTEN connection (no such database).
    const missing = await openDatabase({
      kind: "postgres",
      url: withDatabase(adminUrl()!, `kyc_missing_${randomBytes(4).toString("hex")}`),
      max: 1,
    });
    setDatabaseOverride(missing);
    try {
      await expect(subscribeCaseStatus("any-case", () => {})).rejects.toThrow();
      expect(liveListenerCount()).toBe(0);
    } finally {
      setDatabaseOverride(w.db);
      await missing.close().catch(() => undefined);
    }

    // The trader submits; the worker's checks then move the case into review while we listen.
    const trader = new Trader(w, 92_001);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    const changed = signal();
    const stop = await subscribeCaseStatus(kycCase.id, changed.fire);
    await w.worker();
    await changed.done;
    expect(await trader.status()).toBe("in_review");
    stop();
    expect(liveListenerCount()).toBe(0);
  });

  postgresOnly(
    "a LISTEN dropped while the database refused to take it back stays silent once it is back",
    async () => {
      const w = world();
      const restoreProbes = fastProbes();
      const { admin, watcher, end } = outside(w.db.name);
      let stopFirst = () => {};
      try {
        const { trader, caseId, stop: first, lost } = await followedCase(w, 92_002);
        stopFirst = first;
        // The probe finds the LISTEN deaf.
        await cutListen(admin, w.db.name);
        await lost;
        await admin.unsafe(`alter database "${w.db.name}" allow_connections true`);

        let sent = 0;
        await watcher.listen("case_status", (payload) => {
          if (payload === caseId) sent++;
        });
        let changes = 0;
        const stop = await subscribeCaseStatus(caseId, () => changes++);
        try {
          await trader.continue("personal", { ...PERSONAL, firstName: "Anna" });
          await countsAgree(
            () => sent,
            () => changes,
          );
        } finally {
          stop();
        }
      } finally {
        stopFirst();
        restoreProbes();
        await end();
      }
    },
  );

  postgresOnly(
    "status streams tried during an outage leave no callback behind in the database client",
    async () => {
      const w = world();
      const restoreProbes = fastProbes();
      const { admin, watcher, end } = outside(w.db.name);
      // How many times postgres.js hands the case's notifications to this process's callbacks:
      // once per NOTIFY when it holds one callback, more for every callback left behind.
      let caseId = "";
      let handed = 0;
      const counting: DbHandle = {
        ...w.db,
        listen: (channel, onPayload, onListen) =>
          w.db.listen(
            channel,
            (payload) => {
              if (payload === caseId) handed++;
              onPayload(payload);
            },
            onListen,
          ),
      };
      setDatabaseOverride(counting);
      let stopFirst = () => {};
      let stop = () => {};
      try {
        const followed = await followedCase(w, 92_003);
        const { trader } = followed;
        caseId = followed.caseId;
        stopFirst = followed.stop;
        // The probe finds the LISTEN deaf and the status screen's EventSource keeps trying,
        // refused each time.
        await cutListen(admin, w.db.name);
        await followed.lost;
        for (let attempt = 0; attempt < 3; attempt++)
          await expect(subscribeCaseStatus(caseId, () => {})).rejects.toThrow();
        await admin.unsafe(`alter database "${w.db.name}" allow_connections true`);

        // The database is back: the screen's next attempts get a stream once the LISTEN takes.
        const deadline = Date.now() + 30_000;
        for (;;) {
          try {
            stop = await subscribeCaseStatus(caseId, () => {});
            break;
          } catch (error) {
            if (Date.now() > deadline) throw error;
            await settle(200);
          }
        }
        let sent = 0;
        await watcher.listen("case_status", (payload) => {
          if (payload === caseId) sent++;
        });
        await trader.continue("personal", { ...PERSONAL, firstName: "Anna" });
        await countsAgree(
          () => sent,
          () => handed,
        );
      } finally {
        stop();
        stopFirst();
        setDatabaseOverride(w.db);
        restoreProbes();
        await end();
      }
    },
  );

  postgresOnly(
    "a LISTEN found deaf with its connection up is taken back once a probe is heard",
    async () => {
      const w = world();
      const restoreProbes = fastProbes();
      // The fault: the LISTEN's notifications stop arriving while its connection stays up (as
      // behind a proxy that lost them), so postgres.js has no reason to listen again.
      let deaf = false;
      const muted: DbHandle = {
        ...w.db,
        listen: (channel, onPayload, onListen) =>
          w.db.listen(
            channel,
            (payload) => {
              if (!deaf) onPayload(payload);
            },
            onListen,
          ),
      };
      setDatabaseOverride(muted);
      let stopFirst = () => {};
      let stop = () => {};
      try {
        const { trader, caseId, stop: first, lost } = await followedCase(w, 92_004);
        stopFirst = first;
        deaf = true;
        await lost;
        await expect(subscribeCaseStatus(caseId, () => {})).rejects.toThrow();
        expect(liveListenerCount()).toBe(0);

        // Notifications arrive again: the next status stream is taken, and hears the change.
        deaf = false;
        const changed = signal();
        stop = await subscribeCaseStatus(caseId, changed.fire);
        await trader.continue("personal", { ...PERSONAL, firstName: "Anna" });
        await changed.done;
      } finally {
        stop();
        stopFirst();
        setDatabaseOverride(w.db);
        restoreProbes();
      }
    },
  );
});
