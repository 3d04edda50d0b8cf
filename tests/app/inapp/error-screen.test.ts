/**
 * A trader screen that fails to render (a stored draft that does not read, the database briefly
 * down) shows the trader's own language inside the screen's shell, with a way to try again and a
 * reference code for support, and nothing of the error itself.
 */
import { Children, createElement, isValidElement, type ReactElement, type ReactNode } from "react";
import { setTestEnv } from "../../helpers/env";
import { setRequestLocale } from "../../helpers/request-scope";
import { renderPage, textOf } from "../../helpers/render-page";

jest.mock("next-intl/server", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextIntlServer(),
);

import InAppError from "@/app/inapp/error";
import InAppLayout from "@/app/inapp/layout";
import ar from "@/messages/ar.json";
import de from "@/messages/de.json";
import en from "@/messages/en.json";

beforeAll(() => setTestEnv());
afterEach(() => setRequestLocale("en"));

type Clickable = ReactElement<{ onClick?: () => void; "data-testid"?: string }>;
function findByTestId(node: ReactNode, testId: string): Clickable | undefined {
  if (!isValidElement(node)) return undefined;
  const element = node as ReactElement<{ children?: ReactNode; "data-testid"?: string }>;
  if (element.props["data-testid"] === testId) return element as Clickable;
  for (const child of Children.toArray(element.props.children)) {
    const found = findByTestId(child, testId);
    if (found) return found;
  }
  return undefined;
}

/**
 * The screen as Next shows it after a render error: the layout of app/inapp around the error
 * boundary's component. The retry button is kept so the test can press it.
 */
async function failedScreen(locale: string, error: unknown) {
  setRequestLocale(locale);
  const retry = jest.fn();
  let retryButton: Clickable | undefined;
  function Boundary() {
    const tree = InAppError({ error, retry });
    retryButton = findByTestId(tree, "error-retry");
    return tree;
  }
  const html = await renderPage(InAppLayout({ children: createElement(Boundary) }));
  return { html, text: textOf(html), retry, press: () => retryButton!.props.onClick!() };
}

/** How Next hands a server component's error to the browser: a generic message and a digest. */
function serverError(digest: string) {
  return Object.assign(new Error("An error occurred in the Server Components render."), {
    digest,
  });
}

test("a screen that failed on the server speaks the trader's language and gives support a reference", async () => {
  const screen = await failedScreen("de", serverError("2417934567"));

  expect(screen.html).toContain('data-testid="error-screen"');
  expect(screen.text).toContain(de.ErrorScreen.title);
  expect(screen.text).toContain(de.ErrorScreen.body);
  expect(screen.text).toContain(de.ErrorScreen.retry);
  expect(screen.text).toContain("Referenz: 2417934567");
  expect(screen.text).not.toContain(en.ErrorScreen.title);
  expect(screen.text).not.toContain("Server Components");
  // The shell stays: the trader can still close the window from the header.
  expect(screen.html).toContain('data-testid="close-control"');
});

test("the reference code stays whole and left to right inside an Arabic sentence", async () => {
  const screen = await failedScreen("ar", serverError("88412305"));

  expect(screen.html).toContain(
    ar.ErrorScreen.reference.replace("{digest}", '<bdi dir="ltr" class="ltr-value">88412305</bdi>'),
  );
});

test("try again asks Next to render the screen again", async () => {
  const screen = await failedScreen("en", serverError("1"));
  expect(screen.retry).not.toHaveBeenCalled();

  screen.press();

  expect(screen.retry).toHaveBeenCalledTimes(1);
});

test("an error without a digest (thrown in the browser) shows no reference and none of its message", async () => {
  const screen = await failedScreen("en", new TypeError("cannot read properties of undefined"));

  expect(screen.text).toContain(en.ErrorScreen.title);
  expect(screen.html).not.toContain('data-testid="error-reference"');
  expect(screen.text).not.toContain("cannot read");
});
