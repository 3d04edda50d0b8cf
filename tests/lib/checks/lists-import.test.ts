/**
 * Screening lists in the database: `lists:import` is idempotent per file version, a changed file
 * replaces its source's entries and re-screens approved traders (flagging, never un-approving),
 * and a process rebuilds its index when a list version changes, looking at most once a minute.
 * The traders are real ones: their own submissions, checked by the worker, approved in the
 * console (./helpers.ts).
 */
import "../../scenarios/support/request-scope";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { POST as upgradeApi } from "@/app/api/crm/traders/[id]/upgrade/route";
import { importListsAndRescreen } from "@/lib/checks/rescreen";
import {
  getCaseById,
  getCaseRisk,
  getLatestCheckRun,
  MONITORING_TASK,
} from "@/lib/db/queries/checks";
import { listOutboxEventsForCase } from "@/lib/db/queries/outbox";
import { getOpenReviewTask } from "@/lib/db/queries/review";
import { replaceScreeningList, shareListVersionsLock } from "@/lib/db/queries/screening-lists";
import {
  auditEvents,
  caseSubmissions,
  checkRuns,
  screeningEntries,
  screeningLists,
} from "@/lib/db/schema";
import { sourceName } from "@/lib/screening/import";
import type { ListEntry } from "@/lib/screening/types";
import { getScreeningIndex, resetScreeningIndex } from "@/lib/screening/store";
import { signedInStaff, type Staff } from "../../scenarios/support/people";
import { BROKER, OFAC_EXCERPT } from "../../scenarios/support/world";
import { checksWorld, submittedCase } from "./helpers";

const CRM_KEY = "the-brokers-crm-api-key-0123456789abcdef";
const world = checksWorld({ CRM_API_KEY: CRM_KEY });
/** Reads for the assertions, and the legacy row removed below. */
const db = () => world().db.db;
const dir = mkdtempSync(path.join(tmpdir(), "lists-"));
const sdn = path.join(dir, "sdn.csv");
const pep = path.join(dir, "local-pep.csv");

let reviewer: Staff;
let approver: Staff;
beforeAll(async () => {
  resetScreeningIndex();
  reviewer = await signedInStaff(world(), "lists.reviewer@broker.example", "reviewer");
  approver = await signedInStaff(world(), "lists.approver@broker.example", "approver");
});

/** A trader's case checked by the worker against the current lists, then approved in the console. */
async function approvedCase(options: Parameters<typeof submittedCase>[0]) {
  const submitted = await submittedCase(options);
  await world().worker();
  const outcome = await reviewer.approve(submitted.kycCase.id);
  if (outcome === "awaiting_co_sign")
    expect(await approver.approve(submitted.kycCase.id)).toBe("approved");
  else expect(outcome).toBe("approved");
  return submitted;
}

