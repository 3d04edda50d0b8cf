import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, setDatabaseOverride, type DbHandle } from "@/lib/db/client";
import { adminUrl, runPrefix, templateDb, withDatabase } from "./db-target";

export type TestDb = DbHandle & {
  name: string;
  /**
   * Where another process finds this database: a PostgreSQL URL, or the DATA_DIR whose
   * `pglite/` directory holds it (only when created with `pgliteDataDir`).
   */
  target: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string } | undefined;
  /**
   * Runs fn while another process may open the database, then carries on with it. A PGlite data
   * directory opens in one process at a time, so on PGlite this closes the handle first and opens
   * it again after; `db` and the app's database then answer from the reopened one. A lend inside
   * a lend runs as it is: commands run in a row inside one lend share one close and reopen (each
   * reopen of PGlite costs seconds).
   */
  lend<T>(fn: () => Promise<T>): Promise<T>;
};

/**
 * A migrated, empty database of this test file's own, installed as the app's database. On
 * PGlite it lives in memory, or with `pgliteDataDir` on disk where the app's embedded default
 * puts it (`<DATA_DIR>/pglite`), so an operator command run as a process can open it too.
 */
export async function createTestDb(options: { pgliteDataDir?: string } = {}): Promise<TestDb> {
  const url = adminUrl();
  let handle: DbHandle;
  let name = "pglite-memory";
  let target: TestDb["target"];
  const pgliteDir = options.pgliteDataDir;
  if (url) {
    name = `${runPrefix()}${randomBytes(6).toString("hex")}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database "${name}" template "${templateDb()}"`);
    } finally {
      await admin.end();
    }
    target = { kind: "postgres", url: withDatabase(url, name) };
    handle = await openDatabase({ ...target, max: 25 });
  } else if (pgliteDir) {
    name = "pglite-disk";
    target = { kind: "pglite", dataDir: pgliteDir };
    handle = await openDatabase(target);
    await handle.migrate();
  } else {
    handle = await openDatabase({ kind: "pglite", dataDir: "memory" });
    await handle.migrate();
  }
  setDatabaseOverride(handle);
  const close = async () => {
    setDatabaseOverride(undefined);
    await handle.close();
    if (url) {
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin.end();
      }
    }
  };
  let lent = false;
  const lend = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (target?.kind !== "pglite" || lent) return fn();
    // The override stays on the closed handle: a query meanwhile fails loudly instead of this
    // process opening the directory the other one holds.
    await handle.close();
    lent = true;
    try {
      return await fn();
    } finally {
      lent = false;
      handle = await openDatabase(target);
      setDatabaseOverride(handle);
    }
  };
  // Getters, not copies: after lend() on PGlite the handle is another object.
  return {
    get db() {
      return handle.db;
    },
    get kind() {
      return handle.kind;
    },
    migrate: () => handle.migrate(),
    schemaVersion: () => handle.schemaVersion(),
    listen: (channel, onPayload, onListen) => handle.listen(channel, onPayload, onListen),
    name,
    target,
    close,
    lend,
  };
}

/**
 * An empty database of this test file's own, never migrated (PostgreSQL only), for tests of how
 * processes bring a database to the schema. Named with the run's prefix, so a crashed run's
 * leftovers are cleaned up by the next global setup.
 */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const url = adminUrl();
  if (!url) throw new Error("createEmptyDatabase needs DATABASE_URL (PostgreSQL)");
  const name = `${runPrefix()}${randomBytes(6).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(url, name),
    drop: async () => {
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}
