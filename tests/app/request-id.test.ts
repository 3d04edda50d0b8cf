/**
 * Request ids through the real entry points: the launch through the proxy, the trader's upload
 * routes (one behind the proxy, the storage route outside it) and the submit action. Every line
 * logged while one request is handled carries its id, and the case id once the session is read.
 */
jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../helpers/request-scope")>("../helpers/request-scope")
    // What the proxy forwards to a server action: the request id it chose.
    .nextHeaders({ "x-request-id": "action-trace-1" }),
);
jest.mock("next-intl/server", () =>
  jest
    .requireActual<typeof import("../helpers/request-scope")>("../helpers/request-scope")
    .nextIntlServer(),
);

import { POST as startUpload } from "@/app/api/inapp/documents/route";
import { POST as confirmUpload } from "@/app/api/inapp/documents/[id]/confirm/route";
import { proxy } from "@/proxy";
import { captureLogs } from "../helpers/log-capture";
import { postToStorage, Trader, type StartedUpload } from "../scenarios/support/people";
import { BROKER, scenarioWorld, screenRequest } from "../scenarios/support/world";
import { currentWindowRef } from "../helpers/sessions";

const world = scenarioWorld();
type Line = Record<string, unknown>;

async function logged<T>(work: () => Promise<T>): Promise<{ value: T; lines: Line[] }> {
  const capture = captureLogs();
  try {
    const value = await work();
    return { value, lines: capture.lines.map((line) => JSON.parse(line) as Line) };
  } finally {
    capture.stop();
  }
}

const traderRequest = (url: string, requestId: string, json?: unknown) =>
  new Request(new URL(url, BROKER), {
    method: "POST",
    headers: {
      host: "broker.test",
      origin: BROKER,
      "sec-fetch-site": "same-origin",
      "x-request-id": requestId,
      "x-kyc-window": currentWindowRef(),
      ...(json !== undefined && { "content-type": "application/json" }),
    },
    body: json !== undefined ? JSON.stringify(json) : undefined,
  });

describe("request ids on the trader's requests", () => {
  it("answers the launch with an id and logs a refused launch under it", async () => {
    const { value: response, lines } = await logged(() =>
      proxy(screenRequest(`/inapp/kyc?token=${world().issueToken(0)}-unknown&lang=en`)),
    );
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.requestId).toBe(id);
  });

  it("writes the route's request id and the case id on every line of an upload refused by its check", async () => {
    const trader = new Trader(world(), 520_001);
    await trader.launch("kyc", { kycType: "standard" });
    const kycCase = await trader.currentCase();
    const notAnImage = Buffer.from("this is not a photo of a passport");

    const started = await trader.act(() =>
      startUpload(
        traderRequest("/api/inapp/documents", "start-trace-1", {
          documentType: "identity",
          side: "page",
          contentType: "image/jpeg",
          size: notAnImage.length,
          fileName: "photo.jpg",
        }),
      ),
    );
    expect(started.status).toBe(201);
    expect(started.headers.get("x-request-id")).toBe("start-trace-1");
    const form = (await started.json()) as StartedUpload;

    // The storage route runs without the proxy: it makes its own id and answers with it.
    const stored = await logged(() => postToStorage(form, notAnImage, "image/jpeg"));
    const storageId = stored.value.headers.get("x-request-id");
    expect(storageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stored.lines.length).toBeGreaterThan(0);
    for (const line of stored.lines) expect(line.requestId).toBe(storageId);

    const confirmed = await logged(() =>
      trader.act(() =>
        confirmUpload(
          traderRequest(`/api/inapp/documents/${form.documentId}/confirm`, "confirm-trace-1"),
          { params: Promise.resolve({ id: form.documentId }) },
        ),
      ),
    );
    expect(confirmed.value.status).toBe(415); // refused by the content check
    expect(confirmed.value.headers.get("x-request-id")).toBe("confirm-trace-1");
    expect(confirmed.lines).toContainEqual(expect.objectContaining({ event: "documents.refused" }));
    for (const line of confirmed.lines)
      expect(line).toMatchObject({ requestId: "confirm-trace-1", caseId: kycCase.id });
  });

  it("writes the action's request id and the case id on the lines of a submit", async () => {
    const trader = new Trader(world(), 520_002);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    const kycCase = await trader.currentCase();
    const { value, lines } = await logged(() => trader.submit());
    expect(value).toEqual({ redirect: "/inapp/kyc/status" });
    // Outside Next the checks are left to the worker, which the submit logs.
    expect(lines).toContainEqual(expect.objectContaining({ event: "checks.deferred_to_worker" }));
    for (const line of lines)
      expect(line).toMatchObject({ requestId: "action-trace-1", caseId: kycCase.id });
  });
});
