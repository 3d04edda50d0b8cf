import postgres from "postgres";
import { openDatabase } from "../../lib/db/client";
import { adminUrl, TEMPLATE_DB, withDatabase } from "./db-target";

export default async function globalSetup(): Promise<void> {
  const url = adminUrl();
  if (!url) return;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const stale = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like 'kyc_test_%'`;
    for (const { datname } of stale) {
      await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    }
    await admin.unsafe(`create database "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const template = await openDatabase({
    kind: "postgres",
    url: withDatabase(url, TEMPLATE_DB),
    max: 1,
  });
  await template.migrate();
  await template.close();
}
