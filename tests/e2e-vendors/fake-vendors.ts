/**
 * Sumsub's and Onfido's APIs on loopback, for the browser tests against the production build
 * (playwright.vendors.config.ts starts it beside the app). The answers are the jest stubs' own
 * msw handlers (tests/helpers/*-stub.ts: signatures, tokens, 409s and error bodies enforced as
 * the vendors document them) served over real HTTP, so the built server's adapters meet the same
 * contract as in the contract tests. The server is pointed here with SUMSUB_BASE_URL=<this>/sumsub
 * and ONFIDO_BASE_URL=<this>/onfido.
 *
 * The test plays the vendor's back office through /_control: it sets the review the API answers
 * next and has the vendor post its signed webhook to the app, as the vendor would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { getResponse, type RequestHandler } from "msw";
import type { SetupServer } from "msw/node";
import { ZodError, type z } from "zod";
import { checkCompleted, ONFIDO_API, onfidoWebhook, stubOnfido } from "../helpers/onfido-stub";
import { SUMSUB, stubSumsub, sumsubWebhook } from "../helpers/sumsub-stub";
import { controlBodies, stateSchema, type ControlPath } from "./control";

const port = Number(process.env.FAKE_VENDORS_PORT);
const appUrl = process.env.APP_URL ?? "";
if (!port || !appUrl) throw new Error("FAKE_VENDORS_PORT and APP_URL are required");

const handlers: RequestHandler[] = [];
const collector = {
  use: (...more: RequestHandler[]) => void handlers.push(...more),
} as unknown as SetupServer;
const sumsub = stubSumsub(collector);
const onfido = stubOnfido(collector);

/** Our path prefix → where the stub's handlers expect the vendor's API. */
const VENDOR_BASES: [string, string][] = [
  ["/sumsub", SUMSUB],
  ["/onfido", ONFIDO_API],
];

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** The vendor posts a signed webhook to the app, as its webhook manager does. */
async function deliver(vendor: string, message: { body: string; headers: Record<string, string> }) {
  const answer = await fetch(`${appUrl}/api/vendors/${vendor}/webhook`, {
    method: "POST",
    headers: message.headers,
    body: message.body,
  });
  return { status: answer.status, body: (await answer.json()) as unknown };
}

/** Each control body read with its schema; a body that does not fit is the spec's 400. */
async function control(path: string, raw: unknown, response: ServerResponse) {
  if (path === "health") return json(response, 200, { ok: true });
  if (path === "state")
    return json(
      response,
      200,
      stateSchema.parse({
        sumsub: { applicants: sumsub.applicants, reportsServed: sumsub.reportsServed },
        onfido: { calls: onfido.calls, reportsServed: onfido.reportsServed },
      }),
    );
  const read = <P extends ControlPath>(p: P) =>
    controlBodies[p].parse(raw) as z.infer<(typeof controlBodies)[P]>;
  switch (path) {
    case "sumsub/review": {
      const { review, steps } = read(path);
      sumsub.review = review;
      sumsub.steps = steps;
      return json(response, 200, { ok: true });
    }
    case "onfido/check": {
      const { result, reports } = read(path);
      onfido.checkResult = result;
      onfido.reports = reports;
      return json(response, 200, { ok: true });
    }
    // Signed as the vendor signs, with the secret the app is configured with (or another one,
    // to see a forgery refused).
    case "sumsub/webhook": {
      const { payload, secret } = read(path);
      return json(response, 200, await deliver("sumsub", sumsubWebhook(payload, secret)));
    }
    case "onfido/webhook": {
      const { checkId, token } = read(path);
      return json(
        response,
        200,
        await deliver("onfido", onfidoWebhook(checkCompleted(checkId), token)),
      );
    }
    default:
      return json(response, 404, { error: "unknown control path" });
  }
}

const server = createServer((request, response) => {
  void (async () => {
    const url = new URL(request.url ?? "/", `http://127.0.0.1:${port}`);
    const raw =
      request.method === "GET" || request.method === "HEAD" ? undefined : await readBody(request);
    if (url.pathname.startsWith("/_control/")) {
      const body: unknown = raw?.length ? JSON.parse(raw.toString("utf8")) : undefined;
      return control(url.pathname.slice("/_control/".length), body, response);
    }
    const route = VENDOR_BASES.find(([prefix]) => url.pathname.startsWith(`${prefix}/`));
    if (!route) return json(response, 404, { error: "no such vendor" });
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === "string") headers.set(name, value);
    const forwarded = new Request(route[1] + url.pathname.slice(route[0].length) + url.search, {
      method: request.method,
      headers,
      body: raw ? new Uint8Array(raw) : undefined,
    });
    const answer = await getResponse(handlers, forwarded);
    if (!answer) return json(response, 404, { error: "not an endpoint the stub knows" });
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  })().catch((error: unknown) => {
    // A control body that does not fit its schema is the spec's mistake: say which.
    if (error instanceof ZodError) return json(response, 400, { error: error.message });
    console.error(error);
    if (!response.headersSent) json(response, 500, { error: "fake vendor failed" });
    else response.end();
  });
});
server.listen(port, "127.0.0.1");
