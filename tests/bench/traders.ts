/**
 * `npm run bench -- --only=traders`
 *
 * A mixed trader load (issue 16): TRADER_COUNT traders at once, each going round a visit
 * VISITS_PER_TRADER times as the screens drive it: cTrader's launch (token exchange, 303 + a new
 * session), the KYC screen, an autosave of the personal form (`POST /api/inapp/autosave`, as the
 * form's script sends it: its fields as JSON, the window reference in the header), an
 * upload of an identity photo (start, the multipart POST, confirm: the server's document check)
 * and the status screen. Every step's p95 is reported; the target is no error at all.
 */
import { AUTOSAVE_PATH, autosaveAnswer, type AutosaveRequest } from "@/lib/inapp/autosave-contract";
import { documentPhoto } from "../e2e/fixtures/documents";
import { newTraderId, traderToken } from "./ctrader-stub";
import { WINDOW_HEADER, windowRefIn } from "./trader-window";
import type { Check } from "./report";

export const TRADER_COUNT = 100;
export const VISITS_PER_TRADER = 3;
const STEPS = [
  "launch",
  "kyc screen",
  "autosave",
  "upload start",
  "upload post",
  "upload confirm",
  "status",
] as const;
type Step = (typeof STEPS)[number];
const REQUEST_TIMEOUT_MS = 60_000;

