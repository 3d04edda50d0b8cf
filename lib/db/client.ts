/**
 * The database handle. PostgreSQL through postgres.js when DATABASE_URL is set; otherwise an
 * embedded PGlite (PostgreSQL compiled to WASM) on disk under DATA_DIR, so `npm run dev` needs no
 * database server. Both run the same drizzle/ migrations; only lib/db/queries uses the handle.
 */
import "server-only";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import * as schema from "./schema";
import {
  MIGRATION_LOCK_KEY,
  applyMigrations,
  migrationsFolder,
  waitForSchema,
  type MigrationTarget,
} from "./schema-version";

export type Db = PostgresJsDatabase<typeof schema>;
export type DbHandle = {
  db: Db;
  kind: "postgres" | "pglite";
  /** Applies the pending drizzle/ migrations under the migration lock; the tags it applied. */
  migrate(): Promise<string[]>;
  /** The newest applied migration's journal `when`; null on a database never migrated. */
  schemaVersion(): Promise<number | null>;
  close(): Promise<void>;
  /**
   * LISTEN on a channel for the life of the handle; resolves once the LISTEN is in place.
   * `onListen` is called each time it is: at the start and again after every reconnect, since a
   * notification sent while the connection was down is lost and the caller must read again.
   * Register once per channel and never again, also after a rejection: postgres.js keeps the
   * callbacks of a LISTEN that failed and listens with them after its next connection (calling
   * `onListen`), so each further call would add callbacks that every notification then reaches.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onListen?: () => void,
  ): Promise<void>;
};

// turbopackIgnore: these are runtime paths, not files to trace or watch (watching the PGlite
// directory made `next dev` reload the page after every query).

/** Both engines' migrations table (drizzle's default); two queries, since a missing one is normal. */
const MIGRATIONS_TABLE_EXISTS =
  "select to_regclass('drizzle.__drizzle_migrations') is not null as exists";
const NEWEST_MIGRATION =
  "select max(created_at)::text as version from drizzle.__drizzle_migrations";

export async function openDatabase(
  target:
    | {
        kind: "postgres";
        url: string;
        max?: number;
        /**
         * False behind a transaction pooler: consecutive statements of one client may land on
         * different server connections, where a named prepared statement does not exist.
         */
        prepare?: boolean;
      }
    | { kind: "pglite"; dataDir: string | "memory" },
): Promise<DbHandle> {
  if (target.kind === "postgres") {
    const client = postgres(target.url, {
      max: target.max ?? 10,
      prepare: target.prepare ?? true,
      onnotice: () => {},
    });
    const db = drizzlePostgres(client, { schema });
    const migrationTarget: MigrationTarget = {
      schemaVersion: async () => {
        const [table] = await client.unsafe<{ exists: boolean }[]>(MIGRATIONS_TABLE_EXISTS);
        if (!table?.exists) return null;
        const [row] = await client.unsafe<{ version: string | null }[]>(NEWEST_MIGRATION);
        return row?.version == null ? null : Number(row.version);
      },
      // A connection of its own holds the lock, so it works whatever the pool's size, and the
      // lock goes with the session if this process dies while migrating.
      withMigrationLock: async (fn) => {
        const lock = postgres(target.url, { max: 1, onnotice: () => {} });
        try {
          await lock`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
          const result = await fn();
          await lock`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
          return result;
        } finally {
          // Ending the session releases the lock also when fn failed.
          await lock.end({ timeout: 5 });
        }
      },
      runMigrator: () => migratePostgres(db, { migrationsFolder: migrationsFolder() }),
    };
    return {
      db,
      kind: "postgres",
      migrate: () => applyMigrations(migrationTarget),
      schemaVersion: () => migrationTarget.schemaVersion(),
      close: () => client.end({ timeout: 5 }),
      // postgres.js keeps one dedicated connection for LISTEN and re-listens after a reconnect,
      // calling onlisten each time. Its unlisten is not offered: after a reconnect it no longer
      // finds the callbacks it re-listened with.
      listen: async (channel, onPayload, onListen) => {
        await client.listen(channel, onPayload, onListen);
      },
    };
  }
  // Loaded only when used: production with DATABASE_URL never pays for the WASM module.
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle: drizzlePglite } = await import("drizzle-orm/pglite");
  const { migrate: migratePglite } = await import("drizzle-orm/pglite/migrator");
  let client;
  let unlock = () => {};
  if (target.dataDir === "memory") {
    client = new PGlite();
  } else {
    const dir = path.resolve(/* turbopackIgnore: true */ target.dataDir, "pglite");
    mkdirSync(/* turbopackIgnore: true */ dir, { recursive: true }); // PGlite does not create parent directories
    unlock = lockDataDir(dir);
    try {
      client = new PGlite(/* turbopackIgnore: true */ dir);
    } catch (error) {
      unlock();
      throw error;
    }
  }
  const db = drizzlePglite(client, { schema });
  const pglite = client;
  const migrationTarget: MigrationTarget = {
    schemaVersion: async () => {
      const table = await pglite.query<{ exists: boolean }>(MIGRATIONS_TABLE_EXISTS);
      if (!table.rows[0]?.exists) return null;
      const row = (await pglite.query<{ version: string | null }>(NEWEST_MIGRATION)).rows[0];
      return row?.version == null ? null : Number(row.version);
    },
    // PGlite is one session in one process (its data directory opens once), so the lock never
    // waits; it is taken anyway so both engines run the same steps.
    withMigrationLock: async (fn) => {
      await pglite.query(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
      try {
        return await fn();
      } finally {
        await pglite.query(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
      }
    },
    runMigrator: () => migratePglite(db, { migrationsFolder: migrationsFolder() }),
  };
  return {
    // The query builder API is identical; only raw execute() results differ, and we use none.
    db: db as unknown as Db,
    kind: "pglite",
    migrate: () => applyMigrations(migrationTarget),
    schemaVersion: () => migrationTarget.schemaVersion(),
    close: () => client.close().finally(unlock),
    // In-process: the LISTEN is never dropped, so it is in place once; it fails only on a
    // closed handle (PGlite then keeps no callback).
    listen: async (channel, onPayload, onListen) => {
      await client.listen(channel, onPayload);
      onListen?.();
    },
  };
}

const running = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * PGlite does not guard its data directory against a second process: an operator command run
 * beside `npm run dev` would open it too, write rows the server never sees, and whichever process
 * writes its files back last loses the other's. A lock file beside the directory names the process
 * that holds it; a second one is refused with that name. A lock left by a process that died is
 * taken over. Returns the release, also run at exit (the commands end with process.exit).
 */
function lockDataDir(dir: string): () => void {
  const file = `${dir}.lock`;
  for (;;) {
    try {
      writeFileSync(/* turbopackIgnore: true */ file, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(readFileSync(/* turbopackIgnore: true */ file, "utf8"));
    // This process's own lock: the directory is opened again after a close in the same process.
    if (holder === process.pid) return () => {};
    if (Number.isInteger(holder) && holder > 0 && running(holder))
      throw new AppError(
        "CONFIG",
        `the embedded database ${dir} is in use by process ${holder} (npm run dev or npm start?): ` +
          "stop it first, or set DATABASE_URL to share a PostgreSQL server between processes " +
          `(if process ${holder} is not one of ours, a crash left ${file} behind: remove it)`,
      );
    rmSync(/* turbopackIgnore: true */ file, { force: true });
  }
  const release = () => {
    process.off("exit", release);
    rmSync(/* turbopackIgnore: true */ file, { force: true });
  };
  process.on("exit", release);
  return release;
}

type Holder = { handle?: Promise<DbHandle>; override?: DbHandle };
// One handle per process, kept on globalThis so dev-mode module reloads do not open PGlite twice
// (a PGlite data directory can be opened by one instance only).
const holder: Holder = ((globalThis as { __kycDb?: Holder }).__kycDb ??= {});

async function openFromEnv(): Promise<DbHandle> {
  const { database: config, migrations, operations } = env();
  const handle = await openDatabase(
    config.kind === "postgres"
      ? { ...config, prepare: !operations.transactionPooler }
      : { kind: "pglite", dataDir: config.dataDir },
  );
  // Every process checks the schema on first use (server start, worker, operator commands), so a
  // database is never served with a missing table: it applies what is missing under the lock
  // (MIGRATE_ON_START, the default), or waits for `npm run db:migrate` to apply it (replicas).
  try {
    if (migrations.onStart) {
      const applied = await handle.migrate();
      if (applied.length > 0) log.info("db.migrated", { applied });
    } else {
      await waitForSchema(handle, migrations.waitSeconds);
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  return handle;
}

export async function getDb(): Promise<Db> {
  if (holder.override) return holder.override.db;
  holder.handle ??= openFromEnv().catch((error: unknown) => {
    holder.handle = undefined;
    throw error;
  });
  return (await holder.handle).db;
}

/** The handle itself, for what the query builder does not offer (LISTEN). */
export async function getDbHandle(): Promise<DbHandle> {
  if (holder.override) return holder.override;
  await getDb();
  return holder.handle!;
}

/** Closes the process's own handle; the next getDb() opens (and checks) the database again. */
export async function closeDb(): Promise<void> {
  const handle = holder.handle;
  holder.handle = undefined;
  await (await handle?.catch(() => undefined))?.close();
}

/** Tests point the app at their own database. */
export function setDatabaseOverride(handle: DbHandle | undefined): void {
  holder.override = handle;
}
