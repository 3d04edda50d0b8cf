/**
 * Where database tests run: on PostgreSQL when DATABASE_URL is set (CI), else on an in-memory
 * PGlite per test file. On PostgreSQL, global setup migrates a template database once and every
 * test file gets its own copy (CREATE DATABASE … TEMPLATE), so files run in parallel and
 * isolated.
 */
export const TEMPLATE_DB = "kyc_test_template";

export function adminUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
