/**
 * The database handle. PostgreSQL through postgres.js when DATABASE_URL is set; otherwise an
 * embedded PGlite (PostgreSQL compiled to WASM) on disk under DATA_DIR, so `npm run dev` needs no
 * database server. Both run the same drizzle/ migrations; only lib/db/queries uses the handle.
 */
import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { env } from "@/lib/env";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema>;
export type DbHandle = {
  db: Db;
  kind: "postgres" | "pglite";
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** LISTEN on a channel; resolves to the function that stops listening. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
};

// turbopackIgnore: these are runtime paths, not files to trace or watch (watching the PGlite
// directory made `next dev` reload the page after every query).
export const migrationsFolder = () =>
  path.join(/* turbopackIgnore: true */ process.cwd(), "drizzle");

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
    return {
      db,
      kind: "postgres",
      migrate: () => migratePostgres(db, { migrationsFolder: migrationsFolder() }),
      close: () => client.end({ timeout: 5 }),
      // postgres.js keeps one dedicated connection for LISTEN and re-listens after a reconnect.
      listen: async (channel, onPayload) => {
        const { unlisten } = await client.listen(channel, onPayload);
        return unlisten;
      },
    };
  }
  // Loaded only when used: production with DATABASE_URL never pays for the WASM module.
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle: drizzlePglite } = await import("drizzle-orm/pglite");
  const { migrate: migratePglite } = await import("drizzle-orm/pglite/migrator");
  let client;
  if (target.dataDir === "memory") {
    client = new PGlite();
  } else {
    const dir = path.resolve(/* turbopackIgnore: true */ target.dataDir, "pglite");
    mkdirSync(/* turbopackIgnore: true */ dir, { recursive: true }); // PGlite does not create parent directories
    client = new PGlite(/* turbopackIgnore: true */ dir);
  }
  const db = drizzlePglite(client, { schema });
  return {
    // The query builder API is identical; only raw execute() results differ, and we use none.
    db: db as unknown as Db,
    kind: "pglite",
    migrate: () => migratePglite(db, { migrationsFolder: migrationsFolder() }),
    close: () => client.close(),
    listen: async (channel, onPayload) => {
      const stop = await client.listen(channel, onPayload);
      return async () => stop();
    },
  };
}

type Holder = { handle?: Promise<DbHandle>; override?: DbHandle };
// One handle per process, kept on globalThis so dev-mode module reloads do not open PGlite twice
// (a PGlite data directory can be opened by one instance only).
const holder: Holder = ((globalThis as { __kycDb?: Holder }).__kycDb ??= {});

async function openFromEnv(): Promise<DbHandle> {
  const { database: config, operations } = env();
  const handle = await openDatabase(
    config.kind === "postgres"
      ? { ...config, prepare: !operations.transactionPooler }
      : { kind: "pglite", dataDir: config.dataDir },
  );
  // Migrations are applied on first use in every process (dev and production start), so a fresh
  // database is never served with a missing table. Applying an applied set is a cheap no-op.
  await handle.migrate();
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

/** Tests point the app at their own database. */
export function setDatabaseOverride(handle: DbHandle | undefined): void {
  holder.override = handle;
}
