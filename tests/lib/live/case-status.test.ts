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
    let heard = () => {};
    const changed = new Promise<void>((resolve) => (heard = resolve));
    const stop = await subscribeCaseStatus(kycCase.id, () => heard());
    await w.worker();
    await changed;
    expect(await trader.status()).toBe("in_review");
    stop();
    expect(liveListenerCount()).toBe(0);
  });

  postgresOnly(
    "a LISTEN dropped while the database refused to take it back stays silent once it is back",
    async () => {
      const w = world();
      const saved = { ...LIVE_TIMING };
      LIVE_TIMING.probeMs = 200;
      LIVE_TIMING.probeTimeoutMs = 600;
      const admin = postgres(adminUrl()!, { max: 1, onnotice: () => {} });
      // What PostgreSQL sends on the channel for the case, heard on a connection of our own.
      const watcher = postgres(withDatabase(adminUrl()!, w.db.name), {
        max: 1,
        onnotice: () => {},
      });
      let stopFirst = () => {};
      try {
        const trader = new Trader(w, 92_002);
        await trader.launch();
        await trader.continue("personal", PERSONAL);
        const kycCase = await trader.currentCase();
        let lost = () => {};
        const gone = new Promise<void>((resolve) => (lost = resolve));
        stopFirst = await subscribeCaseStatus(kycCase.id, () => {}, lost);
        // An outage of the LISTEN's path: its connection is cut while the database takes no new
        // one (the app's pooled connections keep working), so postgres.js cannot re-listen and
        // the probe finds the LISTEN deaf.
        await admin.unsafe(`alter database "${w.db.name}" allow_connections false`);
        const killed = await admin`
          select pg_terminate_backend(pid) as ok from pg_stat_activity
          where datname = ${w.db.name} and query ilike 'listen%'`;
        expect(killed.length).toBe(1);
        await gone;
        await admin.unsafe(`alter database "${w.db.name}" allow_connections true`);

        let sent = 0;
        await watcher.listen("case_status", (payload) => {
          if (payload === kycCase.id) sent++;
        });
        let changes = 0;
        const stop = await subscribeCaseStatus(kycCase.id, () => changes++);
        try {
          await trader.continue("personal", { ...PERSONAL, firstName: "Anna" });
          const deadline = Date.now() + 5_000;
          while ((sent === 0 || changes < sent) && Date.now() < deadline)
            await new Promise((resolve) => setTimeout(resolve, 50));
          // Time for a second copy of each notification to arrive, were there one.
          await new Promise((resolve) => setTimeout(resolve, 500));
          expect(sent).toBeGreaterThan(0);
          expect(changes).toBe(sent);
        } finally {
          stop();
        }
      } finally {
        stopFirst();
        Object.assign(LIVE_TIMING, saved);
        await admin.unsafe(`alter database "${w.db.name}" allow_connections true`);
        await admin.end();
        await watcher.end();
      }
    },
  );

  postgresOnly(
    "status streams tried during an outage leave no callback behind in the database client",
    async () => {
      const w = world();
      const saved = { ...LIVE_TIMING };
      LIVE_TIMING.probeMs = 200;
      LIVE_TIMING.probeTimeoutMs = 600;
      const admin = postgres(adminUrl()!, { max: 1, onnotice: () => {} });
      const watcher = postgres(withDatabase(adminUrl()!, w.db.name), {
        max: 1,
        onnotice: () => {},
      });
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
        const trader = new Trader(w, 92_003);
        await trader.launch();
        await trader.continue("personal", PERSONAL);
        caseId = (await trader.currentCase()).id;
        let lost = () => {};
        const gone = new Promise<void>((resolve) => (lost = resolve));
        stopFirst = await subscribeCaseStatus(caseId, () => {}, lost);
        // The LISTEN's connection is cut while the database takes no new one: the probe finds
        // the LISTEN deaf and the status screen's EventSource keeps trying, refused each time.
        await admin.unsafe(`alter database "${w.db.name}" allow_connections false`);
        const killed = await admin`
          select pg_terminate_backend(pid) as ok from pg_stat_activity
          where datname = ${w.db.name} and query ilike 'listen%'`;
        expect(killed.length).toBe(1);
        await gone;
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
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
        let sent = 0;
        await watcher.listen("case_status", (payload) => {
          if (payload === caseId) sent++;
        });
        await trader.continue("personal", { ...PERSONAL, firstName: "Anna" });
        const heard = Date.now() + 5_000;
        while ((sent === 0 || handed < sent) && Date.now() < heard)
          await new Promise((resolve) => setTimeout(resolve, 50));
        // Time for the notifications to reach callbacks left behind, were there any.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(sent).toBeGreaterThan(0);
        expect(handed).toBe(sent);
      } finally {
        stop();
        stopFirst();
        setDatabaseOverride(w.db);
        Object.assign(LIVE_TIMING, saved);
        await admin.unsafe(`alter database "${w.db.name}" allow_connections true`);
        await admin.end();
        await watcher.end();
      }
    },
  );

  postgresOnly(
    "a LISTEN found deaf with its connection up is taken back once a probe is heard",
    async () => {
      const w = world();
      const saved = { ...LIVE_TIMING };
      LIVE_TIMING.probeMs = 200;
      LIVE_TIMING.probeTimeoutMs = 600;
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
        const trader = new Trader(w, 92_004);
        await trader.launch();
        await trader.continue("personal", PERSONAL);
        const caseId = (await trader.currentCase()).id;
        let lost = () => {};
        const gone = new Promise<void>((resolve) => (lost = resolve));
        stopFirst = await subscribeCaseStatus(caseId, () => {}, lost);
        deaf = true;
        await gone;
        await expect(subscribeCaseStatus(caseId, () => {})).rejects.toThrow();
        expect(liveListenerCount()).toBe(0);

        // Notifications arrive again: the next status stream is taken, and hears the change.
        deaf = false;
        let heard = () => {};
        const changed = new Promise<void>((resolve) => (heard = resolve));
        stop = await subscribeCaseStatus(caseId, () => heard());
        await trader.continue("personal", { ...PERSONAL, firstName: "Anna" });
        await changed;
      } finally {
        stop();
        stopFirst();
        setDatabaseOverride(w.db);
        Object.assign(LIVE_TIMING, saved);
      }
    },
  );
});
