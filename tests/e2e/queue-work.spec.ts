import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import en from "../../messages/en.json";
import { createStaff, importLists, openDecidable, signIn } from "./fixtures/console";
import {
  completeStandardLevel,
  fillPersonal,
  launch,
  sendIdentityDocument,
  type Catalog,
  type Person,
} from "./fixtures/flow";

/**
 * The queue as officers work it, beyond the name search of queue.spec.ts, on cases traders send
 * through the simulator: P (standard), Q (basic, launched with kycType=basic) and R (standard,
 * named like OFAC SDN entry 6707, so screening fails and escalates the case). A reviewer finds
 * each by its cTrader user id, trading login and case id; narrows the queue by level, trigger,
 * escalation, failed checks and SLA, each kept in the URL across a reload; an approver assigns
 * two cases to a colleague, who finds them as theirs; eleven traders who only opened the
 * screens fill the "Not sent yet" queue past its first page of ten; and two more traders, S and
 * T, are approved before a broker list naming S arrives (`npm run lists:import`), so the status
 * and monitoring-hit filters have approved cases, one with a hit, to tell apart.
 * Other specs share the database, so every check is about these rows.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");
test.describe.configure({ mode: "serial" });

const m = en as unknown as Catalog;
const REVIEWER = "work.reviewer@broker.example";
const COLLEAGUE = "work.colleague@broker.example";
const APPROVER = "work.approver@broker.example";

const P = {
  userId: 2201,
  seed: 22011,
  person: { givenNames: "Nora", surnames: "Falk", dateOfBirth: "1990-02-14" },
};
const Q = {
  userId: 2202,
  seed: 22021,
  person: { givenNames: "Ola", surnames: "Berg", dateOfBirth: "1986-10-01" },
};
const R = {
  userId: 2203,
  seed: 22031,
  person: { givenNames: "Rafael", surnames: "Caro Quintero", dateOfBirth: "1952-12-12" },
};
/** Traders who open the screens and send nothing: drafts for the paging test. */
const DRAFTS = Array.from({ length: 11 }, (_, i) => 2211 + i);
const email = (userId: number) => `trader${userId}@example.com`;
/** The trading login the simulator gives a trader (lib/dev/ctrader-simulator.ts). */
const login = (userId: number) => 5_200_000 + userId;

const ids = { p: "", q: "", r: "" };
let reviewer: Page;

const listed = (page: Page) =>
  page
    .getByTestId("queue")
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-case") ?? ""));
const mine = async (page: Page) =>
  (await listed(page)).filter((id) => Object.values(ids).includes(id));

async function search(page: Page, text: string) {
  await page.getByTestId("queue-search").fill(text);
  await page.getByTestId("queue-search").press("Enter");
  await page.waitForURL((url) => url.searchParams.get("q") === text);
}

