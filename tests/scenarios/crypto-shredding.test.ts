/**
 * Scenarios: a case's personal data is sealed under the case's own key, wrapped by the app key;
 * a rotated app key re-wraps the case keys (`npm run keys:rotate`) while every case stays
 * readable; values written before case keys existed are read and then moved under the case key.
 */
import "./support/request-scope";
import { sql } from "drizzle-orm";
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
    w.configure({});
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
});
