/**
 * A real HTTP receiver on 127.0.0.1 (random port) standing in for the broker's CRM: our fault
 * injection double. `respond` decides each answer: a status, "hold" (keep the request open until
 * `release()`), or "drop" (destroy the socket without answering).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Received = {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  headers: http.IncomingHttpHeaders;
  status: number | "held" | "dropped";
};

export type Answer = number | "hold" | "drop" | { status: number; headers: Record<string, string> };

export type Receiver = {
  url: string;
  received: Received[];
  respond: (request: Received, index: number) => Answer;
  /** Answers every held request with `status`. */
  release(status?: number): void;
  /** Resolves once `n` requests have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

export async function startReceiver(
  respond: (request: Received, index: number) => Answer = () => 204,
  path = "/hooks/kyc",
): Promise<Receiver> {
  const held: http.ServerResponse[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const receiver: Receiver = {
    url: "",
    received: [],
    respond,
    release(status = 204) {
      for (const res of held.splice(0)) if (!res.writableEnded) res.writeHead(status).end();
    },
    waitFor(n, timeoutMs = 20_000) {
      if (receiver.received.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`receiver: ${receiver.received.length}/${n} requests`)),
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
    close: () =>
      new Promise((resolve) => {
        receiver.release(503);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry: Received = {
        id: String(req.headers["webhook-id"] ?? ""),
        timestamp: String(req.headers["webhook-timestamp"] ?? ""),
        signature: String(req.headers["webhook-signature"] ?? ""),
        body: Buffer.concat(chunks).toString("utf8"),
        headers: req.headers,
        status: 0,
      };
      const index = receiver.received.length;
      receiver.received.push(entry);
      const answer = receiver.respond(entry, index);
      if (answer === "hold") {
        entry.status = "held";
        held.push(res);
      } else if (answer === "drop") {
        entry.status = "dropped";
        req.socket.destroy();
      } else if (typeof answer === "number") {
        entry.status = answer;
        res.writeHead(answer).end();
      } else {
        entry.status = answer.status;
        res.writeHead(answer.status, answer.headers).end();
      }
      for (const w of waiters.filter((w) => receiver.received.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return receiver;
}

/** WEBHOOK_ENDPOINTS for one loopback receiver (allowPrivate: it is on 127.0.0.1). */
export function endpointsFor(receivers: { id: string; url: string; secrets?: string[] }[]): string {
  return JSON.stringify(
    receivers.map((r) => ({
      id: r.id,
      url: r.url,
      secrets: r.secrets ?? [TEST_WEBHOOK_SECRET],
      allowPrivate: true,
    })),
  );
}

export const TEST_WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