/** The basic level: personal data, the identity document and its photo, then submit. */
async function completeBasicLevel(page: Page, seed: number, person: Person) {
  await expect(page.getByTestId("personal-form")).toBeVisible();
  await fillPersonal(page, person);
  await page.getByTestId("personal-continue").click();
  await sendIdentityDocument(page, m, seed);
  await page.goto("/inapp/kyc");
  await page.getByLabel(m.Kyc.declaration).check();
  await page.getByTestId("submit-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\/status$/);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(360_000);
  for (const [address, role] of [
    [REVIEWER, "reviewer"],
    [COLLEAGUE, "reviewer"],
    [APPROVER, "approver"],
  ] as const)
    await createStaff(databaseUrl, address, role);
  for (const sender of [P, Q, R]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const basic = sender === Q;
    await launch(page, {
      userId: sender.userId,
      screen: "kyc",
      lang: "en",
      ...(basic ? { kycType: "basic" } : {}),
    });
    // Seeds of their own: a photo or a passport number another trader sent is a duplicate.
    if (basic) await completeBasicLevel(page, sender.seed, sender.person);
    else await completeStandardLevel(page, m, sender.seed, sender.person);
    await context.close();
  }
  reviewer = await signIn(browser, REVIEWER);
  await reviewer.goto("/admin?sort=newest");
  for (const [key, sender] of [
    ["p", P],
    ["q", Q],
    ["r", R],
  ] as const)
    ids[key] =
      (await reviewer.locator("tr", { hasText: email(sender.userId) }).getAttribute("data-case")) ??
      "";
  expect(Object.values(ids).every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
});

test("search finds a case by its cTrader user id, its trading login and its case id", async () => {
  await reviewer.goto("/admin");
  await search(reviewer, String(P.userId));
  expect(await listed(reviewer)).toEqual([ids.p]);
  await expect(reviewer.locator(`tr[data-case="${ids.p}"]`)).toContainText(`cTrader ${P.userId}`);

  await search(reviewer, String(login(Q.userId)));
  expect(await listed(reviewer)).toEqual([ids.q]);
  await expect(reviewer.locator(`tr[data-case="${ids.q}"]`)).toContainText(String(login(Q.userId)));

  // The case id as copied from anywhere (the case page's address, a CSV): any letter case.
  await search(reviewer, ids.r.toUpperCase());
  expect(await listed(reviewer)).toEqual([ids.r]);

  // A number nobody has finds nothing, and says so.
  await search(reviewer, String(login(2230)));
  expect(await listed(reviewer)).toEqual([]);
  await expect(reviewer.getByTestId("queue-empty")).toBeVisible();
});

test("level, trigger, escalated, checks failed and SLA overdue filter the rows and survive a reload", async () => {
  test.setTimeout(240_000);
  // R's escalation and failed screening are known once its checks ran.
  await expect
    .poll(
      async () => {
        await reviewer.goto("/admin?escalated=1&checksFailed=1");
        return mine(reviewer);
      },
      { timeout: 60_000 },
    )
    .toEqual([ids.r]);

  const filters = reviewer.getByTestId("queue-filters");
  const check = async (
    set: () => Promise<unknown>,
    url: RegExp[],
    expected: string[],
    rowsHave: string,
  ) => {
    await reviewer.goto("/admin?sort=newest");
    await set();
    await filters.locator("button[type=submit]").click();
    for (const part of url) await expect(reviewer).toHaveURL(part);
    for (const pass of ["as filtered", "after a reload"]) {
      if (pass === "after a reload") await reviewer.reload();
      expect(await mine(reviewer), pass).toEqual(expected);
      // Every row shown, ours or another spec's, meets the filter.
      const rows = reviewer.getByTestId("queue").locator("tbody tr");
      await expect(rows.filter({ hasNot: reviewer.locator(rowsHave) }), pass).toHaveCount(0);
    }
  };

  await check(
    () => filters.getByTestId("filter-level").selectOption("basic"),
    [/[?&]level=basic(&|$)/],
    [ids.q],
    'td[data-level="basic"]',
  );
  await expect(filters.getByTestId("filter-level")).toHaveValue("basic");

  await check(
    () => filters.locator("select[name=trigger]").selectOption("manual"),
    [/[?&]trigger=manual(&|$)/],
    [ids.r, ids.q, ids.p],
    'td[data-trigger="manual"]',
  );
  await expect(filters.locator("select[name=trigger]")).toHaveValue("manual");
  await check(
    () => filters.locator("select[name=trigger]").selectOption("first_deposit"),
    [/[?&]trigger=first_deposit(&|$)/],
    [],
    'td[data-trigger="first_deposit"]',
  );

  await check(
    () => filters.locator("input[name=escalated]").check(),
    [/[?&]escalated=1(&|$)/],
    [ids.r],
    "[data-testid=escalated]",
  );
  await expect(filters.locator("input[name=escalated]")).toBeChecked();

  await check(
    async () => {
      await filters.locator("input[name=checksFailed]").check();
      await filters.getByTestId("filter-level").selectOption("standard");
    },
    [/[?&]checksFailed=1(&|$)/, /[?&]level=standard(&|$)/],
    [ids.r],
    "[data-testid=checks-failed]",
  );
  await expect(filters.locator("input[name=checksFailed]")).toBeChecked();

  // The three arrived minutes ago: none is past the review-time target yet.
  await check(
    () => filters.locator("input[name=overdue]").check(),
    [/[?&]overdue=1(&|$)/],
    [],
    "td[data-overdue=true]",
  );
  await expect(filters.locator("input[name=overdue]")).toBeChecked();
  await reviewer.goto("/admin?sort=newest");
  for (const id of Object.values(ids))
    await expect(reviewer.locator(`tr[data-case="${id}"] td[data-overdue]`)).toHaveCount(0);
});

test("an approver assigns selected cases to a colleague, who finds them as theirs", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  // Reviewers claim for themselves only: no one else to choose.
  await reviewer.goto("/admin");
  await expect(reviewer.getByTestId("bulk").locator("select[name=assignee]")).toHaveCount(0);

  const approver = await signIn(browser, APPROVER);
  await approver.goto("/admin?sort=newest&trigger=manual");
  for (const id of [ids.p, ids.q])
    await approver.locator(`tr[data-case="${id}"] input[type=checkbox][name=caseId]`).check();
  await approver
    .getByTestId("bulk")
    .locator("select[name=assignee]")
    .selectOption({ label: COLLEAGUE });
  await approver.getByTestId("bulk-claim").click();
  await expect(approver.getByTestId("bulk-outcome")).toHaveAttribute("data-claimed", "2");
  await expect(approver).toHaveURL(/[?&]trigger=manual(&|$)/);
  for (const id of [ids.p, ids.q])
    await expect(approver.locator(`tr[data-case="${id}"]`).getByTestId("assignee")).toHaveText(
      `claimed by ${COLLEAGUE}`,
    );
  await expect(approver.locator(`tr[data-case="${ids.r}"]`).getByTestId("assignee")).toHaveText(
    "—",
  );

  // The assignee filter by the colleague's name, kept in the URL.
  await approver.getByTestId("filter-assignee").selectOption({ label: COLLEAGUE });
  await approver.getByTestId("queue-filters").locator("button[type=submit]").click();
  await expect(approver).toHaveURL(/[?&]assignee=[0-9a-f-]{36}(&|$)/);
  expect((await mine(approver)).sort()).toEqual([ids.p, ids.q].sort());

  const colleague = await signIn(browser, COLLEAGUE);
  await colleague.goto("/admin?assignee=me");
  expect((await mine(colleague)).sort()).toEqual([ids.p, ids.q].sort());
  for (const id of [ids.p, ids.q])
    await expect(colleague.locator(`tr[data-case="${id}"]`).getByTestId("assignee")).toHaveText(
      "you",
    );
});

