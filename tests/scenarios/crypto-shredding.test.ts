/**
 * Scenarios: a case's personal data is sealed under the case's own key, wrapped by the app key;
 * a rotated app key re-wraps the case keys (`npm run keys:rotate`) while every case stays
 * readable; values written before case keys existed are read and then moved under the case key.
 * Document files are sealed under the same key: a copy of the stored object taken before the
 * case was erased stays unreadable after it.
 */
import "./support/request-scope";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { caseCipher } from "@/lib/security/case-keys";
import { sealClearDocuments } from "@/lib/documents/stored-file";
import { storage } from "@/lib/storage";
import { textOf } from "../helpers/render-page";
import { sqlRows } from "../helpers/sql-rows";
import { encryptJson } from "@/lib/security/encryption";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();
const NEW_KEY = "k2:a-second-app-key-for-the-rotation-test-0123456789";

async function stored(caseId: string) {
  const db = world().db.db;
  const [key] = await sqlRows<{ key_id: string | null; wrapped_key: string | null }>(
    db,
    sql`select key_id, wrapped_key from case_keys where case_id = ${caseId}`,
  );
  const drafts = await sqlRows<{ step: string; payload: string }>(
    db,
    sql`select step, payload from case_drafts where case_id = ${caseId} order by step`,
  );
  const submissions = await sqlRows<{ payload: string }>(
    db,
    sql`select payload from case_submissions where case_id = ${caseId}`,
  );
  const names = await sqlRows<{ original_name: string | null }>(
    db,
    sql`select original_name from documents where case_id = ${caseId}`,
  );
  return { key, drafts, submissions, names };
}

