/**
 * Live case status for the trader's screens: one LISTEN per process (PostgreSQL NOTIFY, so a
 * change made by any app instance or the worker reaches every instance), fanned out in memory to
 * the open status streams of that case. Subscribing is cheap. After the LISTEN connection
 * reconnects, every subscribed case is read again: a NOTIFY sent while it was down reached no one.
 *
 * The LISTEN is registered with the database handle once and never stopped. postgres.js keeps a
 * registration even when its LISTEN fails (and takes it back after the next reconnect), and
 * an UNLISTEN does not reach a registration it has re-listened, so a LISTEN per subscriber
 * episode would leave a callback behind for every outage attempt, each one re-listened on every
 * reconnect. With nobody subscribed, a notification costs one map lookup.
 *
 * A LISTEN that cannot be re-established leaves the process deaf while its streams keep beating,
 * and a beating stream keeps the screen from polling. So while anyone listens, the process sends
 * itself a probe NOTIFY every LIVE_TIMING.probeMs; one not heard back in time means the LISTEN is
 * deaf: every subscriber is told (its stream ends, the screen polls), and the next subscriber is
 * taken only once the LISTEN is back (postgres.js listened again, or a probe was heard back).
 */
import { randomUUID } from "node:crypto";
import { AppError, errorMessage } from "@/lib/errors";
import {
  caseStatusSource,
  listenCaseStatus,
  notifyCaseStatusProbe,
  type ListenSource,
} from "@/lib/db/queries/live";
import { log } from "@/lib/log";

type Listener = { onChange: () => void; onLost: () => void };

/** The process's LISTEN on one database handle. */
type Registration = {
  /** The first LISTEN's outcome; later ones arrive through onListen. */
  first: Promise<void>;
  /** Whether `first` has settled: an onListen after it is a reconnect. */
  settled: boolean;
  /**
   * listening: in place as far as anyone can tell; starting: the first LISTEN is on its way;
   * refused: it failed, and postgres.js tries again by itself (onListen once it takes); deaf: a
   * probe went unheard, so only a probe heard back or a new LISTEN says it works again.
   */
  state: "starting" | "listening" | "refused" | "deaf";
  /** How many times the LISTEN was put in place: a probe sent before the last one judges nothing. */
  listens: number;
  /** Subscribers waiting for the LISTEN to be back. */
  back: Set<() => void>;
};

type Hub = {
  listeners: Map<string, Set<Listener>>;
  /** One per database handle, never repeated (tests and closeDb() put another handle in place). */
  registrations: WeakMap<ListenSource, Registration>;
  /** The current handle's: only its notifications reach the listeners. */
  current?: Registration;
  probe?: ReturnType<typeof setInterval>;
  /** The periodic probe is on its way (one at a time). */
  checking?: boolean;
  /** Probes on their way, by token: what hearing each back calls. */
  waiting: Map<string, () => void>;
};
const hub: Hub = ((globalThis as { __kycCaseStatus?: Hub }).__kycCaseStatus ??= {
  listeners: new Map(),
  registrations: new WeakMap(),
  waiting: new Map(),
});

/** Read at each probe (tests shorten them). */
export const LIVE_TIMING = { probeMs: 15_000, probeTimeoutMs: 5_000 };

const PROBE_PREFIX = "probe:";

function dispatch(payload: string) {
  if (payload.startsWith(PROBE_PREFIX)) {
    hub.waiting.get(payload)?.();
    return;
  }
  for (const listener of hub.listeners.get(payload) ?? []) listener.onChange();
}

function register(source: ListenSource): Registration {
  const registration: Registration = {
    first: Promise.resolve(),
    settled: false,
    state: "starting",
    listens: 0,
    back: new Set(),
  };
  const onPayload = (payload: string) => {
    if (hub.current === registration) dispatch(payload);
  };
  const onListen = () => {
    registration.listens++;
    registration.state = "listening";
    for (const resume of registration.back) resume();
    if (hub.current !== registration || !registration.settled) return;
    // Back after a reconnect: a change committed while the connection was down sent its NOTIFY
    // to nobody, so every open stream reads its case again (an unchanged status is not sent
    // twice).
    log.info("live.relistened", { cases: hub.listeners.size });
    for (const caseId of [...hub.listeners.keys()]) dispatch(caseId);
  };
  registration.first = listenCaseStatus(source, onPayload, onListen).then(
    () => {
      registration.settled = true;
    },
    (error: unknown) => {
      registration.settled = true;
      if (registration.state === "starting") registration.state = "refused";
      log.error("live.listen_failed", { error: errorMessage(error) });
    },
  );
  hub.registrations.set(source, registration);
  return registration;
}

