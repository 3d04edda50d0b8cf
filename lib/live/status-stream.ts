/**
 * The status screen's server-sent events: a `status` event now and after every change of what the
 * screen shows of the trader's own case (screen-state.ts), heartbeats in between so proxies keep
 * the stream open.
 *
 * Bounded: at most MAX_STREAMS_PER_SESSION open streams per session in this process (a loop of
 * EventSources cannot pile up timers, listeners and sockets); a stream ends with its session
 * (revoked by a new entry or the close control, idle, or expired), checked every
 * `sessionCheckMs` and at the session's expiry, with an `ended` event so the screen reloads into
 * the expired view; and nothing is enqueued once the stream is closed, whichever side closed it.
 */
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { subscribeCaseStatus } from "./case-status";
import { currentScreenMessage } from "./screen-state";

export const MAX_STREAMS_PER_SESSION = 3;

/** Read at each stream's start (tests shorten them). */
export const STREAM_TIMING = { heartbeatMs: 25_000, sessionCheckMs: 15_000 };

type Hub = { streams: Map<string, number> };
const hub: Hub = ((globalThis as { __kycStreams?: Hub }).__kycStreams ??= { streams: new Map() });

export type StatusStreamInput = {
  /** The session's stored hash: what the per-session count is keyed by. */
  sessionKey: string;
  sessionExpiresAt: Date;
  /** Whether the session is still live (without counting as activity). */
  sessionLive: () => Promise<boolean>;
  caseId: string;
  traderId: string;
  /** The request's signal: the browser went away. */
  signal: AbortSignal;
};

export type StatusStreamResult =
  { ok: true; response: Response } | { ok: false; reason: "too_many_streams" | "unavailable" };

/** Open streams of one session in this process. */
export function openStreamCount(sessionKey: string): number {
  return hub.streams.get(sessionKey) ?? 0;
}

/** Open status streams in this process, all sessions (for /api/metrics). */
export function liveStreamCount(): number {
  let count = 0;
  for (const open of hub.streams.values()) count += open;
  return count;
}

export async function openStatusStream(input: StatusStreamInput): Promise<StatusStreamResult> {
  // A transaction pooler hands LISTEN to whichever server connection is free and moves on: no
  // NOTIFY would ever reach us. Unavailable makes the screen poll /api/inapp/status instead.
  if (env().operations.transactionPooler) return { ok: false, reason: "unavailable" };
  const { sessionKey } = input;
  const open = openStreamCount(sessionKey);
  if (open >= MAX_STREAMS_PER_SESSION) return { ok: false, reason: "too_many_streams" };
  hub.streams.set(sessionKey, open + 1);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const left = openStreamCount(sessionKey) - 1;
    if (left > 0) hub.streams.set(sessionKey, left);
    else hub.streams.delete(sessionKey);
  };

  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  let last = "";
  const timers: ReturnType<typeof setTimeout>[] = [];
  let unsubscribe = () => {};

  const enqueue = (text: string) => {
    if (closed || !controller) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      close();
    }
  };
  const close = (farewell?: string) => {
    if (closed) return;
    if (farewell) enqueue(farewell);
    closed = true;
    for (const timer of timers) clearTimeout(timer);
    unsubscribe();
    release();
    try {
      controller?.close();
    } catch {
      // already closed or errored by the other side
    }
  };
  const send = async () => {
    const message = await currentScreenMessage(input.caseId, input.traderId).catch(() => undefined);
    // The stream may have closed while the case was read.
    if (closed || !message) return;
    const data = JSON.stringify(message);
    if (data === last) return;
    last = data;
    enqueue(`event: status\ndata: ${data}\n\n`);
  };
  const ended = "event: ended\ndata: {}\n\n";

  // Listen first, then send the status of now: a change committed in between is heard, never
  // lost (sending is idempotent: an unchanged screen is not sent twice).
  try {
    // A lost LISTEN ends the stream with no farewell: the session did not end (no `ended`), and
    // the screen, its stream gone, polls until a new stream can listen again.
    unsubscribe = await subscribeCaseStatus(
      input.caseId,
      () => void send(),
      () => close(),
    );
  } catch {
    release();
    return { ok: false, reason: "unavailable" };
  }

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      void send();
      const heartbeat = setInterval(() => enqueue(": keep-alive\n\n"), STREAM_TIMING.heartbeatMs);
      const check = setInterval(() => {
        input
          .sessionLive()
          .then((live) => {
            if (!live) close(ended);
          })
          .catch((error: unknown) => {
            // Fail closed: a session that cannot be checked does not keep its stream.
            log.warn("live.session_check_failed", { error: String(error) });
            close(ended);
          });
      }, STREAM_TIMING.sessionCheckMs);
      const expiry = setTimeout(
        () => close(ended),
        Math.max(0, input.sessionExpiresAt.getTime() - Date.now()),
      );
      timers.push(heartbeat, check, expiry);
      for (const timer of timers) timer.unref?.();
      if (input.signal.aborted) close();
      else input.signal.addEventListener("abort", () => close(), { once: true });
    },
    cancel() {
      close();
    },
  });
  return {
    ok: true,
    response: new Response(stream, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store, no-transform",
        "X-Accel-Buffering": "no",
      },
    }),
  };
}
