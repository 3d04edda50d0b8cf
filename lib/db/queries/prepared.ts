/**
 * Prepared queries for the hot paths (every screen render). Drizzle builds a query's SQL from
 * its object tree on every call; for a select over three tables that cost several times the
 * database round trip in CPU. A prepared query is built once and only binds values afterwards.
 *
 * A prepared query belongs to one database handle (tests swap handles with
 * setDatabaseOverride), so each handle gets its own, and a dropped handle takes its queries with it.
 */
import type { Db } from "../client";

export function preparedPerHandle<Q>(prepare: (db: Db) => Q): (db: Db) => Q {
  const byHandle = new WeakMap<Db, Q>();
  return (db) => {
    let query = byHandle.get(db);
    if (!query) {
      query = prepare(db);
      byHandle.set(db, query);
    }
    return query;
  };
}
