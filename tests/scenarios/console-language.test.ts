/**
 * Scenarios of the console's language: the officer chooses it (on the sign-in page before there
 * is an account, on the account page after), the choice is kept on the staff account, and every
 * console page speaks it — German, or Arabic written right to left — whatever language a trader
 * session or the browser asks for, country codes included. The locale comes from the real lib/i18n/request-locale.ts.
 */
import "./support/console-scope";
import path from "node:path";
import { createElement } from "react";
import { sql } from "drizzle-orm";
import RootLayout from "@/app/layout";
import AdminLayout from "@/app/admin/layout";
import AdminError from "@/app/admin/error";
import { consoleHeaders } from "../helpers/request-scope";
import { captureLogs } from "../helpers/log-capture";
import { renderPage } from "../helpers/render-page";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Staff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";
import ar from "@/messages/ar.json";
import de from "@/messages/de.json";
import en from "@/messages/en.json";
import fr from "@/messages/fr.json";

const world = scenarioWorld();

afterEach(() => {
  delete consoleHeaders["accept-language"];
});

describe("scenario: an officer who works in German", () => {
  it("chooses German on the account page and then sees the queue in German, in any browser", async () => {
    const w = world();
    const trader = new Trader(w, 560_001);
    await trader.completeStandardLevel();
    const account = await w.createStaff("de.reviewer@broker.example", "reviewer");
    const officer = new Staff(account);
    await officer.signIn();

    // Nothing chosen yet and the browser asks for English: the console speaks English.
    consoleHeaders["accept-language"] = "en-GB,en;q=0.9";
    expect(textOf(await officer.queue())).toContain(en.Console.queue.title);

    expect(await officer.chooseLanguage("de")).toBe("/admin/account?outcome=language_saved");
    const accountPage = await officer.accountPage({ outcome: "language_saved" });
    expect(textOf(accountPage)).toContain(de.Console.language.saved);
    expect(accountPage).toMatch(/<option value="de" lang="de" selected="">Deutsch<\/option>/);

    const queue = textOf(await officer.queue());
    expect(queue).toContain(de.Console.queue.title);
    expect(queue).toContain(de.Console.queue.nextCase);
    expect(queue).toContain(de.Console.queue.waitingColumn);
    expect(queue).toContain(de.Console.queue.claim);
    expect(queue).not.toContain(en.Console.queue.title);
    expect(queue).not.toContain(en.Console.queue.nextCase);

    // The choice lives on the account: a fresh browser asking for English gets German too.
    const elsewhere = new Staff(account);
    elsewhere.authenticator = officer.authenticator;
    await elsewhere.signIn();
    expect(textOf(await elsewhere.queue())).toContain(de.Console.queue.title);
    const frame = await elsewhere.inConsole("");
    expect(frame).toMatch(/<div class="console" lang="de" dir="ltr"/);
    expect(textOf(frame)).toContain(de.Console.nav.signOut);

    // Countries read as names in German, the ISO code on hover: in the summary and the evidence.
    await w.worker();
    const casePage = await elsewhere.casePage((await trader.currentCase()).id);
    const sweden = '<abbr title="SE" data-country="SE">Schweden</abbr>';
    expect(casePage).toMatch(new RegExp(`data-testid="summary-nationality"><span>${sweden}`));
    expect(casePage).toMatch(new RegExp(`data-testid="summary-country"><span>${sweden}`));
    expect(casePage).toMatch(
      new RegExp(`data-key="nationalities">[^<]*</dt><dd><span>${sweden}</span></dd>`),
    );
    expect(casePage).toMatch(
      /data-key="issuingCountry">[^<]*<\/dt><dd><span><abbr title="([A-Z]{2})" data-country="\1">(?![A-Z]{2}<)[^<]+<\/abbr>/,
    );
  });

  it("refuses a language the console does not ship with words, and keeps the choice made", async () => {
    const w = world();
    const officer = await signedInStaff(w, "keep.reviewer@broker.example", "reviewer");
    expect(await officer.chooseLanguage("de")).toBe("/admin/account?outcome=language_saved");
    expect(await officer.chooseLanguage("xx")).toBe("/admin/account?error=language");
    const account = textOf(await officer.accountPage({ error: "language" }));
    expect(account).toContain(de.Console.language.invalid);
    expect(account).toContain(de.Console.account.title);
  });
});

