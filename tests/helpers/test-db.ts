import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, setDatabaseOverride, type DbHandle } from "@/lib/db/client";
import { adminUrl, runPrefix, templateDb, withDatabase } from "./db-target";

export type TestDb = DbHandle & { name: string };

/** A migrated, empty database of this test file's own, installed as the app's database. */
export async function createTestDb(): Promise<TestDb> {
  const url = adminUrl();
  let handle: DbHandle;
  let name = "pglite-memory";
  if (url) {
    name = `${runPrefix()}${randomBytes(6).toString("hex")}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database "${name}" template "${templateDb()}"`);
    } finally {
      await admin.end();
    }
    handle = await openDatabase({ kind: "postgres", url: withDatabase(url, name), max: 25 });
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
  return { ...handle, name, close };
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
