/**
 * Fault injection, not state: the database refuses a write the way a crash or a killed process
 * would leave it, so a scenario can follow what the next run or a person does about it.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { ADMIN_ROSTER_LOCK } from "@/lib/db/queries/staff";
import type { World } from "./world";

/**
 * The database refuses the write of any re-screening run after the first `done`, so a
 * re-screening stops there (each case's runs commit alone). Undo with `restoreRescreening`.
 */
export async function cutRescreeningAfter(w: World, done: number): Promise<void> {
  await w.db.db.execute(
    sql.raw(`create or replace function test_cut_rescreen() returns trigger language plpgsql as $$
      begin
        if (select count(*) from check_runs where reason = 'rescreen') >= ${done} then
          raise exception 'injected cut: the process stops here';
        end if;
        return new;
      end $$`),
  );
  await w.db.db.execute(
    sql.raw(`create trigger test_cut_rescreen before insert on check_runs
      for each row when (new.reason = 'rescreen') execute function test_cut_rescreen()`),
  );
}

export async function restoreRescreening(w: World): Promise<void> {
  await w.db.db.execute(sql.raw(`drop trigger test_cut_rescreen on check_runs`));
}

/**
 * The database refuses to record the confirm of one upload (the process stops there), until
 * `restoreDocumentConfirms`.
 */
export async function failConfirmOf(w: World, documentId: string): Promise<void> {
  await w.db.db.execute(
    sql.raw(`create or replace function test_fail_confirm() returns trigger language plpgsql as $$
      begin
        raise exception 'injected cut: the process stops here';
      end $$`),
  );
  await w.db.db.execute(
    sql.raw(`create trigger test_fail_confirm before update on documents
      for each row when (old.id = '${documentId.replace(/[^0-9a-f-]/gi, "")}'
        and new.status <> 'pending') execute function test_fail_confirm()`),
  );
}

export async function restoreDocumentConfirms(w: World): Promise<void> {
  await w.db.db.execute(sql.raw(`drop trigger test_fail_confirm on documents`));
}

/**
 * Another writer holds the case's row (a second PostgreSQL connection) while `start` runs, until
 * `waiters` of its requests wait for that writer's lock: they have all read the case before any of
 * them writes. Then `meanwhile` runs (what others do while those requests wait), the row is let
 * go and `start`'s result answered. `keyShare` holds the row as an insert referencing the case
 * does (FOR KEY SHARE): only a writer that takes the whole row (FOR UPDATE) waits, a trader's
 * upload does not. `caseKey` holds the case's key row instead (as a key rotation would): the
 * purge then has the case's own row locked and waits at the key, later in its erasure.
 * `meanwhile` may start requests of its own and wait (`untilWaiting`) until `n` requests in all
 * wait behind the held row, or until `settled` (such a request that did not wait) is answered.
 * PostgreSQL only.
 */
