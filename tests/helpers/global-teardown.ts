import postgres from "postgres";
import { adminUrl, runPrefix } from "./db-target";

export default async function globalTeardown(): Promise<void> {
  const url = adminUrl();
  if (!url) return;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const dbs = await admin<{ datname: string }[]>`
      select datname from pg_database where starts_with(datname, ${runPrefix()})`;
    for (const { datname } of dbs)
      await admin.unsafe(`drop database if exists "${datname}" with (force)`);
  } finally {
    await admin.end();
  }
}
