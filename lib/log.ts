/**
 * Structured JSON log lines on stdout/stderr. Callers pass facts, never raw tokens, secrets or
 * personal data: the redaction below is a last line of defence, not the policy.
 */
type Level = "debug" | "info" | "warn" | "error";
type Fields = Record<string, unknown>;

const LEVELS: Record<Level | "silent", number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 99,
};

const SECRET_KEYS = /token|secret|password|cookie|authorization/i;

function redact(fields: Fields): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_KEYS.test(key) && typeof value === "string" ? "[redacted]" : value;
  }
  return out;
}

export type LogSink = (level: Level, line: string) => void;

const defaultSink: LogSink = (level, line) => {
  if (level === "error" || level === "warn") process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
};

let sink: LogSink = defaultSink;

/** Tests capture log lines to assert what is (and is not) logged. */
export function setLogSink(next: LogSink | null): void {
  sink = next ?? defaultSink;
}

function write(level: Level, event: string, fields: Fields = {}): void {
  const threshold =
    LEVELS[(process.env.LOG_LEVEL as Level | "silent" | undefined) ?? "info"] ?? LEVELS.info;
  if (LEVELS[level] < threshold) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...redact(fields) });
  sink(level, line);
}

export const log = {
  debug: (event: string, fields?: Fields) => write("debug", event, fields),
  info: (event: string, fields?: Fields) => write("info", event, fields),
  warn: (event: string, fields?: Fields) => write("warn", event, fields),
  error: (event: string, fields?: Fields) => write("error", event, fields),
};
