/**
 * Where database tests run: on PostgreSQL when DATABASE_URL is set (CI), else on an in-memory
 * PGlite per test file. On PostgreSQL, global setup migrates a template database once and every
 * test file gets its own copy (CREATE DATABASE … TEMPLATE), so files run in parallel and
 * isolated.
 *
 * Names carry the jest run's id (KYC_TEST_RUN, set by global setup), so two test runs on the
 * same server (a developer's and an editor's, say) never drop each other's databases.
 */
export function runId(): string {
  return process.env.KYC_TEST_RUN ?? "local";
}

export function templateDb(): string {
  return `kyc_test_${runId()}_template`;
}

/** Every database of one run starts with this. */
export function runPrefix(): string {
  return `kyc_test_${runId()}_`;
}

export function adminUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
