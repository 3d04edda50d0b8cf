/**
 * Structured JSON log lines on stdout, written by pino: one line per event,
 * `{"level":"info","time":"<ISO 8601>",…context,…fields,"event":"checks.completed"}`.
 * Callers pass facts, never raw tokens, secrets or personal data: the redaction below is a last
 * line of defence, not the policy.
 *
 * Writes are synchronous (no pino transport, no worker thread): a line logged just before the
 * process exits is not lost, and nothing here depends on a worker file that Next.js's standalone
 * output or a serverless bundle might not ship.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type DestinationStream } from "pino";

type Level = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export type Logger = {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger whose every line also carries `context` (e.g. `{ requestId, caseId }`). */
  child(context: LogFields): Logger;
};

/** pino's level numbers; LOG_LEVEL picks the lowest written (anything else reads as info). */
const THRESHOLDS: Record<Level | "silent", number> = {
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  silent: Infinity,
};

/** Read on every call: tests (and captureLogs) change LOG_LEVEL while the process runs. */
function enabled(level: Level): boolean {
  const configured = process.env.LOG_LEVEL ?? "info";
  const threshold = Object.hasOwn(THRESHOLDS, configured)
    ? THRESHOLDS[configured as Level | "silent"]
    : THRESHOLDS.info;
  return THRESHOLDS[level] >= threshold;
}

const REDACTED = "[redacted]";
/** Any top-level field whose name looks like a secret (`managerToken`, `sessionCookie`, …). */
const SECRET_KEY = /token|secret|password|cookie|authorization/i;
/**
 * The same names one level down (and request headers two levels down), by pino's redact paths:
 * an object passed whole, such as `{ request: { headers } }` or `{ config: { password } }`.
 */
const NESTED_SECRET_PATHS = [
  "*.token",
  "*.accessToken",
  "*.refreshToken",
  "*.idToken",
  "*.managerToken",
  "*.secret",
  "*.appSecret",
  "*.password",
  "*.cookie",
  '*["set-cookie"]',
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
];
/**
 * Keys the line itself uses. A field of that name (the checks' risk `level: "high"`) would
 * otherwise replace the line's own when the JSON is read; it is written as `fields.<name>`
 * instead. `msg` is where most log tools look for a line's message.
 */
const RESERVED_KEYS = new Set(["level", "time", "event", "msg"]);

function prepare(fields: LogFields | undefined): LogFields {
  const out: LogFields = {};
  if (!fields) return out;
  for (const [key, value] of Object.entries(fields)) {
    const name = RESERVED_KEYS.has(key) ? `fields.${key}` : key;
    // Strings only: a count or a flag under such a name (`tokensIssued: 3`) is not a secret.
    out[name] = SECRET_KEY.test(key) && typeof value === "string" ? REDACTED : value;
  }
  return out;
}

export type LogSink = (line: string) => void;

let sink: LogSink | null = null;
let stdout: DestinationStream | undefined;

/** Tests capture log lines to assert what is (and is not) logged; null restores stdout. */
export function setLogSink(next: LogSink | null): void {
  sink = next;
}

const destination: DestinationStream = {
  write(line: string) {
    if (sink) sink(line.endsWith("\n") ? line.slice(0, -1) : line);
    else (stdout ??= pino.destination({ dest: 1, sync: true })).write(line);
  },
};

/**
 * The request a line was logged for (`requestId`, and `caseId` once known): every line written
 * inside `withLogScope` carries it, whichever module logs. One store per process, kept on
 * globalThis: Next compiles the proxy, route handlers and server actions into separate bundles,
 * each with its own copy of this module.
 */
const SCOPE_KEY = Symbol.for("inapp-kyc.log-scope");
const scopes = ((globalThis as Record<symbol, unknown>)[SCOPE_KEY] ??=
  new AsyncLocalStorage<LogFields>()) as AsyncLocalStorage<LogFields>;

/** Runs `work` with `context` on every line it logs (nested scopes add to the outer one). */
export function withLogScope<T>(context: LogFields, work: () => T): T {
  return scopes.run({ ...scopes.getStore(), ...prepare(context) }, work);
}

/** Adds facts learnt mid-request (the case id, once the session is read) to the current scope. */
export function addToLogScope(context: LogFields): void {
  const store = scopes.getStore();
  if (store) Object.assign(store, prepare(context));
}

const root = pino(
  {
    // Filtering happens in `enabled`, per call; pino writes whatever reaches it.
    level: "debug",
    base: null,
    messageKey: "event",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // A call's own fields win over the scope's (pino's default merge).
    mixin: () => ({ ...scopes.getStore() }),
    // An Error passed as `error` or `err` is written with its type, message and stack; callers
    // that pass `error: error.message` get their string as before.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    redact: { paths: NESTED_SECRET_PATHS, censor: REDACTED },
  },
  destination,
);

function loggerOf(instance: pino.Logger): Logger {
  const at = (level: Level) => (event: string, fields?: LogFields) => {
    if (enabled(level)) instance[level](prepare(fields), event);
  };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (context) => loggerOf(instance.child(prepare(context))),
  };
}

export const log: Logger = loggerOf(root);
