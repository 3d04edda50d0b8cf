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
