/**
 * `npm run db:migrate`: applies pending migrations to the configured database, one process at a
 * time (an advisory lock), and prints each one it applied. Run it as the database owner before
 * starting processes with MIGRATE_ON_START=0 (docs/operations.md). Exit 0 done, 1 failed, 2 for an
 * argument (it takes none: a `--dry-run` would be ignored and the migrations applied).
 */
import { migrateConfiguredDatabase } from "@/lib/db/migrate";
import { refuseArguments } from "./no-arguments";

refuseArguments("db:migrate");

migrateConfiguredDatabase()
  .then(({ kind, applied, current }) => {
    for (const tag of applied) console.log(`applied ${tag}`);
    console.log(
      applied.length > 0
        ? `${applied.length} migration(s) applied (${kind}); schema at ${current}`
        : `nothing to apply (${kind}); schema at ${current}`,
    );
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