test("the queue pages past its first page: every case once, in order, and the page stays on reload", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // Eleven traders open the screens and send nothing: eleven drafts, newest last.
  const context = await browser.newContext();
  const trader = await context.newPage();
  for (const userId of DRAFTS) {
    await launch(trader, { userId, screen: "kyc", lang: "en" });
    await expect(trader.getByTestId("personal-form")).toBeVisible();
  }
  await context.close();

  await reviewer.goto("/admin");
  const filters = reviewer.getByTestId("queue-filters");
  await filters.locator("select[name=queue]").selectOption("drafts");
  await filters.locator("select[name=sort]").selectOption("newest");
  await filters.getByTestId("queue-per-page").selectOption("10");
  await filters.locator("button[type=submit]").click();
  await expect(reviewer).toHaveURL(/[?&]per=10(&|$)/);

  /** The cTrader user id each row names. */
  const users = () =>
    reviewer
      .getByTestId("queue")
      .locator("tbody tr small")
      .evaluateAll((cells) => cells.map((c) => /cTrader (\d+)/.exec(c.textContent ?? "")?.[1]));
  const newestFirst = DRAFTS.map(String).reverse();
  expect(await users()).toEqual(newestFirst.slice(0, 10));
  await expect(reviewer.getByTestId("queue-pages").locator("a[rel=prev]")).toHaveCount(0);

  await reviewer.getByTestId("queue-pages").locator("a[rel=next]").click();
  await expect(reviewer).toHaveURL(/[?&]page=2(&|$)/);
  for (const pass of ["page 2", "page 2 after a reload"]) {
    if (pass.endsWith("reload")) await reviewer.reload();
    await expect(reviewer.getByTestId("queue-per-page"), pass).toHaveValue("10");
    await expect(reviewer.locator("select[name=queue]"), pass).toHaveValue("drafts");
    // The oldest of the eleven opens page 2; drafts of other specs, older still, may follow.
    expect((await users())[0], pass).toBe(String(DRAFTS[0]));
  }
  await reviewer.getByTestId("queue-pages").locator("a[rel=prev]").click();
  await expect(reviewer).not.toHaveURL(/[?&]page=/);
  expect(await users()).toEqual(newestFirst.slice(0, 10));
});