export type TraderLoadResult = {
  traders: number;
  visits: number;
  seconds: number;
  steps: {
    step: Step;
    requests: number;
    errors: number;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
  }[];
  errorKinds: Record<string, number>;
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

class StepError extends Error {}

export async function benchTraderLoad(options: {
  root: string;
  baseUrl: string;
  signal: AbortSignal;
  traders?: number;
  visits?: number;
}): Promise<TraderLoadResult> {
  const { baseUrl } = options;
  const traders = options.traders ?? TRADER_COUNT;
  const visits = options.visits ?? VISITS_PER_TRADER;
  const timings = new Map<Step, number[]>(STEPS.map((s) => [s, []]));
  const errors = new Map<Step, number>(STEPS.map((s) => [s, 0]));
  const errorKinds: Record<string, number> = {};

  const timed = async <T>(step: Step, fn: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const signal = AbortSignal.any([options.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
    const started = performance.now();
    try {
      return await fn(signal);
    } catch (error) {
      errors.set(step, errors.get(step)! + 1);
      const kind = `${step}: ${error instanceof Error ? error.message : String(error)}`;
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      throw new StepError(kind);
    } finally {
      timings.get(step)!.push(performance.now() - started);
    }
  };

  const drafts = new Map<number, number>();
  const visit = async (userId: number, photo: Buffer) => {
    const token = traderToken(userId);
    const cookie = await timed("launch", async (signal) => {
      const r = await fetch(`${baseUrl}/inapp/kyc?token=${token}&lang=en`, {
        redirect: "manual",
        signal,
      });
      await r.arrayBuffer();
      const c = /__Host-kyc_session=[^;]+/.exec(r.headers.get("set-cookie") ?? "")?.[0];
      if (r.status !== 303 || !c) throw new Error(`HTTP ${r.status} without a session`);
      return c;
    });
    // The screen's sign-in reference (trader-window.ts): its form posts it, its script sends it.
    const windowRef = await timed("kyc screen", async (signal) => {
      const r = await fetch(`${baseUrl}/inapp/kyc`, { headers: { cookie }, signal });
      const html = await r.text();
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      if (!html.includes('data-testid="personal-form"')) throw new Error("no personal form");
      const ref = windowRefIn(html);
      if (!ref) throw new Error("no window reference");
      return ref;
    });
    const headers = {
      cookie,
      origin: baseUrl,
      "sec-fetch-site": "same-origin",
      [WINDOW_HEADER]: windowRef,
    };
    await timed("autosave", async (signal) => {
      const fields: AutosaveRequest["fields"] = [
        ["step", "personal"],
        ["window", windowRef],
        ["draftVersion", String(drafts.get(userId) ?? 0)],
        ["givenNames", "Lea"],
        ["surnames", "Brandt"],
        ["city", "Köln"],
      ];
      const r = await fetch(`${baseUrl}${AUTOSAVE_PATH}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ fields } satisfies AutosaveRequest),
        signal,
      });
      const answer = autosaveAnswer.safeParse(await r.json().catch(() => null));
      if (r.status !== 200 || !answer.success) throw new Error(`HTTP ${r.status}: not saved`);
      // The next autosave carries the version this one made, as the screen's script does.
      drafts.set(userId, answer.data.version);
    });
    const started = await timed("upload start", async (signal) => {
      const r = await fetch(`${baseUrl}/api/inapp/documents`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({
          documentType: "identity",
          side: "page",
          contentType: "image/jpeg",
          size: photo.length,
          fileName: "photo.jpg",
        }),
        signal,
      });
      const json = (await r.json()) as {
        documentId: string;
        upload: { url: string; fields: Record<string, string> };
      };
      if (r.status !== 201) throw new Error(`HTTP ${r.status}`);
      return json;
    });
    await timed("upload post", async (signal) => {
      const body = new FormData();
      for (const [k, v] of Object.entries(started.upload.fields)) body.append(k, v);
      body.append("file", new Blob([new Uint8Array(photo)], { type: "image/jpeg" }), "photo.jpg");
      const r = await fetch(new URL(started.upload.url, baseUrl), { method: "POST", body, signal });
      await r.arrayBuffer();
      if (r.status >= 300) throw new Error(`HTTP ${r.status}`);
    });
    await timed("upload confirm", async (signal) => {
      const r = await fetch(`${baseUrl}/api/inapp/documents/${started.documentId}/confirm`, {
        method: "POST",
        headers,
        signal,
      });
      const json = (await r.json()) as { state?: string };
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      if (json.state !== "accepted") throw new Error(`state ${json.state}`);
    });
    await timed("status", async (signal) => {
      const r = await fetch(`${baseUrl}/inapp/kyc/status`, { headers: { cookie }, signal });
      const html = await r.text();
      if (r.status !== 200 || !html.includes('data-testid="case-status"'))
        throw new Error(`HTTP ${r.status} without the status`);
    });
  };

  // Each trader's own photos (a photo another trader sent is a look-alike, a risk signal).
  const people = await Promise.all(
    Array.from({ length: traders }, async (_, i) => ({
      userId: newTraderId(),
      photos: await Promise.all(
        Array.from({ length: visits }, (_, v) =>
          documentPhoto("sharp", { width: 1200, height: 800 }, 1 + i * visits + v),
        ),
      ),
    })),
  );
  const began = performance.now();
  await Promise.all(
    people.map(async ({ userId, photos }) => {
      for (const photo of photos) {
        if (options.signal.aborted) return;
        await visit(userId, photo).catch((error: unknown) => {
          if (!(error instanceof StepError)) throw error;
        });
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  return {
    traders,
    visits,
    seconds,
    steps: STEPS.map((step) => {
      const sorted = timings.get(step)!.sort((a, b) => a - b);
      return {
        step,
        requests: sorted.length,
        errors: errors.get(step)!,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        maxMs: percentile(sorted, 100),
      };
    }),
    errorKinds,
  };
}

export function traderLoadChecks(result: TraderLoadResult | null | undefined): Check[] {
  if (!result) return [];
  const errors = result.steps.reduce((n, s) => n + s.errors, 0);
  const expected = result.traders * result.visits;
  const complete = result.steps.every((s) => s.requests === expected);
  return [
    {
      name: `mixed trader load (${result.traders} at once): 0 errors`,
      pass: errors === 0 && complete,
      detail: `${expected} visits, ${errors} errors${
        Object.keys(result.errorKinds).length
          ? ` (${Object.entries(result.errorKinds)
              .map(([k, n]) => `${n} × ${k}`)
              .join("; ")})`
          : ""
      }`,
    },
  ];
}

export function renderTraderLoad(result: TraderLoadResult): string {
  const rows = [
    ["step", "requests", "errors", "p50 ms", "p95 ms", "max ms"],
    ...result.steps.map((s) => [
      s.step,
      String(s.requests),
      String(s.errors),
      s.p50Ms.toFixed(0),
      s.p95Ms.toFixed(0),
      s.maxMs.toFixed(0),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return [
    `mixed trader load: ${result.traders} traders at once × ${result.visits} visits in ${result.seconds.toFixed(1)} s`,
    ...rows.map((r) =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "),
    ),
  ].join("\n");
}
