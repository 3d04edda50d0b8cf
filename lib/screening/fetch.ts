/**
 * Fetching a screening list from a URL the broker configured (SANCTIONS_LIST_PATH may name
 * https URLs next to files). The request goes out like a webhook does: through the SSRF guard
 * (lib/delivery/target-guard.ts) unless SANCTIONS_LIST_ALLOW_PRIVATE says the list lives on the
 * broker's own network, bounded in bytes and in time, and conditional (If-None-Match,
 * If-Modified-Since) so an unchanged list costs a 304 and no import. Redirects are followed a
 * few hops (list services hand out storage links), each hop guarded afresh and https-only.
 */
import http from "node:http";
import https from "node:https";
import { assertLiteralHostAllowed, guardedLookup } from "@/lib/delivery/target-guard";

export const LIST_FETCH_TIMEOUT_MS = 60_000;
export const LIST_FETCH_MAX_BYTES = 100 * 1024 * 1024;
const MAX_REDIRECTS = 3;

export type ListFetchOptions = {
  etag?: string | null;
  lastModified?: string | null;
  allowPrivate?: boolean;
  timeoutMs?: number;
  maxBytes?: number;
};

export type ListFetch =
  | { status: "not_modified" }
  | { status: "fetched"; bytes: Buffer; etag: string | null; lastModified: string | null };

/** Why a fetch failed, in words for the log, the health endpoint and the console. */
export class ListFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ListFetchError";
  }
}

export function isListUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

function header(value: string | string[] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  return first ? first.slice(0, 500) : null;
}

function requestOnce(
  url: URL,
  options: ListFetchOptions,
  signal: AbortSignal,
): Promise<ListFetch | { status: "redirect"; location: string }> {
  const allowPrivate = options.allowPrivate ?? false;
  if (!allowPrivate) {
    if (url.protocol !== "https:") throw new ListFetchError(`${url.origin}: https only`);
    try {
      assertLiteralHostAllowed(url);
    } catch (error) {
      throw new ListFetchError((error as Error).message);
    }
  }
  const maxBytes = options.maxBytes ?? LIST_FETCH_MAX_BYTES;
  const headers: Record<string, string> = {
    accept: "*/*",
    "accept-encoding": "identity",
    "user-agent": "inapp-kyc-lists/1",
  };
  if (options.etag) headers["if-none-match"] = options.etag;
  if (options.lastModified) headers["if-modified-since"] = options.lastModified;
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const fail = (message: string) => reject(new ListFetchError(message.slice(0, 300)));
    const request = client.request(
      url,
      {
        method: "GET",
        headers,
        signal,
        agent: false, // each fetch connects, and is guarded, afresh
        ...(allowPrivate ? {} : { lookup: guardedLookup }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status === 304) {
          response.resume();
          return resolve({ status: "not_modified" });
        }
        if (status >= 300 && status < 400) {
          response.resume();
          const location = header(response.headers.location);
          if (!location) return fail(`HTTP ${status} without a Location`);
          return resolve({ status: "redirect", location });
        }
        if (status !== 200) {
          response.resume();
          return fail(`HTTP ${status}`);
        }
        const declared = Number(response.headers["content-length"] ?? NaN);
        if (declared > maxBytes) {
          response.destroy();
          return fail(`the list is ${declared} bytes, more than the ${maxBytes} bytes allowed`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            response.destroy();
            fail(`the list is more than the ${maxBytes} bytes allowed`);
          } else chunks.push(chunk);
        });
        response.on("end", () =>
          resolve({
            status: "fetched",
            bytes: Buffer.concat(chunks),
            etag: header(response.headers.etag),
            lastModified: header(response.headers["last-modified"]),
          }),
        );
        response.on("error", (error) =>
          fail(signal.aborted ? "no complete answer within the timeout" : error.message),
        );
      },
    );
    request.on("error", (error: Error) =>
      fail(signal.aborted ? "no answer within the timeout" : error.message),
    );
    request.end();
  });
}

/** One list, fetched (or found unchanged); throws ListFetchError saying why not. */
export async function fetchList(location: string, options: ListFetchOptions = {}) {
  const signal = AbortSignal.timeout(options.timeoutMs ?? LIST_FETCH_TIMEOUT_MS);
  let url = new URL(location);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const answer = await requestOnce(url, options, signal);
    if (answer.status !== "redirect") return answer;
    url = new URL(answer.location, url);
  }
  throw new ListFetchError(`more than ${MAX_REDIRECTS} redirects`);
}
