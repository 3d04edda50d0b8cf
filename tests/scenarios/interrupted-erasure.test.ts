/**
 * Scenarios: an erasure request the storage stops part-way. The case's rows stay (its erasure
 * rolled back) but the files it had deleted are gone: the console says so where it would show
 * them, in the officer's language, and the rest of the case stays readable.
 */
import "./support/console-scope";
import { RETENTION_LIST_LIMIT } from "@/lib/retention/view";
import { documentKey } from "@/lib/storage";
import { textOf } from "../helpers/render-page";
import { blockStorageDelete } from "./support/faults";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld, setClock, type World } from "./support/world";

const world = scenarioWorld();

/** A trader's case whose erasure the storage stopped after it deleted the sealed file. */
async function halfErased(w: World, userId: number, email: string) {
  const trader = new Trader(w, userId);
  await trader.launch("kyc", { kycType: "standard" });
  await trader.fillStandardForms({ surnames: `Halfway${userId}` });
  const uploaded = await trader.upload("identity");
  expect(uploaded.status).toBe(200);
  const kycCase = await trader.currentCase();
  // The storage deletes the sealed file, then fails on the upload key.
  const unblock = blockStorageDelete(w, documentKey(kycCase.id, uploaded.documentId!));
  // An hour on: the upload's form has expired, so nothing but the storage stands in the way.
  setClock(Date.now() + 60 * 60_000);
  const admin = await signedInStaff(w, email, "admin");
  expect(await admin.erasureRequest(kycCase.id)).toBe("erasure_failed");
  return { kycCase, documentId: uploaded.documentId!, admin, unblock };
}

describe("scenario: the console after an erasure the storage stopped part-way", () => {
  afterEach(() => jest.useRealTimers());

  it("says in the officer's language that the file is gone, on the case page and its Open link", async () => {
    const w = world();
    const { kycCase, documentId, admin, unblock } = await halfErased(
      w,
      490_001,
      "halfway.viewer@broker.example",
    );
    try {
      await admin.chooseLanguage("fr");
      const opened = await admin.openDocument(documentId);
      expect(opened.status).toBe(410);
      const body = (await opened.json()) as { reason: string; message: string };
      expect(body.reason).toBe("file_gone");
      expect(body.message).toContain("Ce fichier n'est plus stocké");
      // Clicked in the browser: a page in the officer's language, not raw JSON.
      const clicked = await admin.openDocument(documentId, {
        accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
      });
      expect(clicked.status).toBe(410);
      expect(clicked.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await clicked.text();
      expect(html).toContain('<html lang="fr"');
      expect(textOf(html)).toContain("Ce fichier n'est plus stocké");
      expect(html).not.toContain('"reason"');

      const page = await admin.casePage(kycCase.id);
      // In place of the picture and its link; the rest of the case is there.
      expect(page).toContain(`data-file-gone="${documentId}"`);
      expect(page).not.toContain(`src="/admin/documents/${documentId}"`);
      expect(textOf(page)).toContain("Ce fichier n'est plus stocké");
      expect(page).toContain('data-outcome="failed"');
      expect(page).toContain('data-testid="typed-fields"');

      // The evidence reads no file: both forms are answered whole.
      expect((await admin.exportEvidence(kycCase.id)).status).toBe(200);
      expect((await admin.exportEvidence(kycCase.id, "html")).status).toBe(200);
    } finally {
      unblock();
    }
  });

  it("lists the failed request on /admin/retention, linked to its case, until it is recorded again", async () => {
    const w = world();
    const { kycCase, admin, unblock } = await halfErased(
      w,
      490_002,
      "halfway.retention@broker.example",
    );
    try {
      const page = await admin.retentionPage();
      const failed = page.slice(page.indexOf('data-testid="failed-erasures"'));
      expect(failed).toContain(`data-case="${kycCase.id}"`);
      expect(failed).toContain(`href="/admin/cases/${kycCase.id}"`);
      const said = textOf(failed);
      expect(said).toContain("stored files it had already deleted: 1");
      expect(said).toContain("record the request again on the case page");

      // The storage works again: recorded anew, the erasure is carried out and leaves the list.
      unblock();
      expect(await admin.erasureRequest(kycCase.id)).toBe("erasure_executed");
      const after = await admin.retentionPage();
      expect(after).not.toContain(`<li data-case="${kycCase.id}"`);
      expect(after).toMatch(
        new RegExp(`<tr data-case="${kycCase.id}" data-rule="erasure_request"`),
      );
    } finally {
      unblock();
    }
  });

  it("keeps the failed request listed however many erasure requests were recorded after it", async () => {
    const w = world();
    const { kycCase, admin, unblock } = await halfErased(w, 490_003, "halfway.many@broker.example");
    try {
      // Another trader's submitted case: each request on it is refused (its period has not run)
      // and audited, more of them than the page would read if it took the newest entries.
      const other = new Trader(w, 490_004);
      await other.completeStandardLevel();
      const otherCase = (await other.currentCase()).id;
      // The admin sends the form of one load of the page again and again (rendering the case
      // page 201 times would take minutes and prove nothing more).
      const form = await admin.caseForm(otherCase, "erasure-submit");
      for (let i = 0; i < 201; i++)
        expect(await admin.erasureRequest(otherCase, true, form)).toBe("erasure_refused");

      const page = await admin.retentionPage();
      const failed = page.slice(page.indexOf('data-testid="failed-erasures"'));
      expect(failed).toContain(`<li data-case="${kycCase.id}"`);
      expect(failed).not.toContain(`data-case="${otherCase}"`);
    } finally {
      unblock();
    }
  }, 600_000);

  it("shows the newest failed requests and says how many wait in all", async () => {
    const w = world();
    const { kycCase, admin, unblock } = await halfErased(w, 490_005, "halfway.more@broker.example");
    const failedItems = (page: string) => {
      const start = page.indexOf('data-testid="failed-erasures"');
      const list = page.slice(start, page.indexOf("</ul>", start));
      return [...list.matchAll(/<li data-case="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    };
    try {
      // Failures of this file's other cases may wait too: all of them, fewer than a page, show.
      const before = failedItems(await admin.retentionPage()).length;
      expect(before).toBeLessThan(RETENTION_LIST_LIMIT);
      // The admin records the request again while the storage still fails, a second apart each
      // time (one page load's form, sent again): more failed entries than the page lists.
      const form = await admin.caseForm(kycCase.id, "erasure-submit");
      for (let i = 0; i < RETENTION_LIST_LIMIT; i++) {
        jest.setSystemTime(Date.now() + 1_000);
        expect(await admin.erasureRequest(kycCase.id, true, form)).toBe("erasure_failed");
      }

      const page = await admin.retentionPage();
      const items = failedItems(page);
      expect(items).toHaveLength(RETENTION_LIST_LIMIT);
      expect(new Set(items)).toEqual(new Set([kycCase.id]));
      expect(new RegExp('data-testid="failed-more">([^<]*)<').exec(page)?.[1]).toBe(
        `Showing the newest ${RETENTION_LIST_LIMIT} of ${before + RETENTION_LIST_LIMIT}.`,
      );
    } finally {
      unblock();
    }
  }, 600_000);
});
