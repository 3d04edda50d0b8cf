/**
 * Scenario: the broker renames a sanctions list file. The import stores it as a new list and
 * leaves the old one, which still screens but which nothing updates: it goes stale past
 * SCREENING_LIST_MAX_AGE_HOURS and, with automatic approval on, every clean trader waits for a
 * person. The import, the queue and /api/health say which list and how it goes;
 * `npm run lists:remove` takes it out (audited) and re-screens the submission waiting on the lists
 * left, so a reviewer can approve it and the checks approve the next clean trader again.
 */
import "./support/request-scope";
import { copyFileSync } from "node:fs";
import path from "node:path";
import { GET as health } from "@/app/api/health/route";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";

const HOUR = 3_600_000;
const SETTINGS = {
  LISTS_IMPORT_HOURS: "24",
  SCREENING_LIST_MAX_AGE_HOURS: "48",
  AUTO_APPROVE: "1",
};

const world = scenarioWorld(SETTINGS);

function brokerList(name: string): string {
  const list = path.join(world().dataDir, name);
  copyFileSync(OFAC_EXCERPT, list);
  return list;
}

async function listsOnHealth() {
  const body = (await (await health()).json()) as {
    screening: { status: string; lists: { source: string; status: string; configured: unknown }[] };
  };
  return body.screening;
}

const removeList = (source: string) =>
  world().runCommand("scripts/lists-remove.ts", source ? [source] : []);

describe("scenario: a list file renamed", () => {
  // Seven operator commands, each a process that loads the app under tsx (≈2.5 s) and, on
  // PGlite, opens the data directory afresh (≈3 s more): about 45 s of this scenario on a quiet
  // 2-core machine, twice that and more under load, past the scenarios' 120 s.
  it("leaves a stale list that lists:remove takes out, after which cases are decided again", async () => {
    const w = world();
    const before = brokerList("sdn-2025.csv");
    const after = brokerList("sdn-2026.csv");
    w.configure({ SANCTIONS_LIST_PATH: before });
    // The worker's scheduled import last ran 50 hours ago, on the old file name.
    await w.worker(new Date(Date.now() - 50 * HOUR));

    // The broker renames the file and the operator imports it: the command names the old list.
    w.configure({ SANCTIONS_LIST_PATH: after });
    const imported = await w.runCommand("scripts/lists-import.ts");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/sdn-2026 \(.*\): replaced/);
    expect(imported.stderr).toContain(
      "sdn-2025 is stored but not in SANCTIONS_LIST_PATH: it still screens, nothing updates it; `npm run lists:remove -- sdn-2025` takes it out",
    );

    // A clean trader waits for a person: the old list is past its age.
    const first = new Trader(w, 470_001);
    await first.completeStandardLevel();
    await w.worker();
    const waiting = await first.currentCase();
    expect(waiting.status).toBe("in_review");
    const reviewer = await signedInStaff(w, "rename.reviewer@broker.example", "reviewer");
    expect(await reviewer.casePage(waiting.id)).toContain(
      'data-testid="auto-approval-refused" data-reason="lists_not_current"',
    );
    const queue = await reviewer.queue({});
    expect(queue).toContain('data-list="sdn-2025" data-list-status="stale"');
    expect(textOf(queue)).toContain(
      "It is no longer in SANCTIONS_LIST_PATH, so nothing updates it: an operator removes it with npm run lists:remove -- sdn-2025.",
    );
    expect((await listsOnHealth()).lists).toEqual([
      expect.objectContaining({ source: "sdn-2025", status: "stale", configured: false }),
      expect.objectContaining({ source: "sdn-2026", status: "ok", configured: true }),
    ]);

    // The operator's commands, one after another: the database is lent to them once, not
    // reopened here between two of them (on PGlite each reopen costs seconds).
    await w.db.lend(async () => {
      // Refused, with the reason, for a list still configured and for one not stored.
      const configured = await removeList("sdn-2026");
      expect(configured.code).toBe(2);
      expect(configured.stderr).toContain(
        "sdn-2026 is in SANCTIONS_LIST_PATH: take it out of the configuration first",
      );
      // Without the configuration, nothing tells a list in force from a leftover.
      w.configure({ SANCTIONS_LIST_PATH: "", LISTS_IMPORT_HOURS: "0" });
      const unset = await removeList("sdn-2025");
      expect(unset.code).toBe(2);
      expect(unset.stderr).toContain("SANCTIONS_LIST_PATH is not set");
      w.configure({ SANCTIONS_LIST_PATH: after });
      const unknown = await removeList("sdn-2024");
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("no list named sdn-2024 (stored: sdn-2025, sdn-2026)");
      expect((await removeList("")).code).toBe(2);

      const removed = await removeList("sdn-2025");
      expect(removed).toMatchObject({ code: 0 });
      expect(removed.stdout).toMatch(/sdn-2025: removed, \d+ entries no longer screen/);
      expect(removed.stdout).toContain("re-screened 1 traders on the lists left");

      // The last list left is not removed: with none, nobody would be screened.
      w.configure({ SANCTIONS_LIST_PATH: path.join(w.dataDir, "sdn-2027.csv") });
      const last = await removeList("sdn-2026");
      expect(last.code).toBe(2);
      expect(last.stderr).toContain("sdn-2026 is the only list stored");
      w.configure({ SANCTIONS_LIST_PATH: after });
    });

    // The warning is gone, health is ok, and the removal is on the audit trail.
    expect(await reviewer.queue({})).not.toContain('data-testid="lists-warning"');
    expect(await listsOnHealth()).toMatchObject({
      status: "ok",
      lists: [expect.objectContaining({ source: "sdn-2026", configured: true })],
    });
    const admin = await signedInStaff(w, "rename.admin@broker.example", "admin");
    const audit = await admin.auditPage({ action: "screening.list_removed" });
    expect(audit.match(/data-action="screening.list_removed"/g)).toHaveLength(1);
    // The entry's facts, one `key: value` line each.
    const facts = /data-testid="audit-data">([\s\S]*?)<\/ul>/.exec(audit)?.[1] ?? "";
    const data = Object.fromEntries(
      [...facts.matchAll(/<li>([\s\S]*?)<\/li>/g)].map(([, li]) => {
        const [key, ...value] = textOf(li!).split(": ");
        return [key!.trim(), value.join(": ").trim()];
      }),
    );
    expect(data).toEqual({
      source: "sdn-2025",
      version: expect.stringMatching(/^[0-9a-f]{64}$/),
      entries: expect.stringMatching(/^[1-9]\d*$/),
    });

    // The waiting case was screened on the lists left: a reviewer approves it.
    const page = await reviewer.casePage(waiting.id);
    expect(page).not.toContain('data-blocker="screening_outdated"');
    expect(await reviewer.approve(waiting.id)).toBe("approved");
    expect(await first.status()).toBe("approved");

    // And the checks approve the next clean trader without a person.
    const second = new Trader(w, 470_002);
    await second.completeStandardLevel();
    await w.worker();
    expect(await second.status()).toBe("approved");
  }, 240_000);
});

describe("scenario: an operator adds an argument lists:import does not take", () => {
  it("stops naming it, before anything is imported", async () => {
    const w = world();
    w.configure({ SANCTIONS_LIST_PATH: brokerList("sdn-dry.csv") });
    // An operator hoping for a dry run must not get a real import and a re-screening.
    const run = await w.runCommand("scripts/lists-import.ts", ["--dry-run"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("lists:import: --dry-run: takes no arguments");
    const lists = (await listsOnHealth()).lists;
    expect(lists.find((l) => l.source === "sdn-dry")).toMatchObject({ status: "missing" });
  });
});