describe("scenario: personal data under a per-case key", () => {
  it("seals drafts, answers and file names under the case key, and a key rotation keeps them readable", async () => {
    const w = world();
    const trader = new Trader(w, 460_001);
    await trader.completeStandardLevel({ surnames: "Kerrigan" });
    const kycCase = await trader.currentCase();

    const before = await stored(kycCase.id);
    expect(before.key?.key_id).toBe("k1");
    const values = [
      ...before.drafts.map((d) => d.payload),
      ...before.submissions.map((s) => s.payload),
      ...before.names.map((n) => n.original_name ?? ""),
    ];
    expect(values.length).toBeGreaterThan(4);
    for (const value of values) {
      expect(value.startsWith("v2.")).toBe(true);
      expect(value).not.toContain("Kerrigan");
    }

    // The broker adds a new app key in front and runs the rotation command.
    w.configure({ APP_KEYS: NEW_KEY });
    const run = await w.runCommand("scripts/keys-rotate.ts");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("current key k2; 1 case keys re-wrapped");
    const after = await stored(kycCase.id);
    expect(after.key?.key_id).toBe("k2");
    // Only the wrapping changed: the values themselves were not touched.
    expect(after.drafts).toEqual(before.drafts);

    const reviewer = await signedInStaff(w, "keys.reviewer@broker.example", "reviewer");
    expect(textOf(await reviewer.casePage(kycCase.id))).toContain("Kerrigan");
    const approver = await signedInStaff(w, "keys.approver@broker.example", "approver");
    const evidence = await approver.exportEvidence(kycCase.id);
    expect(JSON.stringify(await evidence.json())).toContain("Kerrigan");
    expect(await trader.status()).toBe("submitted");
  });

  it("reads a draft written before case keys, and the rotation moves it under the case key", async () => {
    const w = world();
    // This file's first scenario rotated the world to k2, and a broker keeps a key in use.
    w.configure({ APP_KEYS: NEW_KEY });
    const trader = new Trader(w, 460_002);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms({ surnames: "Oyelaran" });
    const kycCase = await trader.currentCase();
    const { drafts } = await stored(kycCase.id);
    const personal = drafts.find((d) => d.step === "personal");
    expect(personal).toBeDefined();

    // What the release before case keys wrote: the same answers under the app key itself. No
    // flow of this version produces that format any more, so the old row is written directly.
    const reviewer = await signedInStaff(w, "legacy.reviewer@broker.example", "reviewer");
    const seen = textOf(await reviewer.casePage(kycCase.id));
    expect(seen).toContain("Oyelaran");
    const legacy = encryptJson({ values: { surnames: "Oyelaran-Legacy" }, data: null }, kycCase.id);
    await w.db.db.execute(
      sql`update case_drafts set payload = ${legacy} where case_id = ${kycCase.id} and step = 'personal'`,
    );
    expect(await trader.html("kyc", { step: "personal" })).toContain("Oyelaran-Legacy");

    const run = await w.runCommand("scripts/keys-rotate.ts");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/[1-9]\d* older values sealed/);
    const moved = await stored(kycCase.id);
    expect(moved.drafts.every((d) => d.payload.startsWith("v2."))).toBe(true);
    expect(await trader.html("kyc", { step: "personal" })).toContain("Oyelaran-Legacy");
  });

  it("seals document files under the case key: readable after a rotation, unreadable once erased", async () => {
    const w = world();
    // This file's first scenario rotated the world to k2, and a broker keeps a key in use.
    w.configure({ APP_KEYS: NEW_KEY });
    const trader = new Trader(w, 460_003);
    await trader.completeStandardLevel({ surnames: "Lindqvist" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const files = await sqlRows<{ id: string; storage_key: string; sha256: string }>(
      w.db.db,
      sql`select id, storage_key, sha256 from documents where case_id = ${kycCase.id}`,
    );
    expect(files.length).toBeGreaterThanOrEqual(2);

    // A backup of the bucket (here the local driver's directory) taken now.
    const backup = new Map(
      files.map((f) => [f.id, readFileSync(path.join(w.dataDir, "documents", f.storage_key))]),
    );
    for (const raw of backup.values()) {
      expect(raw.subarray(0, 4).toString("latin1")).toBe("KYCF");
      expect(raw.subarray(0, 3)).not.toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    }

    w.configure({ APP_KEYS: NEW_KEY });
    const run = await w.runCommand("scripts/keys-rotate.ts");
    expect(run.code).toBe(0);
    const reviewer = await signedInStaff(w, "files.reviewer@broker.example", "reviewer");
    const opened = new Map<string, Buffer>();
    for (const f of files) {
      const response = await reviewer.openDocument(f.id);
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(f.sha256);
      opened.set(f.id, bytes);
    }

    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    const admin = await signedInStaff(w, "files.admin@broker.example", "admin");
    // A mistyped day (a year off, tomorrow, none) is refused in words, and nothing is recorded.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    for (const day of ["2016-11-30", tomorrow, ""])
      expect(await admin.relationshipEnd(kycCase.id, day)).toBe("error:end_date_invalid");
    expect(textOf(await admin.casePage(kycCase.id, { error: "end_date_invalid" }))).toContain(
      "Give the day the relationship ended: not in the future",
    );
    const endedOn = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(await admin.relationshipEnd(kycCase.id, endedOn)).toBe("relationship_ended");
    await w.worker(new Date(Date.now() + 6 * 366 * 86_400_000));

    for (const f of files) {
      expect(existsSync(path.join(w.dataDir, "documents", f.storage_key))).toBe(false);
      // The backup copy: not the file, and its key is gone for good.
      const raw = backup.get(f.id)!;
      expect(raw.includes(opened.get(f.id)!.subarray(0, 32))).toBe(false);
    }
    const [key] = await sqlRows<{ wrapped_key: string | null }>(
      w.db.db,
      sql`select wrapped_key from case_keys where case_id = ${kycCase.id}`,
    );
    expect(key?.wrapped_key).toBeNull();
    await expect(caseCipher(kycCase.id)).rejects.toThrow("erased");
    await admin.signIn();
    expect((await admin.openDocument(files[0]!.id)).status).toBe(404);
  });

  it("reads document files stored in clear before sealing, and documents:seal encrypts them in place", async () => {
    const w = world();
    // This file's first scenario rotated the world to k2, and a broker keeps a key in use.
    w.configure({ APP_KEYS: NEW_KEY });
    const trader = new Trader(w, 460_004);
    await trader.completeStandardLevel({ surnames: "Aaltonen" });
    const kycCase = await trader.currentCase();
    const files = await sqlRows<{ id: string; storage_key: string; sha256: string }>(
      w.db.db,
      sql`select id, storage_key, sha256 from documents where case_id = ${kycCase.id} order by id`,
    );
    expect(files.length).toBeGreaterThanOrEqual(2);
    const reviewer = await signedInStaff(w, "seal.reviewer@broker.example", "reviewer");
    const clear = new Map<string, Buffer>();
    for (const f of files)
      clear.set(f.id, Buffer.from(await (await reviewer.openDocument(f.id)).arrayBuffer()));

    // What the release before sealing stored: the checked file itself. No flow of this version
    // writes that any more, so the objects are put back in clear directly; one of them altered.
    const objectPath = (key: string) => path.join(w.dataDir, "documents", key);
    const [first, second] = files as [(typeof files)[0], (typeof files)[0]];
    writeFileSync(objectPath(first.storage_key), clear.get(first.id)!);
    const altered = Buffer.from(clear.get(second.id)!);
    altered[altered.length - 3] = altered[altered.length - 3]! ^ 1;
    writeFileSync(objectPath(second.storage_key), altered);

    const response = await reviewer.openDocument(first.id);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(clear.get(first.id));

    const run = await w.runCommand("scripts/documents-seal.ts");
    expect(run.stdout).toContain("documents:seal: 1 files sealed");
    expect(run.stdout).toMatch(/1 skipped/);
    expect(run.code).toBe(1);
    const sealed = readFileSync(objectPath(first.storage_key));
    expect(sealed.subarray(0, 4).toString("latin1")).toBe("KYCF");
    const again = await reviewer.openDocument(first.id);
    expect(Buffer.from(await again.arrayBuffer())).toEqual(clear.get(first.id));
    // The altered file is not what was checked: left for a person, never handed out.
    expect(readFileSync(objectPath(second.storage_key))).toEqual(altered);
    await expect(reviewer.openDocument(second.id)).rejects.toThrow("recorded hash");

    writeFileSync(objectPath(second.storage_key), clear.get(second.id)!);
    const rerun = await w.runCommand("scripts/documents-seal.ts");
    expect(rerun.code).toBe(0);
    // Other scenarios' files share this database: they were sealed when uploaded.
    expect(rerun.stdout).toMatch(
      /documents:seal: 1 files sealed, [1-9]\d* already sealed, 0 skipped/,
    );
  });

  it("documents:seal and the purge of the same case are exclusive: no file is written back after the erasure", async () => {
    const w = world();
    // This file's first scenario rotated the world to k2, and a broker keeps a key in use.
    w.configure({ APP_KEYS: NEW_KEY });
    const trader = new Trader(w, 460_005);
    await trader.completeStandardLevel({ surnames: "Virtanen" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const [file] = await sqlRows<{ id: string; storage_key: string }>(
      w.db.db,
      sql`select id, storage_key from documents where case_id = ${kycCase.id} order by id limit 1`,
    );
    const reviewer = await signedInStaff(w, "race.reviewer@broker.example", "reviewer");
    const clear = Buffer.from(await (await reviewer.openDocument(file!.id)).arrayBuffer());
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    const admin = await signedInStaff(w, "race.admin@broker.example", "admin");
    const endedOn = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(await admin.relationshipEnd(kycCase.id, endedOn)).toBe("relationship_ended");
    // A file from before sealing, as in the scenario above: the seal has work on this case.
    const objectPath = path.join(w.dataDir, "documents", file!.storage_key);
    writeFileSync(objectPath, clear);

    // The purge starts while the seal is about to write this file (its case key already read).
    const files = storage();
    const put = files.put.bind(files);
    let purge: Promise<void> | undefined;
    const spy = jest.spyOn(files, "put").mockImplementation(async (key, bytes, type) => {
      if (key === file!.storage_key && !purge) {
        purge = w.worker(new Date(Date.now() + 6 * 366 * 86_400_000));
        await purgeWaitingOrDone(purge);
      }
      return put(key, bytes, type);
    });
    try {
      await sealClearDocuments();
      await purge;
    } finally {
      spy.mockRestore();
    }
    expect(purge).toBeDefined();
    expect(existsSync(objectPath)).toBe(false);
    await expect(caseCipher(kycCase.id)).rejects.toThrow("erased");
  });
});

/**
 * Resolves once the purge is blocked on a lock (PostgreSQL: another session of this database
 * waits for one) or has finished. On PGlite the one connection is busy with the seal's
 * transaction, so the purge cannot run before it ends: nothing to wait for.
 */
async function purgeWaitingOrDone(purge: Promise<void>): Promise<void> {
  if (world().db.kind !== "postgres") return;
  let done = false;
  void purge.finally(() => (done = true)).catch(() => undefined);
  for (let i = 0; i < 3000 && !done; i++) {
    const [waiting] = await sqlRows<{ n: number }>(
      world().db.db,
      sql`select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where not l.granted and a.datname = current_database()`,
    );
    if ((waiting?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (!done) throw new Error("the purge neither waited for the seal nor finished");
}
