/**
 * The schema version this code needs, read from drizzle-kit's journal (drizzle/meta/_journal.json),
 * and how a process gets the database there: apply the migrations under a lock, or wait for
 * someone else (`npm run db:migrate`) to apply them.
 *
 * drizzle's migrator records each applied migration with its journal entry's `when` as
 * `created_at` and applies everything newer than the newest row, so the newest `created_at` is the
 * database's version and every journal entry after it is missing.
 */
import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { AppError, errorMessage } from "@/lib/errors";
import { log } from "@/lib/log";

/** drizzle-kit writes this file; drizzle's migrator and this module read it. */
const journalSchema = z.object({
  entries: z
    .array(z.object({ idx: z.number().int(), when: z.number().int(), tag: z.string().min(1) }))
    .min(1),
});
export type Migration = { tag: string; when: number };

/**
 * Key of the session-level advisory lock held while migrations are applied, so processes starting
 * together apply them one at a time (0006's audit chain lock is 7274000001).
 */
export const MIGRATION_LOCK_KEY = 7274000002;

// turbopackIgnore: a runtime path, not a file to trace or watch.
export const migrationsFolder = () =>
  path.join(/* turbopackIgnore: true */ process.cwd(), "drizzle");

/** Every migration of drizzle/, oldest first. */
export function migrationJournal(): Migration[] {
  const file = path.join(migrationsFolder(), "meta", "_journal.json");
  const parsed = journalSchema.safeParse(
    JSON.parse(readFileSync(/* turbopackIgnore: true */ file, "utf8")),
  );
  if (!parsed.success) throw new AppError("CONFIG", `${file} is not a drizzle-kit journal`);
  return [...parsed.data.entries]
    .sort((a, b) => a.idx - b.idx)
    .map(({ tag, when }) => ({ tag, when }));
}

/** The migrations a database at `version` (null: never migrated) lacks, oldest first. */
export function missingMigrations(version: number | null): Migration[] {
  return migrationJournal().filter((m) => version === null || m.when > version);
}

/** "0015_x", or "16 migrations, 0000_init to 0015_x". */
export function describeMigrations(list: Migration[]): string {
  if (list.length === 1) return list[0]!.tag;
  return `${list.length} migrations, ${list[0]?.tag} to ${list.at(-1)?.tag}`;
}

/** What applying migrations needs from a database engine (lib/db/client.ts provides both). */
export type MigrationTarget = {
  /** The newest applied migration's `when`; null when the migrations table does not exist. */
  schemaVersion(): Promise<number | null>;
  /** Runs `fn` holding the migration lock (pg_advisory_lock on a connection of its own). */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
  /** drizzle's migrator, unlocked. */
  runMigrator(): Promise<void>;
};

/**
 * Applies what is missing, one process at a time, and returns the tags this call applied (none
 * when another process got there first). An up-to-date database is only read: no lock, no DDL,
 * so an app role without CREATE rights starts (docs/operations.md).
 */
export async function applyMigrations(target: MigrationTarget): Promise<string[]> {
  if (missingMigrations(await target.schemaVersion()).length === 0) return [];
  return target.withMigrationLock(async () => {
    // Read again under the lock: a process that held it before us may have applied them.
    const missing = missingMigrations(await target.schemaVersion());
    if (missing.length === 0) return [];
    try {
      await target.runMigrator();
    } catch (error) {
      throw new AppError(
        "CONFIG",
        `Applying ${describeMigrations(missing)} failed: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    return missing.map((m) => m.tag);
  });
}

/**
 * Waits until another process (`npm run db:migrate`) has applied every migration this code needs,
 * checking every `pollMs` for up to `seconds`; then fails naming what is still missing.
 */
export async function waitForSchema(
  target: Pick<MigrationTarget, "schemaVersion">,
  seconds: number,
  pollMs = 1000,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (let first = true; ; first = false) {
    const missing = missingMigrations(await target.schemaVersion());
    if (missing.length === 0) return;
    const left = deadline - Date.now();
    if (left <= 0)
      throw new AppError(
        "CONFIG",
        `The database lacks ${describeMigrations(missing)} (waited ${seconds} s with MIGRATE_ON_START=0): run \`npm run db:migrate\` as the database owner, or start with MIGRATE_ON_START=1`,
      );
    if (first)
      log.warn("db.waiting_for_migrations", {
        missing: missing.map((m) => m.tag),
        waitSeconds: seconds,
      });
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
  }
}