test("status and monitoring hit filter the rows and survive a reload", async ({ browser }) => {
  test.setTimeout(300_000);
  const S = {
    userId: 2236,
    seed: 22361,
    person: { givenNames: "Ingrid", surnames: "Solvang", dateOfBirth: "1983-05-17" },
  };
  const T = {
    userId: 2237,
    seed: 22371,
    person: { givenNames: "Tor", surnames: "Lunde", dateOfBirth: "1987-08-03" },
  };
  const approved: Record<"s" | "t", string> = { s: "", t: "" };
  for (const [key, sender] of [
    ["s", S],
    ["t", T],
  ] as const) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await launch(page, { userId: sender.userId, screen: "kyc", lang: "en" });
    await completeStandardLevel(page, m, sender.seed, sender.person);
    await context.close();
    await openDecidable(reviewer, email(sender.userId));
    approved[key] = new URL(reviewer.url()).pathname.split("/").pop() ?? "";
    await reviewer.getByTestId("approve").click();
    await reviewer.getByTestId("approve-yes").click();
    await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "approved");
  }
  const ours = [...Object.values(ids), ...Object.values(approved)];
  const shown = async () => (await listed(reviewer)).filter((id) => ours.includes(id));

  // The broker's own list gains Ingrid Solvang; the operator imports it beside the OFAC excerpt.
  const list = path.join(mkdtempSync(path.join(tmpdir(), "kyc-e2e-list-")), "queue-work-pep.csv");
  writeFileSync(list, "name,aliases,dob,country\nIngrid Solvang,,1983-05-17,Norway\n");
  expect(await importLists(databaseUrl, [list])).toMatch(
    /re-screened \d+ traders, 1 with a new likely match/,
  );

  const filters = reviewer.getByTestId("queue-filters");
  const apply = async (set: () => Promise<unknown>, url: RegExp[]) => {
    await reviewer.goto("/admin?sort=newest");
    await set();
    await filters.locator("button[type=submit]").click();
    for (const part of url) await expect(reviewer).toHaveURL(part);
  };
  const rows = reviewer.getByTestId("queue").locator("tbody tr");

  // A status replaces the tab's statuses: approved cases, which the review tab never shows.
  await apply(
    () => filters.locator("select[name=status]").selectOption("approved"),
    [/[?&]status=approved(&|$)/],
  );
  for (const pass of ["as filtered", "after a reload"]) {
    if (pass === "after a reload") await reviewer.reload();
    await expect(filters.locator("select[name=status]"), pass).toHaveValue("approved");
    expect(await shown(), pass).toEqual([approved.t, approved.s]);
    // Every row shown, ours or another spec's, is approved.
    const statuses = await rows.evaluateAll((trs) =>
      trs.map((tr) => tr.getAttribute("data-status")),
    );
    expect(new Set(statuses), pass).toEqual(new Set(["approved"]));
    await expect(rows.getByTestId("status").first(), pass).toHaveText(/^Approved/);
  }
  await apply(
    () => filters.locator("select[name=status]").selectOption("in_review"),
    [/[?&]status=in_review(&|$)/],
  );
  expect(await shown()).toEqual([ids.r, ids.q, ids.p]);

  // Monitoring hit, with the approved status: S, whose re-screening found the new entry, not T.
  await apply(async () => {
    await filters.locator("select[name=status]").selectOption("approved");
    await filters.locator("input[name=monitoring]").check();
  }, [/[?&]status=approved(&|$)/, /[?&]monitoring=1(&|$)/]);
  for (const pass of ["as filtered", "after a reload"]) {
    if (pass === "after a reload") await reviewer.reload();
    await expect(filters.locator("input[name=monitoring]"), pass).toBeChecked();
    expect(await shown(), pass).toEqual([approved.s]);
    await expect(rows.filter({ hasNot: reviewer.getByTestId("monitoring-hit") }), pass).toHaveCount(
      0,
    );
  }
  const hit = reviewer.locator(`tr[data-case="${approved.s}"]`);
  await expect(hit).toHaveAttribute("data-monitoring", "true");
  await expect(hit.getByTestId("monitoring-hit")).toHaveText("monitoring hit");
  await expect(hit.getByTestId("monitoring-hit")).toHaveAttribute("data-hold", "monitoring_hit");
  // The hit raised S's risk to high.
  await expect(hit.locator("td[data-risk]")).toHaveAttribute("data-risk", "high");

  // In the review tab (cases in review) no case of ours has a monitoring hit.
  await apply(() => filters.locator("input[name=monitoring]").check(), [/[?&]monitoring=1(&|$)/]);
  expect(await shown()).toEqual([]);
});
