/**
 * Scenarios: an admin exports everything held about one trader (a ZIP of data.json and the
 * document files: every field and document of that trader, nothing of another), audited; an
 * erasure request is recorded and refused with the legal reason and the date it will run, or
 * executed when nothing keeps the data.
 */
import "./support/request-scope";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { subjectAccessSchema } from "@/lib/retention/subject-access";
import { sqlRows } from "../helpers/sql-rows";
import { readStoredZip } from "../helpers/zip";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();
const DAY = 86_400_000;

describe("scenario: data-subject access", () => {
  it("exports every field and document of one trader and nothing of another, audited", async () => {
    const w = world();
    const anna = new Trader(w, 480_001);
    await anna.completeStandardLevel({ surnames: "Achterberg", placeOfBirth: "Zwolle" });
    const bert = new Trader(w, 480_002);
    await bert.completeStandardLevel({ surnames: "Brandvold", placeOfBirth: "Bergen" });
    const annaCase = await anna.currentCase();
    const bertCase = await bert.currentCase();

    const reviewer = await signedInStaff(w, "dsar.reviewer@broker.example", "reviewer");
    expect((await reviewer.exportSubjectData(annaCase.traderId)).status).toBe(403);
    const admin = await signedInStaff(w, "dsar.admin@broker.example", "admin");
    const response = await admin.exportSubjectData(annaCase.traderId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    const zip = Buffer.from(await response.arrayBuffer());
    const entries = readStoredZip(zip);
    const data = subjectAccessSchema.parse(JSON.parse(entries.get("data.json")!.toString("utf8")));

    expect(data.trader).toMatchObject({
      ctraderUserId: anna.userId,
      email: `trader${anna.userId}@example.com`,
      tradingLogin: anna.tradingLogin,
    });
    expect(data.cases.map((c) => c.id)).toEqual([annaCase.id]);
    const [only] = data.cases;
    expect(Object.keys(only!.answers).sort()).toEqual(
      ["identity_document", "personal", "proof_of_address"].sort(),
    );
    expect(JSON.stringify(only!.answers)).toContain("Achterberg");
    expect(JSON.stringify(only!.submissions)).toContain("Zwolle");
    expect(only!.history.map((h) => h.to)).toContain("submitted");

    // Every stored document of hers is in the archive, byte for byte.
    const stored = await sqlRows<{ id: string; sha256: string | null; status: string }>(
      w.db.db,
      sql`select id, sha256, status from documents where case_id = ${annaCase.id}`,
    );
    expect(only!.documents.map((d) => d.id).sort()).toEqual(stored.map((d) => d.id).sort());
    for (const d of only!.documents) {
      expect(d.fileName).toBe("photo.jpg");
      const bytes = entries.get(d.file!);
      expect(bytes).toBeDefined();
      expect(createHash("sha256").update(bytes!).digest("hex")).toBe(d.sha256);
    }
    expect(entries.size).toBe(1 + stored.length);

    // Nothing of Bert's.
    const everything = zip.toString("latin1");
    for (const other of ["Brandvold", "Bergen", bertCase.id, `trader${bert.userId}@example.com`])
      expect(everything).not.toContain(other);

    const audit = await sqlRows<{ actor_id: string; data: Record<string, unknown> }>(
      w.db.db,
      sql`select actor_id, data from audit_events where action = 'retention.subject_access_exported' and trader_id = ${annaCase.traderId}`,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toEqual({ cases: 1, files: stored.length });
  });
});

describe("scenario: erasure requests", () => {
  it("refuses while retention runs (with the date once known) or a hold is set; executes for a draft", async () => {
    const w = world();
    const carl = new Trader(w, 480_003);
    await carl.completeStandardLevel({ surnames: "Carlsen" });
    const carlCase = await carl.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "erase.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(carlCase.id)).toBe("approved");
    const admin = await signedInStaff(w, "erase.admin@broker.example", "admin");

    expect(await reviewer.erasureRequest(carlCase.id)).toBe("error:forbidden");
    expect(await admin.erasureRequest(carlCase.id)).toBe("erasure_refused");
    let page = await admin.casePage(carlCase.id);
    expect(page).toContain('data-reason="retention_not_over" data-runs-at=""');

    const ended = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    expect(await admin.relationshipEnd(carlCase.id, ended)).toBe("relationship_ended");
    expect(await admin.erasureRequest(carlCase.id)).toBe("erasure_refused");
    const runsAt = `${Number(ended.slice(0, 4)) + 5}${ended.slice(4)}`;
    page = await admin.casePage(carlCase.id);
    expect(page).toContain(`data-reason="retention_not_over" data-runs-at="${runsAt}"`);

    expect(await admin.legalHold(carlCase.id, "set", "court order 2026/88 preserve")).toBe(
      "legal_hold_set",
    );
    expect(await admin.erasureRequest(carlCase.id)).toBe("erasure_refused");
    expect(await admin.casePage(carlCase.id)).toContain('data-reason="legal_hold"');

    // A trader who never sent anything: nothing keeps the data.
    const dora = new Trader(w, 480_004);
    await dora.launch("kyc", { kycType: "standard" });
    await dora.fillStandardForms({ surnames: "Dahlberg" });
    const doraCase = await dora.currentCase();
    expect(await admin.erasureRequest(doraCase.id)).toBe("erasure_executed");
    expect(await admin.casePage(doraCase.id)).toContain('data-testid="tombstone"');
    const drafts = await sqlRows<{ n: number }>(
      w.db.db,
      sql`select count(*)::int as n from case_drafts where case_id = ${doraCase.id}`,
    );
    expect(drafts[0]!.n).toBe(0);

    const requests = await sqlRows<{ outcome: string; reason: string | null }>(
      w.db.db,
      sql`select outcome, reason from erasure_requests order by requested_at`,
    );
    expect(requests).toEqual([
      { outcome: "refused", reason: "retention_not_over" },
      { outcome: "refused", reason: "retention_not_over" },
      { outcome: "refused", reason: "legal_hold" },
      { outcome: "executed", reason: null },
    ]);
    const verify = await w.runCommand("scripts/audit-verify.ts");
    expect(verify.code).toBe(0);
  });
});
