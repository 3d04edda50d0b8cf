import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import postgres from "postgres";
import { adminUrl, templateDb, withDatabase } from "./db-target";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export default async function globalSetup(): Promise<void> {
  const url = adminUrl();
  if (!url) return;
  // Workers start after this and inherit the run id.
  process.env.KYC_TEST_RUN = `${process.pid.toString(36)}x${randomBytes(3).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Leftovers of crashed runs on this machine: their process is gone. Another live run's
    // databases are left alone.
    const existing = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like 'kyc_test_%'`;
    for (const { datname } of existing) {
      const pid = /^kyc_test_([0-9a-z]+)x/.exec(datname)?.[1];
      if (pid && isAlive(parseInt(pid, 36))) continue;
      // Names without a run id (older checkouts): only when nobody is connected.
      const force = pid ? " with (force)" : "";
      await admin.unsafe(`drop database if exists "${datname}"${force}`).catch(() => undefined);
    }
    await admin.unsafe(`create database "${templateDb()}"`);
  } finally {
    await admin.end();
  }
  // Global setup runs outside the module mapper next/jest gives test files (which maps
  // `server-only` to an empty module): allow it as the operator commands do.
  createRequire(__filename)("../../scripts/server-context.cjs");
  const { openDatabase } = await import("../../lib/db/client");
  const template = await openDatabase({
    kind: "postgres",
    url: withDatabase(url, templateDb()),
    max: 1,
  });
  await template.migrate();
  await template.close();
}
