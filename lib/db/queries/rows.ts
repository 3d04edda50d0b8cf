/** The rows of a raw `db.execute`: postgres.js answers them as an array, PGlite as `{ rows }`. */
export function executedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}
