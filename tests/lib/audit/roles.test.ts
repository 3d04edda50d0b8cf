/**
 * The two-role setup of docs/operations.md, run as documented: the owner migrates
 * (`npm run db:migrate`), docs/audit-roles.sql grants the app role what it needs, and the app role
 * then starts with MIGRATE_ON_START=0, serves a cTrader launch and writes audit rows, but cannot
 * change, delete, truncate or un-trigger the trail, nor run any DDL.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import postgres from "postgres";
import { proxy } from "@/proxy";
import { closeDb, setDatabaseOverride } from "@/lib/db/client";
import { migrateConfiguredDatabase } from "@/lib/db/migrate";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { verifyAuditChain } from "@/lib/audit/verify";
import { onServerStart } from "@/lib/server-start";
import {
  ctraderServer,
  HttpResponse,
  identity,
  listenForCtrader,
  stubRedeem,
} from "../../helpers/ctrader-stub";
import { adminUrl, withDatabase } from "../../helpers/db-target";
import { setTestEnv } from "../../helpers/env";

// Read once: the test points DATABASE_URL at the roles' own URLs, as their processes would see it.
const ADMIN_URL = adminUrl();
const postgresOnly = ADMIN_URL ? it : it.skip;

const suffix = randomBytes(4).toString("hex");
const owner = `kyc_test_owner_${suffix}`;
const app = `kyc_test_app_${suffix}`;
const db = `kyc_test_roles_${suffix}`;

function asRole(role: string): string {
  const url = new URL(withDatabase(ADMIN_URL!, db));
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

beforeAll(() => {
  listenForCtrader();
  setDatabaseOverride(undefined); // the app's database comes from DATABASE_URL, as in production
});
afterAll(async () => {
  ctraderServer.close();
  await closeDb();
  setTestEnv({
    DATABASE_URL: ADMIN_URL,
    MIGRATE_ON_START: undefined,
    MIGRATE_WAIT_SECONDS: undefined,
  });
  if (!ADMIN_URL) return;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
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
    "the app role runs the app but cannot alter the audit trail or the schema",
    async () => {
      const admin = postgres(ADMIN_URL!, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`create role "${owner}" login`);
        await admin.unsafe(`create role "${app}" login`);
        await admin.unsafe(`create database "${db}" owner "${owner}"`);
      } finally {
        await admin.end();
      }
      // Each deployment: migrate as the owner, then (re)apply the grants.
      setTestEnv({ DATABASE_URL: asRole(owner) });
      expect((await migrateConfiguredDatabase()).applied.length).toBeGreaterThan(0);
      const ownerSql = postgres(asRole(owner), { max: 1, onnotice: () => {} });
      try {
        await ownerSql.unsafe(rolesSql());
      } finally {
        await ownerSql.end();
      }

      // The app starts as a replica does, then serves a launch from cTrader.
      setTestEnv({ DATABASE_URL: asRole(app), MIGRATE_ON_START: "0", MIGRATE_WAIT_SECONDS: "0" });
      const exit = jest.spyOn(process, "exit").mockImplementation(() => undefined as never);
      try {
        await onServerStart();
        expect(exit).not.toHaveBeenCalled();
      } finally {
        exit.mockRestore();
      }
      stubRedeem(() => HttpResponse.json(identity(7001)));
      const launch = await proxy(new NextRequest("https://broker.test/inapp/kyc?token=tok-7001"));
      expect(launch.status).toBe(303);
      expect(new URL(launch.headers.get("location")!).pathname).toBe("/inapp/kyc");
      expect(launch.headers.get("set-cookie")).toMatch(/^__Host-kyc_session=/);
      await appendAuditEvent({ actorType: "system", actorId: "test", action: "roles.checked" });
      const chain = await verifyAuditChain();
      expect(chain).toMatchObject({ ok: true });
      expect(chain.rows).toBeGreaterThanOrEqual(2); // the launch's own rows and ours

      const refused = [
        "update audit_events set action = 'x'",
        "delete from audit_events",
        "truncate audit_events",
        "alter table audit_events disable trigger user",
        "drop table audit_events",
        "create table intruder (id int)",
        "create temporary table intruder (id int)",
        "create schema intruder",
        "create table drizzle.intruder (id int)",
        "alter table traders add column intruder int",
        "insert into drizzle.__drizzle_migrations (hash, created_at) values ('x', 0)",
      ];
      const appSql = postgres(asRole(app), { max: 1, onnotice: () => {} });
      const outcomes: [string, string][] = [];
      try {
        for (const statement of refused)
          outcomes.push([
            statement,
            await appSql.unsafe(statement).then(
              () => "ran",
              (error: Error) =>
                /permission denied|must be owner/.test(error.message) ? "refused" : error.message,
            ),
          ]);
      } finally {
        await appSql.end();
      }
      expect(outcomes).toEqual(refused.map((statement) => [statement, "refused"]));
    },
    60_000,
  );
});
