/**
 * Signed heads: the worker's housekeeping signs the audit chain's head with a key the database
 * never holds and exports it as a log line; audit:verify then finds what the hash chain alone
 * cannot — a table rewritten with re-chained hashes, and a cut tail.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import {
  configuredVerifyKeys,
  exportedHeadsIn,
  publicKeyBase64,
  signingKeyFrom,
  verifyKeyFrom,
} from "@/lib/audit/signing";
import { verifyAuditChain } from "@/lib/audit/verify";
import { runHousekeeping } from "@/lib/jobs/housekeeping";
import { captureLogs } from "../../helpers/log-capture";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

const SEED = randomBytes(32).toString("base64");

let t: TestDb;
beforeEach(async () => {
  setTestEnv({ AUDIT_SIGNING_KEY: SEED, AUDIT_SIGN_MINUTES: "5" });
  t = await createTestDb();
});
afterEach(() => t.close());

const append = (i: number) =>
  appendAuditEvent({
    actorType: "staff",
    actorId: `reviewer-${i % 3}`,
    action: "case.viewed",
    data: { i },
  });

/** As a superuser who goes around the append-only triggers would. */
async function tamper(statement: ReturnType<typeof sql>) {
  await t.db.execute(sql`alter table audit_events disable trigger user`);
  try {
    await t.db.execute(statement);
  } finally {
    await t.db.execute(sql`alter table audit_events enable trigger user`);
  }
}

/** Changes row `seq` and recomputes every later hash: the chain alone then verifies. */
async function rewriteRechained(seq: number) {
  await tamper(sql`
    do $$
    declare
      r record;
      h text;
    begin
      update audit_events set data = '{"i": 999}' where seq = ${sql.raw(String(seq))};
      select hash into h from audit_events where seq = ${sql.raw(String(seq - 1))};
      for r in select * from audit_events where seq >= ${sql.raw(String(seq))} order by seq loop
        update audit_events set prev_hash = h,
          hash = audit_event_digest(h, r.seq, r.occurred_at, r.actor_type, r.actor_id, r.action,
            r.case_id, r.trader_id, r.data)
        where id = r.id returning hash into h;
      end loop;
    end $$`);
}

/** Runs the worker's housekeeping at `minutes` past a base time and returns the exported lines. */
async function housekeepingAt(minutes: number): Promise<string[]> {
  const logs = captureLogs();
  try {
    await runHousekeeping(new Date(Date.UTC(2026, 0, 1, 12, minutes)));
  } finally {
    logs.stop();
  }
  return logs.lines;
}

