/**
 * The two-role setup of docs/audit.md, run as documented: the owner migrates, docs/audit-roles.sql
 * grants the app role what it needs, and the app role then starts (its migration is a no-op),
 * writes audit rows and sessions, and cannot change, delete, truncate or un-trigger the trail.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { openDatabase, setDatabaseOverride, type DbHandle } from "@/lib/db/client";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { upsertTrader } from "@/lib/db/queries/traders";
import { verifyAuditChain } from "@/lib/audit/verify";
import { adminUrl, withDatabase } from "../../helpers/db-target";
import { setTestEnv } from "../../helpers/env";
import { openSession } from "../../helpers/sessions";

const postgresOnly = adminUrl() ? it : it.skip;

const suffix = randomBytes(4).toString("hex");
const owner = `kyc_test_owner_${suffix}`;
const app = `kyc_test_app_${suffix}`;
const db = `kyc_test_roles_${suffix}`;

function asRole(role: string): string {
  const url = new URL(withDatabase(adminUrl()!, db));
  url.username = role;
  url.password = "";
  return url.toString();
}

/** docs/audit-roles.sql with its psql variables filled in, as psql would. */
function rolesSql(): string {
  return readFileSync(path.join(process.cwd(), "docs/audit-roles.sql"), "utf8")
    .replaceAll(':"db"', `"${db}"`)
    .replaceAll(':"app"', `"${app}"`);
}

let handle: DbHandle | undefined;
beforeAll(() => setTestEnv());
afterAll(async () => {
  setDatabaseOverride(undefined);
  await handle?.close();
  if (!adminUrl()) return;
  const admin = postgres(adminUrl()!, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${db}" with (force)`);
    await admin.unsafe(`drop role if exists "${app}"`);
    await admin.unsafe(`drop role if exists "${owner}"`);
  } finally {
    await admin.end();
  }
});

describe("two database roles", () => {
  postgresOnly(
    "the app role runs the app but cannot alter the audit trail",
    async () => {
      const admin = postgres(adminUrl()!, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`create role "${owner}" login`);
        await admin.unsafe(`create role "${app}" login`);
        await admin.unsafe(`create database "${db}" owner "${owner}"`);
      } finally {
        await admin.end();
      }
      const ownerHandle = await openDatabase({ kind: "postgres", url: asRole(owner), max: 1 });
      try {
        await ownerHandle.migrate();
        const ownerSql = postgres(asRole(owner), { max: 1, onnotice: () => {} });
        try {
          await ownerSql.unsafe(rolesSql());
        } finally {
          await ownerSql.end();
        }
      } finally {
        await ownerHandle.close();
      }

      handle = await openDatabase({ kind: "postgres", url: asRole(app), max: 2 });
      await handle.migrate(); // what every start of the app does
      setDatabaseOverride(handle);
      const trader = await upsertTrader(
        { ctraderUserId: 1, email: null, tradingLogin: null },
        "en",
      );
      await openSession(trader.id, null);
      await appendAuditEvent({ actorType: "system", actorId: "test", action: "roles.checked" });
      expect(await verifyAuditChain()).toMatchObject({ ok: true, rows: 2 });

      const appSql = postgres(asRole(app), { max: 1, onnotice: () => {} });
      try {
        for (const statement of [
          "update audit_events set action = 'x'",
          "delete from audit_events",
          "truncate audit_events",
          "alter table audit_events disable trigger user",
          "drop table audit_events",
        ])
          await expect(appSql.unsafe(statement)).rejects.toThrow(/permission denied|must be owner/);
      } finally {
        await appSql.end();
      }
    },
    60_000,
  );
});
