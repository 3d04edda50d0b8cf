/**
 * Renders a page of the app to HTML inside jest, the way the server would: async server
 * components are awaited (jest has no React Server Components runtime), everything else goes
 * through react-dom/server. A page that crashes on the data it gets crashes here too — the
 * console once answered 500 on every case with a sanctions hit while its test never rendered it.
 */
import {
  Children,
  cloneElement,
  createElement,
  isValidElement,
  type ReactElement,
  type ReactNode,
} from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppRouterContext } from "next/dist/shared/lib/app-router-context.shared-runtime";

/** Client components ask for the router (useRouter, Link); nothing navigates in a static render. */
const router = {
  back() {},
  forward() {},
  refresh() {},
  hmrRefresh() {},
  push() {},
  replace() {},
  prefetch() {},
};

type AnyProps = Record<string, unknown> & { children?: ReactNode };

function isAsyncComponent(type: unknown): type is (props: AnyProps) => Promise<ReactNode> {
  return typeof type === "function" && type.constructor.name === "AsyncFunction";
}

async function resolve(node: ReactNode): Promise<ReactNode> {
  if (Array.isArray(node)) return Promise.all(node.map(resolve));
  if (node && typeof node === "object" && "then" in node) return resolve(await node);
  if (!isValidElement(node)) return node;
  const element = node as ReactElement<AnyProps>;
  if (isAsyncComponent(element.type)) return resolve(await element.type(element.props));
  if (element.props.children === undefined) return element;
  const children = await Promise.all(Children.toArray(element.props.children).map(resolve));
  return cloneElement(element, undefined, ...children);
}

/** The HTML of a server component tree (a page's returned JSX, or the page's promise). */
export async function renderPage(page: ReactNode | Promise<ReactNode>): Promise<string> {
  const tree = await resolve(await page);
  return renderToStaticMarkup(
    createElement(AppRouterContext.Provider, { value: router as never }, tree),
  );
}

/**
 * The props a page hands one of its components (a client component's, as the browser gets them):
 * to render that component in a state the browser reaches after the page loaded.
 */
export async function propsOf<P extends object>(
  page: ReactNode | Promise<ReactNode>,
  component: (props: P) => ReactNode,
): Promise<P> {
  const find = (node: ReactNode): P | undefined => {
    if (Array.isArray(node)) {
      for (const child of node) {
        const found = find(child);
        if (found) return found;
      }
      return undefined;
    }
    if (!isValidElement(node)) return undefined;
    const element = node as ReactElement<AnyProps>;
    if (element.type === component) return element.props as unknown as P;
    return find(element.props.children);
  };
  const props = find(await resolve(await page));
  if (!props) throw new Error(`the page renders no ${component.name}`);
  return props;
}

/** The visible text of HTML, tags removed and whitespace collapsed (for "the trader reads …"). */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ")
    .trim();
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&quot;": '"',
  "&#x27;": "'",
  "&#39;": "'",
  "&lt;": "<",
  "&gt;": ">",
};

/**
 * The hidden fields of the form around the element `data-testid="<testId>"`, as the page wrote
 * them: what the browser sends with that button besides what the officer types.
 */
export function hiddenFieldsOf(html: string, testId: string): Record<string, string> {
  const at = html.indexOf(`data-testid="${testId}"`);
  const start = html.lastIndexOf("<form", at);
  const end = html.indexOf("</form>", at);
  if (at < 0 || start < 0 || end < 0 || html.lastIndexOf("</form>", at) > start)
    throw new Error(`no form with ${testId} on the page`);
  const fields: Record<string, string> = {};
  const hidden = /<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g;
  for (const [, name, value] of html.slice(start, end).matchAll(hidden))
    fields[name!] = value!.replace(/&(amp|quot|#x27|#39|lt|gt);/g, (e) => ENTITIES[e] ?? e);
  return fields;
}
