/**
 * The request scope of a server action or a page render (route handlers use
 * lib/http/request-id.ts): the id the proxy forwarded in the request headers, on every log line
 * the action or the page's own code writes, and the case id once the screen context names it.
 * The proxy's own scope ends before Next renders, so each of these enters its own.
 */
import { headers } from "next/headers";
import { withLogScope } from "@/lib/log";
import { requestIdOf } from "./request-id";

export function withActionScope<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    const requestId = requestIdOf(await headers());
    return withLogScope({ requestId }, () => action(...args));
  };
}

/**
 * `export default withPageScope(async function Page(props) { … })`: the same scope. It covers the
 * page function and everything it awaits (loaders, the screen context); child components React
 * renders afterwards run outside it, so loading belongs in the page, as the house style has it.
 */
export const withPageScope = withActionScope;