describe("signed audit heads", () => {
  it("the worker signs the head every AUDIT_SIGN_MINUTES, exports it, and verification passes", async () => {
    for (let i = 0; i < 5; i++) await append(i);
    const first = await housekeepingAt(0);
    expect(exportedHeadsIn(first.join("\n"))).toEqual([
      expect.objectContaining({ seq: 5, event: "audit.head_signed" }),
    ]);
    // Nothing new since: no second signature, however late.
    expect(exportedHeadsIn((await housekeepingAt(9)).join("\n"))).toEqual([]);
    // Something new, but too soon after the last one: none either.
    await append(5);
    await housekeepingAt(2);
    expect(exportedHeadsIn((await housekeepingAt(4)).join("\n"))).toEqual([]);
    const second = await housekeepingAt(6);
    expect(exportedHeadsIn(second.join("\n"))).toEqual([expect.objectContaining({ seq: 7 })]);

    const keys = configuredVerifyKeys();
    expect(await verifyAuditChain({ keys })).toEqual({
      ok: true,
      rows: 8,
      signedHeads: 2,
      latestSignedSeq: 7,
    });
    // An auditor's machine needs only the public key.
    const publicOnly = verifyKeyFrom(publicKeyBase64(keys[0]!));
    expect(await verifyAuditChain({ keys: [publicOnly] })).toMatchObject({ ok: true });
  });

  it("finds a table rewritten with re-chained hashes, through the signed head in the chain", async () => {
    for (let i = 0; i < 5; i++) await append(i);
    await housekeepingAt(0);
    await append(6);
    await rewriteRechained(3);
    expect(await verifyAuditChain()).toMatchObject({ ok: true }); // the chain alone is fooled
    expect(await verifyAuditChain({ keys: configuredVerifyKeys() })).toMatchObject({
      ok: false,
      problem: "head_mismatch",
      brokenAt: { seq: 5 },
    });
  });

  it("finds a rewrite that also dropped the signed-head rows, through the exported heads", async () => {
    for (let i = 0; i < 5; i++) await append(i);
    const exported = exportedHeadsIn((await housekeepingAt(0)).join("\n"));
    await tamper(sql`delete from audit_events where action = 'audit.head_signed'`);
    await rewriteRechained(2);
    const keys = configuredVerifyKeys();
    expect(await verifyAuditChain({ keys })).toMatchObject({ ok: false, problem: "unsigned" });
    expect(await verifyAuditChain({ keys, exportedHeads: exported })).toMatchObject({
      ok: false,
      problem: "head_mismatch",
      brokenAt: { seq: 5 },
    });
  });

  it("finds a cut tail, through the exported heads", async () => {
    for (let i = 0; i < 5; i++) await append(i);
    await housekeepingAt(0);
    for (let i = 5; i < 8; i++) await append(i);
    const exported = exportedHeadsIn((await housekeepingAt(10)).join("\n"));
    expect(exported).toEqual([expect.objectContaining({ seq: 9 })]);
    // Cut everything after seq 4: both signed heads and the rows they pinned go with it.
    await tamper(sql`delete from audit_events where seq > 4`);
    const keys = configuredVerifyKeys();
    expect(await verifyAuditChain()).toMatchObject({ ok: true, rows: 4 });
    expect(await verifyAuditChain({ keys, exportedHeads: exported })).toMatchObject({
      ok: false,
      problem: "tail_cut",
      brokenAt: { seq: 9 },
    });
  });

  it("refuses a head signed with another key, in the chain or in the export", async () => {
    for (let i = 0; i < 3; i++) await append(i);
    const exported = exportedHeadsIn((await housekeepingAt(0)).join("\n"));
    const otherKey = verifyKeyFrom(
      publicKeyBase64(signingKeyFrom(randomBytes(32).toString("base64"))),
    );
    expect(await verifyAuditChain({ keys: [otherKey] })).toMatchObject({
      ok: false,
      problem: "bad_signature",
      brokenAt: { seq: 4 },
    });
    const forged = { ...(exported[0] as object), hash: "f".repeat(64) };
    expect(
      await verifyAuditChain({ keys: configuredVerifyKeys(), exportedHeads: [forged] }),
    ).toMatchObject({ ok: false, problem: "bad_signature" });
  });

  it("after a rotation, checks each head with the key that signed it", async () => {
    const oldSeed = SEED;
    for (let i = 0; i < 3; i++) await append(i);
    await housekeepingAt(0);
    const newSeed = randomBytes(32).toString("base64");
    setTestEnv({ AUDIT_SIGNING_KEY: newSeed });
    await append(3);
    await housekeepingAt(10);
    const publicOf = (seed: string) => publicKeyBase64(signingKeyFrom(seed));
    setTestEnv({ AUDIT_VERIFY_KEY: `${publicOf(oldSeed)},${publicOf(newSeed)}` });
    expect(await verifyAuditChain({ keys: configuredVerifyKeys() })).toMatchObject({
      ok: true,
      signedHeads: 2,
    });
    setTestEnv({ AUDIT_VERIFY_KEY: publicOf(newSeed) });
    expect(await verifyAuditChain({ keys: configuredVerifyKeys() })).toMatchObject({
      ok: false,
      problem: "bad_signature",
      brokenAt: { seq: 4 },
    });
  });

  it("signs nothing without a key", async () => {
    setTestEnv({ AUDIT_SIGNING_KEY: undefined });
    await append(1);
    expect((await runHousekeeping()).signedSeq).toBeUndefined();
  });
});
