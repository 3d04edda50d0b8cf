import { migrateConfiguredDatabase } from "@/lib/db/migrate";

migrateConfiguredDatabase()
  .then(({ kind }) => console.log(`migrations applied (${kind})`))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