describe("scenario: a screening hit read by an officer who works in German", () => {
  it("names the listed nationalities as countries in German, each ISO code on hover", async () => {
    const w = world();
    // BORIS KUZNETSOV in the fixture list: born 1958-02-28, country "RU;Cyprus".
    await w.importLists([path.join(__dirname, "../fixtures/sanctions/generic-pep.csv")]);
    const trader = new Trader(w, 560_101);
    await trader.completeStandardLevel({
      givenNames: "Boris",
      surnames: "Kuznetsov",
      dateOfBirth: "1958-02-28",
      nationalities: ["RU"],
    });
    await w.worker();
    const officer = await signedInStaff(w, "hits.de.reviewer@broker.example", "reviewer");
    expect(await officer.chooseLanguage("de")).toBe("/admin/account?outcome=language_saved");

    const page = await officer.casePage((await trader.currentCase()).id);
    const nationality = /<li>Staatsangehörigkeit:[\s\S]*?<\/li>/.exec(page)?.[0] ?? "";
    expect(nationality.replace(/<[^>]+>/g, "")).toBe(
      "Staatsangehörigkeit: eine gemeinsame Staatsangehörigkeit (gelistet: Russland, Zypern).",
    );
    expect(nationality).toContain('<abbr title="RU" data-country="RU">Russland</abbr>');
    expect(nationality).toContain('<abbr title="CY" data-country="CY">Zypern</abbr>');
    expect(textOf(page)).toContain(
      "Geburtsdatum: dasselbe Geburtsdatum (gelistet: \u20681958-02-28, 1959\u2069).",
    );
    // What the trader typed reads the same way: the nationality, residence and the passport's
    // issuing country by name, beside the document too, never as bare codes.
    const traderData = page.slice(page.indexOf('data-testid="trader-data"'));
    const typed = traderData.slice(0, traderData.indexOf("</section>"));
    expect(typed).toContain('<abbr title="RU" data-country="RU">Russland</abbr>');
    expect(typed).toContain('<abbr title="SE" data-country="SE">Schweden</abbr>');
    expect(typed).not.toMatch(/<bdi>(RU|SE)<\/bdi>/);
    const issuing = /<dd data-field="issuingCountry">[\s\S]*?<\/dd>/.exec(page)?.[0] ?? "";
    expect(issuing).toContain('<abbr title="SE" data-country="SE">Schweden</abbr>');
  });
});

describe("scenario: an officer who works in Arabic", () => {
  it("gets the console right to left, with Arabic navigation and queue", async () => {
    const w = world();
    const officer = await signedInStaff(w, "ar.approver@broker.example", "approver");
    expect(await officer.chooseLanguage("ar")).toBe("/admin/account?outcome=language_saved");

    const frame = await officer.inConsole("");
    expect(frame).toMatch(/<div class="console" lang="ar" dir="rtl"/);
    expect(textOf(frame)).toContain(ar.Console.nav.queue);
    expect(textOf(frame)).toContain(ar.Console.nav.dashboard);
    const queue = textOf(await officer.queue());
    expect(queue).toContain(ar.Console.queue.title);
    expect(queue).toContain(ar.Console.queue.nextCase);
    expect(queue).toContain(ar.Console.queue.waitingColumn);
  });
});

describe("scenario: the sign-in page before there is an account", () => {
  it("follows the browser's languages, then the language chosen on it", async () => {
    world();
    const visitor = new Staff({ email: "nobody@broker.example", password: "" });

    consoleHeaders["accept-language"] = "de-CH, fr;q=0.9, en;q=0.8";
    expect(textOf(await visitor.loginPage())).toContain(de.Console.login.password);

    expect(await visitor.chooseLanguage("fr")).toBe("/admin/login");
    const page = await visitor.loginPage();
    expect(textOf(page)).toContain(fr.Console.login.password);
    expect(page).toMatch(/<option value="fr" lang="fr" selected="">Français<\/option>/);

    // A browser whose languages the console does not ship, and no choice: English.
    const other = new Staff({ email: "nobody@broker.example", password: "" });
    consoleHeaders["accept-language"] = "nl-NL, *;q=0.5";
    expect(textOf(await other.loginPage())).toContain(en.Console.login.password);
  });
});

describe("scenario: a console page while the database cannot read sessions", () => {
  /** The staff sessions table is gone for the duration of `fn`: every sign-in lookup fails. */
  async function withSessionsDown<T>(fn: () => Promise<T>): Promise<T> {
    const db = world().db.db;
    await db.execute(sql.raw("alter table staff_sessions rename to staff_sessions_down"));
    try {
      return await fn();
    } finally {
      await db.execute(sql.raw("alter table staff_sessions_down rename to staff_sessions"));
    }
  }

  it("shows the console's own error page in the browser's language, and the page itself fails", async () => {
    const w = world();
    const officer = await signedInStaff(w, "outage.reviewer@broker.example", "reviewer");
    consoleHeaders["accept-language"] = "de-DE,de;q=0.9";
    const retry = jest.fn();
    const logs = captureLogs();
    try {
      // Next renders the failed page's error boundary inside the layouts above it.
      const failed = await withSessionsDown(() =>
        officer.act(() =>
          renderPage(
            createElement(
              RootLayout,
              null,
              createElement(
                AdminLayout,
                null,
                createElement(AdminError, { error: new Error("x"), retry }),
              ),
            ),
          ),
        ),
      );
      expect(failed).toContain('lang="de"');
      expect(failed).toContain('data-testid="error-screen"');
      expect(textOf(failed)).toContain(de.Console.failed.body);
      expect(textOf(failed)).toContain(de.Console.failed.retry);
      // Nobody is taken for signed in: no navigation, no name.
      expect(failed).not.toContain(de.Console.nav.signOut);
      // The database's failure reaches the page, not a "nobody signed in" redirect to the login.
      await expect(withSessionsDown(() => officer.queue())).rejects.toMatchObject({
        cause: { message: expect.stringContaining("staff_sessions") },
      });
      const logged = logs.lines.filter((l) => l.includes("console.staff_unreadable"));
      expect(logged.length).toBeGreaterThan(0);
      // Facts of the failure, never the statement or the session's hash it was looking for.
      expect(logged.join("\n")).not.toContain("select");
      // Back up, the same officer's page renders as before.
      expect(textOf(await officer.inConsole("queue"))).toContain(de.Console.nav.signOut);
    } finally {
      logs.stop();
    }
  });
});
