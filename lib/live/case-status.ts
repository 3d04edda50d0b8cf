/**
 * Live case status for the trader's screens: one LISTEN per process (PostgreSQL NOTIFY, so a
 * change made by any app instance or the worker reaches every instance), fanned out in memory to
 * the open status streams of that case. Subscribing is cheap; the LISTEN starts with the first
 * subscriber and stops with the last. After the LISTEN connection reconnects, every subscribed
 * case is read again: a NOTIFY sent while it was down reached no one.
 *
 * A LISTEN that cannot be re-established leaves the process deaf while its streams keep beating,
 * and a beating stream keeps the screen from polling. So while anyone listens, the process sends
 * itself a probe NOTIFY every LIVE_TIMING.probeMs; one not heard back in time means the LISTEN is
 * lost: every subscriber is told (its stream ends, the screen polls), and the next subscriber
 * starts a fresh LISTEN (refused while the database refuses it: the screen keeps polling).
 */
import { randomUUID } from "node:crypto";
import { errorMessage } from "@/lib/errors";
import { listenCaseStatus, notifyCaseStatusProbe } from "@/lib/db/queries/live";
import { log } from "@/lib/log";

type Listener = { onChange: () => void; onLost: () => void };
type Hub = {
  listeners: Map<string, Set<Listener>>;
  stop?: Promise<() => Promise<void>>;
  /**
   * The current LISTEN's own token. postgres.js re-listens by itself after its connection drops,
   * and when that fails it keeps the registration through our unlisten and revives it later: the
   * callbacks of a LISTEN this hub dropped must then do nothing (each would dispatch every
   * NOTIFY a second time, and their number grows with every outage).
   */
  current?: object;
  probe?: ReturnType<typeof setInterval>;
  /** The probe on its way, resolved when it is heard back. */
  waiting?: { token: string; heard: () => void };
};
const hub: Hub = ((globalThis as { __kycLive?: Hub }).__kycLive ??= { listeners: new Map() });

/** Read at each LISTEN's start (tests shorten them). */
export const LIVE_TIMING = { probeMs: 15_000, probeTimeoutMs: 5_000 };

const PROBE_PREFIX = "probe:";

function dispatch(payload: string) {
  if (payload.startsWith(PROBE_PREFIX)) {
    if (hub.waiting?.token === payload) hub.waiting.heard();
    return;
  }
  for (const listener of hub.listeners.get(payload) ?? []) listener.onChange();
}

async function probe(): Promise<void> {
  if (hub.waiting || !hub.stop) return;
  const listening = hub.stop;
  const token = `${PROBE_PREFIX}${randomUUID()}`;
  let answered = () => {};
  const heard = new Promise<boolean>((resolve) => {
    hub.waiting = { token, heard: () => resolve(true) };
    // The wait starts once the NOTIFY is committed: a busy pool or a slow database delays the
    // probe itself, which says nothing of the LISTEN (and ending every stream would add load).
    answered = () => setTimeout(() => resolve(false), LIVE_TIMING.probeTimeoutMs).unref?.();
  });
  try {
    await notifyCaseStatusProbe(token);
  } catch {
    // The database itself did not answer: that says nothing of the LISTEN, and the screens'
    // reads fail alike. The next probe asks again.
    hub.waiting = undefined;
    return;
  }
  answered();
  const ok = await heard;
  hub.waiting = undefined;
  // Still the same LISTEN (not stopped by its last subscriber, nor replaced meanwhile).
  if (!ok && hub.stop === listening) lose();
}

function stopProbe() {
  if (hub.probe) clearInterval(hub.probe);
  hub.probe = undefined;
}

/** The LISTEN is deaf: drop it, and tell every subscriber (none is left subscribed). */
function lose() {
  const listening = [...hub.listeners.values()].flatMap((set) => [...set]);
  log.warn("live.listen_lost", { listeners: listening.length });
  const stopping = hub.stop;
  hub.stop = undefined;
  hub.current = undefined;
  stopProbe();
  hub.listeners.clear();
  void stopping?.then((stop) => stop()).catch(() => undefined);
  for (const listener of listening) listener.onLost();
}

/**
 * Calls `onChange` whenever what the case's status screen reads changes, and `onLost` once if
 * the LISTEN is lost (the subscription is over then); returns the unsubscribe function.
 */
export async function subscribeCaseStatus(
  caseId: string,
  onChange: () => void,
  onLost: () => void = () => {},
): Promise<() => void> {
  let set = hub.listeners.get(caseId);
  if (!set) hub.listeners.set(caseId, (set = new Set()));
  const listener: Listener = { onChange, onLost };
  set.add(listener);
  const forget = () => {
    set.delete(listener);
    if (set.size === 0 && hub.listeners.get(caseId) === set) hub.listeners.delete(caseId);
  };
  if (!hub.stop) {
    const current = (hub.current = {});
    let listened = false;
    const onPayload = (payload: string) => {
      if (hub.current === current) dispatch(payload);
    };
    const onListen = () => {
      if (hub.current !== current) return;
      if (!listened) {
        listened = true;
        return;
      }
      // Back after a reconnect: a change committed while the connection was down sent its
      // NOTIFY to nobody, so every open stream reads its case again (an unchanged status is not
      // sent twice).
      log.info("live.relistened", { cases: hub.listeners.size });
      for (const caseId of [...hub.listeners.keys()]) dispatch(caseId);
    };
    hub.stop = listenCaseStatus(onPayload, onListen).catch((error: unknown) => {
      hub.stop = undefined;
      if (hub.current === current) hub.current = undefined;
      log.error("live.listen_failed", {
        error: errorMessage(error),
      });
      throw error;
    });
  }
  try {
    await hub.stop;
    if (!hub.probe && hub.listeners.size > 0) {
      hub.probe = setInterval(() => void probe(), LIVE_TIMING.probeMs);
      hub.probe.unref?.();
    }
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
      hub.current = undefined;
      stopProbe();
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