/**
 * Sends the process a probe NOTIFY of its own: true once heard back, false if not within
 * probeTimeoutMs, undefined when the database did not take the NOTIFY (which says nothing of the
 * LISTEN). Never shared: a probe sent earlier may have been lost before the LISTEN was back.
 */
async function probe(): Promise<boolean | undefined> {
  const token = `${PROBE_PREFIX}${randomUUID()}`;
  let answered = () => {};
  const heard = new Promise<boolean>((resolve) => {
    hub.waiting.set(token, () => resolve(true));
    // The wait starts once the NOTIFY is committed: a busy pool or a slow database delays the
    // probe itself, which says nothing of the LISTEN (and ending every stream would add load).
    answered = () => setTimeout(() => resolve(false), LIVE_TIMING.probeTimeoutMs).unref?.();
  });
  try {
    await notifyCaseStatusProbe(token);
    answered();
    return await heard;
  } catch {
    // The database itself did not answer; the screens' reads fail alike.
    return undefined;
  } finally {
    hub.waiting.delete(token);
  }
}

async function check(): Promise<void> {
  const registration = hub.current;
  if (hub.checking || registration?.state !== "listening") return;
  const listens = registration.listens;
  hub.checking = true;
  const heard = await probe();
  hub.checking = false;
  // Only a probe sent to this LISTEN, still believed in place, judges it.
  if (
    heard === false &&
    hub.current === registration &&
    registration.state === "listening" &&
    registration.listens === listens
  )
    lose(registration);
}

function stopProbe() {
  if (hub.probe) clearInterval(hub.probe);
  hub.probe = undefined;
}

/** The LISTEN is deaf: tell every subscriber (none is left subscribed). */
function lose(registration: Registration) {
  const listening = [...hub.listeners.values()].flatMap((set) => [...set]);
  log.warn("live.listen_lost", { listeners: listening.length });
  registration.state = "deaf";
  stopProbe();
  hub.listeners.clear();
  for (const listener of listening) listener.onLost();
}

/**
 * Whether a LISTEN refused or found deaf is back: postgres.js listens again (it keeps trying
 * after a failure or a dropped connection) before a probe of this subscriber's own is given up
 * on, or that probe is heard back (a LISTEN taken for deaf whose connection never dropped).
 */
async function isBack(registration: Registration): Promise<boolean> {
  let resume = () => {};
  const relistened = new Promise<boolean>((resolve) => (resume = () => resolve(true)));
  registration.back.add(resume);
  try {
    return await Promise.race([relistened, probe().then((heard) => heard === true)]);
  } finally {
    registration.back.delete(resume);
  }
}

/** Resolves once the current handle's LISTEN is in place; throws while it is not. */
async function listening(): Promise<void> {
  const source = await caseStatusSource();
  const registration = hub.registrations.get(source) ?? register(source);
  hub.current = registration;
  // The subscriber that waited for the first LISTEN gets its answer; later ones wait a while.
  const first = registration.state === "starting";
  await registration.first;
  if (registration.state !== "listening" && !first && (await isBack(registration))) {
    registration.state = "listening";
  }
  if (hub.current !== registration || registration.state !== "listening") {
    throw new AppError("UPSTREAM_UNAVAILABLE", "live case status is not listening");
  }
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
  // Subscribed once listening, not before: the caller reads the case after this resolves, so
  // nothing before is missed, and a re-listen meanwhile has no stream to send to yet.
  await listening();
  let set = hub.listeners.get(caseId);
  if (!set) hub.listeners.set(caseId, (set = new Set()));
  const listener: Listener = { onChange, onLost };
  set.add(listener);
  if (!hub.probe) {
    hub.probe = setInterval(() => void check(), LIVE_TIMING.probeMs);
    hub.probe.unref?.();
  }
  return () => {
    set.delete(listener);
    if (set.size === 0 && hub.listeners.get(caseId) === set) hub.listeners.delete(caseId);
    if (hub.listeners.size === 0) stopProbe();
  };
}

/** How many listeners this process holds (what a failed LISTEN must not leave behind). */
export function liveListenerCount(): number {
  let count = 0;
  for (const set of hub.listeners.values()) count += set.size;
  return count;
}
