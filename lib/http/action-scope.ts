/**
 * The request scope of a server action (route handlers use lib/http/request-id.ts): the id the
 * proxy forwarded in the request headers, on every log line the action writes.
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