export async function whileCaseHeld<T>(
  w: World,
  caseId: string,
  waiters: number,
  start: () => Promise<T>,
  held: {
    meanwhile?: (
      untilWaiting: (n: number, settled?: Promise<unknown>) => Promise<void>,
    ) => Promise<void>;
    keyShare?: boolean;
    caseKey?: boolean;
  } = {},
): Promise<T> {
  if (w.db.target?.kind !== "postgres") throw new Error("needs PostgreSQL");
  const other = postgres(w.db.target.url, { max: 2, onnotice: () => {} });
  let started: Promise<T> | undefined;
  try {
    await other.begin(async (tx) => {
      const [holder] = held.caseKey
        ? await tx<{ pid: number }[]>`
            select pg_backend_pid() as pid from case_keys where case_id = ${caseId} for update`
        : await tx<{ pid: number }[]>`
            select pg_backend_pid() as pid from kyc_cases where id = ${caseId}
            ${held.keyShare ? tx`for key share` : tx`for no key update`}`;
      if (!holder) throw new Error(`no case ${caseId}`);
      // Only requests held up by this row lock count, directly or behind another such request
      // (PostgreSQL queues a row's waiters): any other wait in the database is not the race
      // the test stages.
      const waiting = async () => {
        const [row] = await other<{ n: number }[]>`
          with recursive held (pid) as (
            select pid from pg_stat_activity
            where datname = current_database() and ${holder.pid}::int = any(pg_blocking_pids(pid))
            union
            select a.pid from pg_stat_activity a join held h on h.pid = any(pg_blocking_pids(a.pid))
            where a.datname = current_database()
          )
          select count(*)::int as n from held`;
        return row?.n ?? 0;
      };
      const untilWaiting = async (n: number, settled?: Promise<unknown>) => {
        let done = false;
        settled?.then(
          () => (done = true),
          () => (done = true),
        );
        for (let waited = 0; !done && (await waiting()) < n; waited += 50) {
          if (waited > 20_000) throw new Error(`never ${n} waiting for the case`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      let settled = false;
      started = start();
      started.then(
        () => (settled = true),
        () => (settled = true),
      );
      for (let waited = 0; ; waited += 50) {
        // Answered without waiting for the case: its own error says why, or the race never was.
        if (settled) {
          await started;
          throw new Error("answered without waiting for the case: the race was not staged");
        }
        if ((await waiting()) >= waiters) {
          await held.meanwhile?.(untilWaiting);
          break;
        }
        if (waited > 20_000) throw new Error(`never ${waiters} waiting for the case`);
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    return await (started as Promise<T>);
  } finally {
    await started?.catch(() => undefined);
    await other.end();
  }
}

type HeldRows = {
  waiting(n: number, settled?: () => boolean): Promise<void>;
  /** The database connections waiting for the held rows now (their backends' pids). */
  waitingPids(): Promise<number[]>;
  /**
   * Those connections' statements are cancelled (a statement timeout, an operator's cancel): the
   * work waiting there fails with a database error.
   */
  cancel(pids: number[]): Promise<void>;
  release(): Promise<void>;
};

/**
 * Another writer (a second PostgreSQL connection) holds the case's row until `release`, so work
 * started meanwhile stops where it would write the case. `waiting(n, settled)` resolves once `n`
 * requests wait for that row lock (directly or queued behind another such request), or once
 * `settled()` says the work being watched finished without waiting. PostgreSQL only.
 */
export function holdCase(w: World, caseId: string): Promise<HeldRows> {
  return holdRows(
    w,
    (tx) => tx<{ pid: number }[]>`
      select pg_backend_pid() as pid from kyc_cases where id = ${caseId} for no key update`,
    `no case ${caseId}`,
  );
}

/**
 * Starts `requests` one after another while another writer holds the case's row: each starts
 * once those before it wait for that row (or have answered), so they reach the case in that
 * order when it is let go. Answers their results in order. PostgreSQL only.
 */
export async function inTurnBehindCase<T extends unknown[]>(
  w: World,
  caseId: string,
  ...requests: { [K in keyof T]: () => Promise<T[K]> }
): Promise<T> {
  const held = await holdCase(w, caseId);
  const running: Promise<unknown>[] = [];
  try {
    for (const request of requests) {
      let settled = false;
      const answer = request().finally(() => (settled = true));
      // Awaited below, after the release; a refusal meanwhile is not unhandled.
      answer.catch(() => undefined);
      running.push(answer);
      await held.waiting(running.length, () => settled);
    }
  } finally {
    await held.release();
  }
  return (await Promise.all(running)) as T;
}

/**
 * Another admin's change is in flight: it holds the lock such changes queue on and the staff
 * accounts of `emails` (FOR UPDATE) until `release`; admins' changes started meanwhile queue
 * behind it, so they race once it lets go. See holdCase for `waiting`. PostgreSQL only.
 */
export function holdStaffAccounts(w: World, emails: string[]): Promise<HeldRows> {
  return holdRows(
    w,
    async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${ADMIN_ROSTER_LOCK}))`;
      return tx<{ pid: number }[]>`
        select pg_backend_pid() as pid from staff_users where email in ${tx(emails)}
        order by id for update`;
    },
    `no accounts ${emails.join(", ")}`,
  );
}

/**
 * A co-signature of another case is in flight: it holds the staff account of `email` FOR SHARE,
 * as an approval holds its signers' rows until it commits, until `release`. Other signatures of
 * that account go on (they share it); a change to the account waits. See holdCase for
 * `waiting`. PostgreSQL only.
 */
export function holdSignerAccount(w: World, email: string): Promise<HeldRows> {
  return holdRows(
    w,
    (tx) => tx<{ pid: number }[]>`
      select pg_backend_pid() as pid from staff_users where email = ${email} for share`,
    `no account ${email}`,
  );
}

async function holdRows(
  w: World,
  lock: (tx: postgres.TransactionSql) => Promise<{ pid: number }[]>,
  missing: string,
): Promise<HeldRows> {
  if (w.db.target?.kind !== "postgres") throw new Error("needs PostgreSQL");
  const other = postgres(w.db.target.url, { max: 2, onnotice: () => {} });
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  let holderPid: number | undefined;
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = other.begin(async (tx) => {
    const [holder] = await lock(tx);
    if (!holder) throw new Error(missing);
    holderPid = holder.pid;
    locked();
    await released;
  });
  await Promise.race([isLocked, done]);
  const waitingPids = async () =>
    (
      await other<{ pid: number }[]>`
        with recursive held (pid) as (
          select pid from pg_stat_activity
          where datname = current_database() and ${holderPid!}::int = any(pg_blocking_pids(pid))
          union
          select a.pid from pg_stat_activity a join held h on h.pid = any(pg_blocking_pids(a.pid))
          where a.datname = current_database()
        )
        select pid from held`
    ).map((r) => r.pid);
  return {
    async waiting(n, settled = () => false) {
      for (let waited = 0; !settled(); waited += 50) {
        if ((await waitingPids()).length >= n) return;
        if (waited > 20_000) throw new Error(`never ${n} waiting for the rows`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    waitingPids,
    async cancel(pids) {
      for (const pid of pids) await other`select pg_cancel_backend(${pid}::int)`;
    },
    async release() {
      letGo();
      try {
        await done;
      } finally {
        await other.end();
      }
    },
  };
}

/**
 * A trigger that makes the database refuse the statement `on` describes (the process dies
 * there), until `removeCut(w, name, table)`.
 */
async function injectCut(
  w: World,
  name: string,
  on: { event: "insert" | "update"; table: string; when: string },
): Promise<void> {
  await w.db.db.execute(
    sql.raw(`create or replace function ${name}() returns trigger
      language plpgsql as $$
      begin
        raise exception 'injected cut: the process stops here';
      end $$`),
  );
  await w.db.db.execute(
    sql.raw(`create trigger ${name} before ${on.event} on ${on.table}
      for each row when (${on.when}) execute function ${name}()`),
  );
}

async function removeCut(w: World, name: string, table: string): Promise<void> {
  await w.db.db.execute(sql.raw(`drop trigger ${name} on ${table}`));
}

/**
 * The database refuses to close a case's monitoring task (the process dies between a verdict
 * and the close that follows it), until `restoreMonitoringCloses`.
 */
export function failMonitoringCloses(w: World): Promise<void> {
  return injectCut(w, "test_fail_monitoring_close", {
    event: "update",
    table: "review_tasks",
    when: "old.kind = 'monitoring_hit' and old.closed_at is null and new.closed_at is not null",
  });
}

export function restoreMonitoringCloses(w: World): Promise<void> {
  return removeCut(w, "test_fail_monitoring_close", "review_tasks");
}

/**
 * The database refuses to write a `case.account_changed` event (the process dies at the launch's
 * last write), until `restoreAccountChanges`.
 */
export function failAccountChanges(w: World): Promise<void> {
  return injectCut(w, "test_fail_account_change", {
    event: "insert",
    table: "outbox_events",
    when: "new.type = 'case.account_changed'",
  });
}

export function restoreAccountChanges(w: World): Promise<void> {
  return removeCut(w, "test_fail_account_change", "outbox_events");
}

/**
 * The database refuses to write any audit line of `action` (the process dies as it writes it),
 * until `restoreAuditLines`.
 */
export function failAuditLines(w: World, action: string): Promise<void> {
  return injectCut(w, "test_fail_audit_line", {
    event: "insert",
    table: "audit_events",
    when: `new.action = '${action.replace(/[^a-z_.]/gi, "")}'`,
  });
}

export function restoreAuditLines(w: World): Promise<void> {
  return removeCut(w, "test_fail_audit_line", "audit_events");
}

/**
 * The database refuses to log a delivery attempt whose note has this code (the process stops as
 * the outcome is recorded), until `restoreAttemptLogs`.
 */
export function failAttemptLogs(w: World, noteCode: string): Promise<void> {
  return injectCut(w, "test_fail_attempt_log", {
    event: "insert",
    table: "delivery_attempts",
    when: `new.note like '%"${noteCode.replace(/[^a-z_]/gi, "")}"%'`,
  });
}

export function restoreAttemptLogs(w: World): Promise<void> {
  return removeCut(w, "test_fail_attempt_log", "delivery_attempts");
}

/**
 * Another launch of the trader is opening a case (a second PostgreSQL connection's insert of an
 * open case, not yet committed) until `release`, which rolls it back: a launch of ours that opens
 * a case meanwhile has its case's opening time set and waits at the one-open-case index, then
 * commits its case. `waiting(n, settled)` resolves once `n` requests wait for that insert, or
 * once `settled()` says the work being watched finished without waiting. PostgreSQL only.
 */
export async function holdCaseOpening(
  w: World,
  traderId: string,
): Promise<{
  waiting(n: number, settled?: () => boolean): Promise<void>;
  release(): Promise<void>;
}> {
  if (w.db.target?.kind !== "postgres") throw new Error("needs PostgreSQL");
  const other = postgres(w.db.target.url, { max: 2, onnotice: () => {} });
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  let holderPid: number | undefined;
  let opened!: () => void;
  const isOpened = new Promise<void>((resolve) => (opened = resolve));
  const rolledBack = new Error("the other launch's case is rolled back");
  const done = other
    .begin(async (tx) => {
      const [holder] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      holderPid = holder!.pid;
      await tx`insert into kyc_cases (trader_id, level) values (${traderId}, 'standard')`;
      opened();
      await released;
      throw rolledBack;
    })
    .catch((error: unknown) => {
      if (error !== rolledBack) throw error;
    });
  await Promise.race([isOpened, done]);
  return {
    async waiting(n, settled = () => false) {
      for (let waited = 0; !settled(); waited += 50) {
        const [row] = await other<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and ${holderPid!}::int = any(pg_blocking_pids(pid))`;
        if ((row?.n ?? 0) >= n) return;
        if (waited > 20_000) throw new Error(`never ${n} waiting for the other launch`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async release() {
      letGo();
      try {
        await done;
      } finally {
        await other.end();
      }
    },
  };
}

/**
 * The `local` storage cannot delete the object at `key` (a directory stands there, as a disk
 * that refuses the unlink would), until the returned function takes it away (a second call does
 * nothing, so a `finally` may call it again).
 */
export function blockStorageDelete(w: World, key: string): () => void {
  const object = path.join(w.dataDir, "documents", key);
  if (existsSync(object)) rmSync(object);
  mkdirSync(path.join(object, "in-the-way"), { recursive: true });
  return () => rmSync(object, { recursive: true, force: true });
}

/** The `local` storage has lost the object at `key` (a wrong bucket, a disk restored without it). */
export function loseStoredObject(w: World, key: string): void {
  rmSync(path.join(w.dataDir, "documents", key));
}

const UNFINISHED_CLAIM_HOLD = "test_hold_unfinished_claim";

/**
 * The worker's pass that finds the delivery's last claim never finished is held just before it
 * commits that claim (a slow transaction: a trigger waits on a lock this helper holds), until
 * `release`; it then goes on to record the delivery dead. Anything that writes the delivery
 * meanwhile (the hung send answering) waits for that commit and lands first. See holdCase for
 * `waiting`. PostgreSQL only.
 */
export async function holdUnfinishedClaim(w: World, deliveryId: number): Promise<HeldRows> {
  await w.db.db.execute(
    sql.raw(`create or replace function ${UNFINISHED_CLAIM_HOLD}() returns trigger
      language plpgsql as $$
      begin
        perform pg_advisory_xact_lock_shared(hashtext('${UNFINISHED_CLAIM_HOLD}'));
        return new;
      end $$`),
  );
  // The claim of a never-finished delivery renews the lease and nothing else.
  await w.db.db.execute(
    sql.raw(`create trigger ${UNFINISHED_CLAIM_HOLD} after update on deliveries
      for each row when (old.id = ${Math.trunc(deliveryId)} and new.status = 'pending'
        and new.attempts = old.attempts and old.locked_until is not null
        and new.locked_until > old.locked_until)
      execute function ${UNFINISHED_CLAIM_HOLD}()`),
  );
  const held = await holdRows(
    w,
    async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${UNFINISHED_CLAIM_HOLD}))`;
      return tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
    },
    "no lock",
  );
  let released: Promise<void> | undefined;
  return {
    ...held,
    release: () =>
      (released ??= held
        .release()
        .finally(() => removeCut(w, UNFINISHED_CLAIM_HOLD, "deliveries"))),
  };
}
