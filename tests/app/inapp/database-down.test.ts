/**
 * The database goes away while a trader is on a screen. The screen still fails (nothing is
 * shown from a session that cannot be read), but the shell around it renders, in the language
 * the screen's URL names, so the screen's error boundary (app/inapp/error.tsx) tells the trader
 * in their language and offers to try again, instead of Next's bare English error page.
 */
import "../../helpers/language-from-request";
import { createElement } from "react";
import { sql } from "drizzle-orm";
import RootLayout from "@/app/layout";
import InAppLayout from "@/app/inapp/layout";
import KycPage from "@/app/inapp/kyc/page";
import de from "@/messages/de.json";
import en from "@/messages/en.json";
import { captureLogs } from "../../helpers/log-capture";
import { browserHeaders, setTraderCookie, TRADER_COOKIE } from "../../helpers/request-scope";
import { renderPage, textOf } from "../../helpers/render-page";
import { Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";

const world = scenarioWorld();

/** The sessions table is gone for the duration of `fn`: every session lookup fails. */
async function withSessionsDown<T>(fn: () => Promise<T>): Promise<T> {
  const db = world().db.db;
  await db.execute(sql.raw("alter table sessions rename to sessions_down"));
  try {
    return await fn();
  } finally {
    await db.execute(sql.raw("alter table sessions_down rename to sessions"));
  }
}

/** A screen as Next renders it: the root layout, the in-app shell, the page. */
const screen = (page: React.ReactNode) =>
  renderPage(createElement(RootLayout, null, createElement(InAppLayout, null, page)));

test("the shell renders in the URL's language and the page fails, logged, while sessions cannot be read", async () => {
  const trader = new Trader(world(), 54_001, "de");
  await trader.launch("kyc", { theme: "dark" });
  setTraderCookie(trader.cookies.get(TRADER_COOKIE));
  browserHeaders.set("x-kyc-lang", "de");
  const logs = captureLogs();
  try {
    const html = await withSessionsDown(() => screen(createElement("p", null, "the page")));
    expect(html).toContain('lang="de"');
    expect(textOf(html)).toContain(de.Shell.skipToContent);
    expect(textOf(html)).toContain("the page");
    // The page reads the session for real, and fails: its error boundary takes over.
    await expect(
      withSessionsDown(async () =>
        renderPage(await KycPage({ searchParams: Promise.resolve({ lang: "de" }) })),
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringContaining("sessions") } });
    const logged = logs.lines.filter((l) => l.includes("screen.session_unreadable"));
    expect(logged.length).toBeGreaterThan(0);
    // Facts of the failure, never the statement or the session's hash it was looking for.
    expect(logged.join("\n")).not.toContain("select");
  } finally {
    logs.stop();
    browserHeaders.clear();
    setTraderCookie(undefined);
  }
});

test("without a language on the URL the shell speaks English, and with the database back, the session's", async () => {
  const trader = new Trader(world(), 54_002, "de");
  await trader.launch("kyc");
  setTraderCookie(trader.cookies.get(TRADER_COOKIE));
  try {
    const down = await withSessionsDown(() => screen("x"));
    expect(down).toContain('lang="en"');
    expect(textOf(down)).toContain(en.Shell.skipToContent);
    const back = await screen("x");
    expect(back).toContain('lang="de"');
  } finally {
    setTraderCookie(undefined);
  }
});
