/**
 * DATABASE_POOLER=transaction opens PostgreSQL with `prepare: false`: behind a transaction pooler
 * the next statement may run on another server connection, where a named prepared statement does
 * not exist. What a connection has prepared is visible in pg_prepared_statements.
 */
import { sql } from "drizzle-orm";
import { openDatabase } from "@/lib/db/client";
import { adminUrl } from "../../helpers/db-target";

const url = adminUrl();
const onPostgres = url ? it : it.skip;

async function preparedAfterQueries(prepare: boolean): Promise<number> {
  const handle = await openDatabase({ kind: "postgres", url: url!, max: 1, prepare });
  try {
    for (let i = 0; i < 3; i++) await handle.db.execute(sql`select ${i}::int as n`);
    const rows = (await handle.db.execute(
      sql`select count(*)::int as n from pg_prepared_statements`,
    )) as unknown as { n: number }[];
    return rows[0]!.n;
  } finally {
    await handle.close();
  }
}

describe("database client", () => {
  onPostgres("prepares no named statements when told there is a transaction pooler", async () => {
    expect(await preparedAfterQueries(true)).toBeGreaterThan(0);
    expect(await preparedAfterQueries(false)).toBe(0);
  });
});