describe("lists:import", () => {
  it("names a list after its file", () => {
    expect(sourceName("/srv/lists/OFAC SDN.csv")).toBe("ofac-sdn");
    expect(sourceName("local_pep.v2.csv")).toBe("local-pep-v2");
  });

  it("imports each file once; the same file again is a no-op", async () => {
    copyFileSync(OFAC_EXCERPT, sdn);
    writeFileSync(pep, "name,aliases,dob,country\nJean-Luc Dufresne,,1961-04-12,France\n");
    const first = await importListsAndRescreen([sdn, pep]);
    expect(first.lists.map((l) => [l.source, l.status, "entries" in l && l.entries])).toEqual([
      ["sdn", "replaced", expect.any(Number)],
      ["local-pep", "replaced", 1],
    ]);
    const [list] = await db().select().from(screeningLists).where(eq(screeningLists.source, "sdn"));
    const entries = await db()
      .select()
      .from(screeningEntries)
      .where(eq(screeningEntries.source, "sdn"));
    expect(list).toMatchObject({ format: "ofac-sdn", entryCount: entries.length });
    expect(list?.version).toMatch(/^[0-9a-f]{64}$/);
    expect(entries.find((e) => e.entryId === "6707")?.entry).toMatchObject({
      name: "Rafael CARO QUINTERO",
      source: "sdn",
      datesOfBirth: expect.arrayContaining([{ year: 1952, month: 12, day: 12 }]),
    });

    const runsBefore = (await db().select().from(checkRuns)).length;
    const again = await importListsAndRescreen([sdn, pep]);
    expect(again.lists.map((l) => l.status)).toEqual(["unchanged", "unchanged"]);
    expect(again.rescreen).toBeNull();
    expect(
      (await db().select().from(screeningLists).where(eq(screeningLists.source, "sdn")))[0]
        ?.importedAt,
    ).toEqual(list?.importedAt);
    expect((await db().select().from(checkRuns)).length).toBe(runsBefore);
  });

  it("refuses two files that would be the same list", async () => {
    const other = path.join(mkdtempSync(path.join(tmpdir(), "lists-")), "sdn.csv");
    copyFileSync(OFAC_EXCERPT, other);
    await expect(importListsAndRescreen([sdn, other])).rejects.toThrow(/both named "sdn"/);
  });

  it("re-screens approved traders when a list changes: a new match is flagged, the approval stands", async () => {
    const target = await approvedCase({
      personal: {
        givenNames: "Marta",
        surnames: "Kowalczyk",
        dateOfBirth: "1984-03-09",
        nationalities: ["PL"],
      },
      identity: { documentNumber: "PL0000001", issuingCountry: "PL" },
    });
    const bystander = await approvedCase({ identity: { documentNumber: "SE0000002" } });
    const pending = await submittedCase({
      personal: {
        givenNames: "Marta",
        surnames: "Kowalczyk",
        dateOfBirth: "1984-03-09",
        nationalities: ["PL"],
      },
      identity: { documentNumber: "PL0000003", issuingCountry: "PL" },
    });

    // The broker's PEP list gains Marta Kowalczyk.
    writeFileSync(
      pep,
      readFileSync(pep, "utf8") + "Marta Kowalczyk,Marta Kowalczyk-Nowak,1984-03-09,Poland\n",
    );
    const result = await importListsAndRescreen([sdn, pep]);
    expect(result.lists.map((l) => [l.source, l.status])).toEqual([
      ["sdn", "unchanged"],
      ["local-pep", "replaced"],
    ]);
    expect(result.rescreen?.newHits).toEqual([
      expect.objectContaining({
        caseId: target.kycCase.id,
        hits: [expect.objectContaining({ source: "local-pep", level: "likely" })],
      }),
    ]);
    // Approved traders only: the submitted case waits for its own checks.
    expect(result.rescreen?.screened).toBeGreaterThanOrEqual(2);
    expect(await getLatestCheckRun(pending.kycCase.id, "rescreen")).toBeUndefined();

    expect((await getCaseById(target.kycCase.id))?.status).toBe("approved");
    expect(await getCaseRisk(target.kycCase.id)).toMatchObject({
      escalated: true,
      level: "high",
      rescreenHitAt: expect.any(Date),
    });
    // A person is told: an open monitoring task (the queue's filter) and an event for the CRM.
    expect(await getOpenReviewTask(target.kycCase.id, MONITORING_TASK)).toMatchObject({
      data: { hits: [expect.objectContaining({ source: "local-pep" })] },
    });
    expect((await getCaseById(target.kycCase.id))?.riskLevel).toBe("high");
    const events = await listOutboxEventsForCase(target.kycCase.id);
    expect(events.at(-1)).toMatchObject({
      type: "case.monitoring_hit",
      payload: expect.objectContaining({
        hits: [expect.objectContaining({ source: "local-pep" })],
      }),
    });
    expect(await getOpenReviewTask(bystander.kycCase.id, MONITORING_TASK)).toBeUndefined();
    const rescreen = await getLatestCheckRun(target.kycCase.id, "rescreen");
    expect(rescreen?.results).toEqual([
      expect.objectContaining({ check: "screening", outcome: "fail" }),
    ]);
    const audit = await db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.caseId, target.kycCase.id));
    expect(audit.filter((a) => a.action === "screening.rescreen_hit")).toEqual([
      expect.objectContaining({
        actorType: "system",
        data: expect.objectContaining({ hits: [expect.objectContaining({ source: "local-pep" })] }),
      }),
    ]);

    // The bystander was screened again and stays clean.
    expect(await getLatestCheckRun(bystander.kycCase.id, "rescreen")).toMatchObject({
      results: [expect.objectContaining({ outcome: "pass" })],
    });
    expect(await getCaseRisk(bystander.kycCase.id)).toMatchObject({
      escalated: false,
      rescreenHitAt: null,
    });

    // Another list change re-screens again, but the same match is not "new" a second time.
    writeFileSync(pep, readFileSync(pep, "utf8") + "Someone Else,,1950,France\n");
    const later = await importListsAndRescreen([sdn, pep]);
    expect(later.rescreen?.newHits).toEqual([]);
    const audit2 = await db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.caseId, target.kycCase.id));
    expect(audit2.filter((a) => a.action === "screening.rescreen_hit")).toHaveLength(1);
  });

  it("never counts an approval in force it could not screen as screened: audited, reported, tried again", async () => {
    const { kycCase, person } = await approvedCase({ identity: { documentNumber: "SE0000004" } });
    // The broker's CRM asks for the standard level.
    const upgrade = await upgradeApi(
      new Request(`${BROKER}/api/crm/traders/${person.userId}/upgrade`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${CRM_KEY}` },
        body: JSON.stringify({ kycType: "standard" }),
      }),
      { params: Promise.resolve({ id: String(person.userId) }) },
    );
    expect(await upgrade.json()).toMatchObject({ outcome: "upgrade_opened", caseId: kycCase.id });
    // An approval from before its round was frozen: nothing it rests on can be read back, and the
    // upgrade's drafts are not what it decided.
    await db().delete(caseSubmissions).where(eq(caseSubmissions.caseId, kycCase.id));

    writeFileSync(pep, readFileSync(pep, "utf8") + "Another Person,,1960,France\n");
    const first = await importListsAndRescreen([sdn, pep]);
    expect(first.rescreen?.unscreened).toEqual([
      { caseId: kycCase.id, traderId: kycCase.traderId, reason: "no_personal_data" },
    ]);
    expect(await getLatestCheckRun(kycCase.id, "rescreen")).toBeUndefined();
    const audit = await db().select().from(auditEvents).where(eq(auditEvents.caseId, kycCase.id));
    expect(audit.filter((a) => a.action === "screening.rescreen_unscreened")).toEqual([
      expect.objectContaining({
        data: {
          reason: "no_personal_data",
          lists: expect.objectContaining({ "local-pep": expect.any(String) }),
        },
      }),
    ]);

    // The lists did not change, but the approval was not screened against them: the next import
    // tries it again.
    const again = await importListsAndRescreen([sdn, pep]);
    expect(again.lists.map((l) => l.status)).toEqual(["unchanged", "unchanged"]);
    expect(again.rescreen?.unscreened).toEqual([
      { caseId: kycCase.id, traderId: kycCase.traderId, reason: "no_personal_data" },
    ]);
  });
});

describe("a list import beside an approval", () => {
  it("waits to replace a list until an approval asking on the versions in force has committed", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // What an approval's transaction holds between its question and its commit (lib/kyc/cases.ts).
    const approval = db().transaction(async (tx) => {
      await shareListVersionsLock(tx);
      locked();
      await held;
    });
    await lockTaken;
    let replaced = false;
    const importing = replaceScreeningList({
      source: "beside-approval",
      version: "v-1",
      format: "generic",
      entries: [],
      now: new Date(),
    }).then(() => {
      replaced = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(replaced).toBe(false);
    release();
    await approval;
    await importing;
    expect(replaced).toBe(true);
  });
});

describe("the process's screening index", () => {
  it("is rebuilt as soon as a list version changes, and kept while none does", async () => {
    resetScreeningIndex();
    const before = await getScreeningIndex();
    expect(await getScreeningIndex()).toBe(before);
    const has = (loaded: typeof before, name: string) =>
      loaded.index.entries.some((e) => e.name === name);
    expect(has(before, "Nadia Testerova")).toBe(false);

    await replaceScreeningList({
      source: "extra",
      version: "v-extra-1",
      format: "generic",
      entries: [
        {
          id: "1",
          source: "extra",
          name: "Nadia Testerova",
          aliases: [],
          type: "individual",
          datesOfBirth: [],
          nationalities: [],
          placesOfBirth: [],
          programs: [],
        },
      ],
      now: new Date(),
    });
    // Written as another process's import would: this process has not been told.
    const later = await getScreeningIndex();
    expect(later).not.toBe(before);
    expect(has(later, "Nadia Testerova")).toBe(true);
    expect(later.versions).toMatchObject({ extra: "v-extra-1" });
    // Nothing changed since: the next look keeps the same index object.
    expect(await getScreeningIndex()).toBe(later);
  });
});

describe("a stored entry and its one schema", () => {
  const entry = (id: string, name: string) => ({
    id,
    source: "shaped",
    name,
    aliases: [],
    type: "individual" as const,
    datesOfBirth: [],
    nationalities: [],
    placesOfBirth: [],
    programs: [],
  });
  const storedOf = async (source: string) =>
    (await db().select().from(screeningLists).where(eq(screeningLists.source, source)))[0];

  it("refuses to store an entry its readers would refuse, keeping the version in force", async () => {
    await replaceScreeningList({
      source: "shaped",
      version: "v-shaped-1",
      format: "generic",
      entries: [entry("1", "Olga Formova")],
      now: new Date(),
    });
    const legacy = { ...entry("2", "Ivan Formov"), type: "person" } as unknown as ListEntry;
    await expect(
      replaceScreeningList({
        source: "shaped",
        version: "v-shaped-2",
        format: "generic",
        entries: [entry("1", "Olga Formova"), legacy],
        now: new Date(),
      }),
    ).rejects.toThrow(/shaped: entry 2: type: /);
    expect((await storedOf("shaped"))?.version).toBe("v-shaped-1");
  });

  it("stops the index build on an unreadable stored entry, naming list and entry, until re-imported", async () => {
    resetScreeningIndex();
    // Fault injection: no flow writes an entry its readers refuse (see the test above).
    await db()
      .update(screeningEntries)
      .set({ entry: { ...entry("1", "Olga Formova"), aliases: null } as unknown as ListEntry })
      .where(eq(screeningEntries.source, "shaped"));
    await expect(getScreeningIndex()).rejects.toThrow(
      /screening list shaped: entry 1 cannot be read: aliases: /,
    );
    expect((await storedOf("shaped"))?.unreadableEntry).toBe("1");

    // The same version imported again writes its entries anew.
    expect(
      await replaceScreeningList({
        source: "shaped",
        version: "v-shaped-1",
        format: "generic",
        entries: [entry("1", "Olga Formova")],
        now: new Date(),
      }),
    ).toBe(true);
    expect((await storedOf("shaped"))?.unreadableEntry).toBeNull();
    const loaded = await getScreeningIndex();
    expect(loaded.index.entries.some((e) => e.name === "Olga Formova")).toBe(true);
  });
});
