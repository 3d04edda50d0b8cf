/**
 * Live case status for the trader's screens: one LISTEN per process (PostgreSQL NOTIFY, so a
 * change made by any app instance or the worker reaches every instance), fanned out in memory to
 * the open status streams of that case. Subscribing is cheap; the LISTEN starts with the first
 * subscriber and stops with the last. After the LISTEN connection reconnects, every subscribed
 * case is read again: a NOTIFY sent while it was down reached no one.
 */
import { errorMessage } from "@/lib/errors";
import { listenCaseStatus } from "@/lib/db/queries/live";
import { log } from "@/lib/log";

type Listener = () => void;
type Hub = {
  listeners: Map<string, Set<Listener>>;
  stop?: Promise<() => Promise<void>>;
};
const hub: Hub = ((globalThis as { __kycLive?: Hub }).__kycLive ??= { listeners: new Map() });

function dispatch(caseId: string) {
  for (const listener of hub.listeners.get(caseId) ?? []) listener();
}

/** Calls `onChange` whenever the case's status changes; returns the unsubscribe function. */
export async function subscribeCaseStatus(caseId: string, onChange: Listener): Promise<() => void> {
  let set = hub.listeners.get(caseId);
  if (!set) hub.listeners.set(caseId, (set = new Set()));
  set.add(onChange);
  const forget = () => {
    set.delete(onChange);
    if (set.size === 0 && hub.listeners.get(caseId) === set) hub.listeners.delete(caseId);
  };
  if (!hub.stop) {
    let listened = false;
    const onListen = () => {
      if (!listened) {
        listened = true;
        return;
      }
      // Back after a reconnect: a change committed while the connection was down sent its
      // NOTIFY to nobody, so every open stream reads its case again (an unchanged status is not
      // sent twice).
      log.info("live.relistened", { cases: hub.listeners.size });
      for (const caseId of hub.listeners.keys()) dispatch(caseId);
    };
    hub.stop = listenCaseStatus(dispatch, onListen).catch((error: unknown) => {
      hub.stop = undefined;
      log.error("live.listen_failed", {
        error: errorMessage(error),
      });
      throw error;
    });
  }
  try {
    await hub.stop;
  } catch (error) {
    // No LISTEN, no unsubscribe for the caller to call: the listener must not stay behind.
    forget();
    throw error;
  }
  return () => {
    forget();
    if (hub.listeners.size === 0 && hub.stop) {
      const stopping = hub.stop;
      hub.stop = undefined;
      void stopping.then((stop) => stop()).catch(() => undefined);
    }
  };
}

/** How many listeners this process holds (what a failed LISTEN must not leave behind). */
export function liveListenerCount(): number {
  let count = 0;
  for (const set of hub.listeners.values()) count += set.size;
  return count;
}
