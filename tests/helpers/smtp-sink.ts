/**
 * A real SMTP server on 127.0.0.1 (smtp-server, by nodemailer's authors) standing in for the
 * broker's mail relay: it keeps every message it accepts, parsed (mailparser), with the SMTP
 * envelope and the raw header block. `rejectRecipient` decides each RCPT TO (an SMTP reply to
 * refuse it, e.g. 550 or 451); `auth` makes the sink demand those credentials. Plain SMTP only
 * (no STARTTLS): the loopback case the app allows without TLS.
 */
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export type SinkMessage = {
  /** MAIL FROM and RCPT TO, as the client sent them. */
  envelope: { from: string; to: string[] };
  /** The header block exactly as received (for header-injection checks). */
  rawHeaders: string;
  parsed: ParsedMail;
};

export type SmtpReply = { code: number; message: string };

export type SmtpSink = {
  port: number;
  /** smtp://127.0.0.1:<port> (with credentials when the sink demands them). */
  url: string;
  messages: SinkMessage[];
  rejectRecipient: (address: string) => SmtpReply | undefined;
  /** Resolves once `n` messages have been accepted. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Stops listening: the port is closed until a new sink takes it. */
  close(): Promise<void>;
};

export async function startSmtpSink(
  options: { port?: number; auth?: { user: string; pass: string } } = {},
): Promise<SmtpSink> {
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: options.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    allowInsecureAuth: true,
    authOptional: !options.auth,
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.auth?.user && auth.password === options.auth?.pass;
      if (!ok) return callback(Object.assign(new Error("bad credentials"), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      const reply = sink.rejectRecipient(address.address);
      if (!reply) return callback();
      callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString("utf8");
        simpleParser(raw)
          .then((parsed) => {
            sink.messages.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              rawHeaders: text.slice(0, Math.max(0, text.search(/\r?\n\r?\n/))),
              parsed,
            });
            for (const w of waiters.filter((w) => sink.messages.length >= w.n)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve();
            }
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const credentials = options.auth
    ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@`
    : "";
  const sink: SmtpSink = {
    port,
    url: `smtp://${credentials}127.0.0.1:${port}`,
    messages: [],
    rejectRecipient: () => undefined,
    waitFor(n, timeoutMs = 10_000) {
      if (sink.messages.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`smtp sink: ${sink.messages.length}/${n} messages`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return sink;
}
