"use client";

/**
 * Keeps the status screen current without a reload: listens to the case's server-sent events
 * and re-renders the page (router.refresh) when what it shows changed (the message's version: a
 * status, a renewal notice, a request, a document's state). If the stream is blocked or ends (a
 * proxy, a webview without EventSource, the server's LISTEN lost), it polls the same message
 * every 15 seconds instead; a poll that finds the session ended reloads into the expired view, as
 * the stream's `ended` event does.
 */
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { readStatusMessage, readStatusPoll, type StatusMessage } from "@/lib/live/status-message";

const POLL_MS = 15_000;

export function StatusLive({ message }: { message: StatusMessage }) {
  const router = useRouter();
  const { status, version } = message;
  useEffect(() => {
    let current = version;
    let poll: ReturnType<typeof setInterval> | undefined;
    const changed = (next: StatusMessage | undefined) => {
      if (next && next.version !== current) {
        current = next.version;
        router.refresh();
      }
    };
    const startPolling = () => {
      if (poll) return;
      poll = setInterval(async () => {
        const response = await fetch("/api/inapp/status", { cache: "no-store" }).catch(() => null);
        const heard = await readStatusPoll(response);
        if (heard !== "ended") return changed(heard);
        // The session ended: reload into the expired view instead of polling a 401 for ever.
        clearInterval(poll);
        poll = undefined;
        router.refresh();
      }, POLL_MS);
    };
    if (typeof EventSource === "undefined") {
      startPolling();
      return () => clearInterval(poll);
    }
    const source = new EventSource("/api/inapp/status/stream");
    source.addEventListener("status", (e) => {
      try {
        changed(readStatusMessage(JSON.parse((e as MessageEvent<string>).data)));
      } catch {
        // a malformed event is ignored; the next one or the poll corrects it
      }
    });
    // The session ended (closed, replaced by a new entry, expired): reload into the expired view.
    source.addEventListener("ended", () => {
      source.close();
      router.refresh();
    });
    source.onerror = () => {
      // EventSource retries by itself; while it cannot connect, poll.
      if (source.readyState === EventSource.CLOSED) source.close();
      startPolling();
    };
    source.onopen = () => {
      if (poll) clearInterval(poll);
      poll = undefined;
    };
    return () => {
      source.close();
      if (poll) clearInterval(poll);
    };
  }, [router, version]);
  return <span hidden data-testid="status-live" data-status={status} data-version={version} />;
}
