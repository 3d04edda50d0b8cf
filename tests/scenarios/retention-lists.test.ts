/**
 * Scenarios of /admin/retention's long lists: the erased cases and what else the purge deleted
 * show the newest RETENTION_LIST_LIMIT rows and say how many there are in all, so an older
 * entry is never left out without a word. Everything is made by traders and the worker.
 */
import "./support/request-scope";
import { RETENTION_LIST_LIMIT } from "@/lib/retention/view";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();
const DAY = 86_400_000;

/** The line under a list that says how many it does not show, or null. */
const moreLine = (page: string, testId: string) =>
  new RegExp(`data-testid="${testId}">([^<]*)<`).exec(page)?.[1] ?? null;

const rowsIn = (page: string, testId: string, marker: RegExp) => {
  const start = page.indexOf(`data-testid="${testId}"`);
  const table = page.slice(start, page.indexOf("</table>", start));
  return [...table.matchAll(marker)].length;
};

describe("scenario: /admin/retention says how many it does not show", () => {
  it("lists the newest replaced documents and says how many the purge deleted in all", async () => {
    const w = world();
    const trader = new Trader(w, 471_001);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    // Each new identity upload replaces the one before: one more than the page lists.
    for (let i = 0; i < RETENTION_LIST_LIMIT + 1; i++)
      expect((await trader.upload("identity")).status).toBe(200);
    await trader.uploadStandardDocuments();
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "lists.reviewer@broker.example", "reviewer");
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    // The purge takes the replaced documents in batches: enough runs to take them all.
    for (let run = 0; run < 6; run++) await w.worker();

    const admin = await signedInStaff(w, "lists.admin@broker.example", "admin");
    const page = await admin.retentionPage();
    expect(rowsIn(page, "deleted", /data-deleted="document"/g)).toBe(RETENTION_LIST_LIMIT);
    expect(moreLine(page, "deleted-more")).toBe(
      `Showing the newest ${RETENTION_LIST_LIMIT} of ${RETENTION_LIST_LIMIT + 1}.`,
    );
  }, 600_000);

  it("lists the newest erased cases and says how many were erased in all", async () => {
    const w = world();
    const started = new Date();
    for (let i = 0; i < RETENTION_LIST_LIMIT + 1; i++)
      await new Trader(w, 471_100 + i).launch("kyc", { kycType: "standard" });
    for (let run = 0; run < 6; run++) await w.worker(new Date(started.getTime() + 91 * DAY));

    const admin = await signedInStaff(w, "lists.erased@broker.example", "admin");
    const page = await admin.retentionPage();
    expect(rowsIn(page, "purged", /data-rule="abandoned_draft"/g)).toBe(RETENTION_LIST_LIMIT);
    expect(moreLine(page, "purged-more")).toBe(
      `Showing the newest ${RETENTION_LIST_LIMIT} of ${RETENTION_LIST_LIMIT + 1}.`,
    );
  }, 600_000);
});
