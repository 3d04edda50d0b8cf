/**
 * Every route handler (app/**\/route.ts), every server action ("use server" files under app/)
 * and the proxy, called in-process with generated requests and arguments (fast-check, bounded
 * runs), without a session, with a trader's, with a staff member's and with a forged cookie, in
 * both identity modes: nothing answers 5xx and no error escapes other than Next.js's own
 * redirect and not-found signals. The files are found on disk, so a new route or action is
 * fuzzed without anyone remembering to add it here.
 *
 * FUZZ_RUNS (default 12) sets the runs per handler and mode; FUZZ_SEED replays a failure.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { NextRequest } from "next/server";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { insertStaffUser } from "@/lib/db/queries/staff";
import { upsertTrader } from "@/lib/db/queries/traders";
import { issueCrmApiToken } from "@/lib/identity/sso";
import { STEPS } from "@/lib/kyc/levels";
import { loginStaff, STAFF_COOKIE } from "@/lib/staff/auth";
import { hashPassword } from "@/lib/staff/passwords";
import {
  ctraderServer,
  HttpResponse,
  identity,
  listenForCtrader,
  stubRedeem,
} from "../helpers/ctrader-stub";
import { setTestEnv } from "../helpers/env";
import { jar, TRADER_COOKIE } from "../helpers/request-scope";
import { currentWindowRef, openSession } from "../helpers/sessions";
import { createTestDb, type TestDb } from "../helpers/test-db";

jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../helpers/request-scope")>("../helpers/request-scope")
    .nextHeaders({ "x-forwarded-for": "192.0.2.77", host: "broker.test" }),
);
jest.mock("next-intl/server", () =>
  jest
    .requireActual<typeof import("../helpers/request-scope")>("../helpers/request-scope")
    .nextIntlServer(),
);

const ROOT = path.resolve(__dirname, "../..");
const BASE = "https://broker.test";
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
// Each test is a bounded number of runs, not a time budget: on PGlite (the default without
// DATABASE_URL) and on a busy two-core machine one route or action can take tens of seconds.
jest.setTimeout(180_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

const appFiles = filesUnder(path.join(ROOT, "app")).filter((f) => /\.tsx?$/.test(f));
const routeFiles = appFiles.filter((f) => path.basename(f) === "route.ts");
const actionFiles = appFiles.filter((f) =>
  /^\s*["']use server["']/.test(
    readFileSync(f, "utf8").replace(/^(\s*\/\/.*\n|\s*\/\*[\s\S]*?\*\/)*/, ""),
  ),
);
/** A "use server" file exports only async functions: each is its own test, with its own timeout. */
const actionNames = (file: string) =>
  [...readFileSync(file, "utf8").matchAll(/^export (?:async function|const) (\w+)/gm)].map(
    (m) => m[1]!,
  );

/** A lone surrogate cannot be escaped: the handler still gets it through `params`. */
const encodeSegment = (value: string) => {
  try {
    return encodeURIComponent(value);
  } catch {
    return "x";
  }
};

/** The URL path of a route file, its dynamic segments as `[name]` / `[...name]`. */
const routePattern = (file: string) =>
  path
    .relative(path.join(ROOT, "app"), path.dirname(file))
    .split(path.sep)
    .filter((s) => !/^\(.*\)$/.test(s));

// ---------------------------------------------------------------------------------------------
// Generators.

/** Values that broke or could break something: prototype keys, NUL, bad escapes, huge, odd. */
const nasty = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "\u0000",
  "a\u0000b",
  "\uD800",
  "%",
  "%ZZ",
  "%C0%AF",
  "../../etc/passwd",
  "x".repeat(5000),
  "-1",
  "0",
  "1e309",
  "NaN",
  "null",
  "[]",
  "{}",
  "😀",
  "<script>alert(1)</script>",
  "' or 1=1 --",
  "identity",
  "address",
  "additional",
  "page",
  "front",
  "back",
  "image/jpeg",
  "application/pdf",
  "enhanced",
  "crm-password-for-tests",
  "00000000-0000-4000-8000-000000000000",
);
const text = fc.oneof(
  nasty,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);

/** Field names the app reads somewhere (bodies, queries, forms), and some it does not. */
/** The names the actions' forms post. */
const FORM_FIELDS = [
  "caseId",
  "step",
  "declaration",
  "email",
  "password",
  "reasonCode",
  "internalNote",
  "items",
  "message",
  "verdict",
  "hitKey",
  "assignee",
  "eventId",
  "reason",
  "draftVersion",
  "window",
  "firstName",
  "lastName",
  "dateOfBirth",
];
const FIELD_NAMES = [
  ...FORM_FIELDS,
  "documentType",
  "side",
  "contentType",
  "size",
  "fileName",
  "code",
  "userId",
  "inappToken",
  "screen",
  "kycType",
  "lang",
  "theme",
  "source",
  "format",
  "token",
  "handoff",
  "crmApiToken",
  "utm_source",
  "account",
  "nationality",
  "key",
  "expires",
  "signature",
  "file",
  "__proto__",
  "constructor",
];
const fieldName = fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 12 }));

const jsonLeaf = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e21, 10 * 1024 * 1024, 0),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    jsonLeaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fieldName, tie("value"), { maxKeys: 6 }),
  ),
})).value;
const deepJson = fc.integer({ min: 100, max: 5000 }).map((n) => "[".repeat(n) + "]".repeat(n));

/** Known names with generated values: the shapes the handlers parse, broken in every way. */
const shapedObject = fc.dictionary(fc.constantFrom(...FIELD_NAMES), jsonLeaf, { maxKeys: 8 });

type Body = { type: string | undefined; body: BodyInit | undefined };
const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant({ type: undefined, body: undefined }),
  fc
    .tuple(
      fc.oneof(shapedObject, jsonValue),
      fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        undefined,
      ),
    )
    .map(([value, type]) => ({ type, body: JSON.stringify(value) })),
  fc
    .tuple(
      fc.oneof(text, deepJson),
      fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded"),
    )
    .map(([raw, type]) => ({ type, body: raw })),
  fc.dictionary(fieldName, text, { maxKeys: 6 }).map((fields) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append(
      "file",
      new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0x00])], { type: "image/jpeg" }),
      "x.jpg",
    );
    return { type: undefined, body: form };
  }),
  fc.constantFrom(
    {
      type: "multipart/form-data; boundary=zzz",
      body: '--zzz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb',
    },
    { type: "multipart/form-data", body: "no boundary" },
    { type: "application/json", body: "x".repeat(20 * 1024) },
    { type: "application/json", body: "\u0000" },
    { type: "garbage/", body: "{}" },
  ),
  fc
    .uint8Array({ maxLength: 64 })
    .map((bytes) => ({ type: "application/octet-stream", body: bytes })),
);

const CONTENT_TYPES = [
  undefined,
  "text/plain;charset=UTF-8",
  "multipart/form-data",
  "multipart/form-data; boundary=----x",
  "application/x-www-form-urlencoded",
] as const;
const headerValue = (values: (string | undefined)[]) => fc.constantFrom(...values);
/**
 * Stands for the signed-in trader's own window reference (lib/inapp/window.ts), filled in once the
 * session is known: without it every trader write stops at 409 and the fuzz never reaches past it.
 */
const OWN_WINDOW = "\u0001own-window";
const ownWindow = (value: string) => (value === OWN_WINDOW ? currentWindowRef() : value);
const headers = fc.record({
  "x-kyc-window": headerValue([undefined, OWN_WINDOW, OWN_WINDOW, "forged", ""]),
  origin: headerValue([
    undefined,
    BASE,
    "https://evil.example",
    "null",
    "::not a url",
    "http://localhost:3000",
  ]),
  "sec-fetch-site": headerValue([undefined, "same-origin", "cross-site", "none", "same-site"]),
  "x-forwarded-host": headerValue([undefined, "evil.example", "broker.test"]),
  "x-forwarded-for": headerValue([undefined, "203.0.113.9", "garbage, 1.2.3.4", "::1"]),
  authorization: headerValue([
    undefined,
    "Bearer x",
    "Basic Zm9vOmJhcg==",
    "Bearer " + "a".repeat(300),
  ]),
  "content-length": headerValue([undefined, "-1", "abc", "99999999999"]),
});

const query = fc.dictionary(fieldName, text, { maxKeys: 5 });

/** cTrader's launch parameters (lib/inapp/params.ts), each present or not, mostly nasty. */
const launchValue = fc.oneof({ weight: 3, arbitrary: nasty }, { weight: 1, arbitrary: text });
const launchQuery = fc.record(
  {
    kycType: fc.oneof(
      fc.constantFrom("__proto__", "constructor", "basic", "Enhanced"),
      launchValue,
    ),
    lang: launchValue,
    theme: launchValue,
    source: launchValue,
    documentType: launchValue,
    account: fc.oneof(launchValue, fc.constant("1".repeat(18))),
    utm_source: launchValue,
    utm_campaign: launchValue,
  },
  { requiredKeys: [] },
);

const SESSIONS = ["none", "trader", "staff", "forged"] as const;
type SessionKind = (typeof SESSIONS)[number];

// ---------------------------------------------------------------------------------------------
// The world the calls run in.

let t: TestDb;
const dataDir = mkdtempSync(path.join(tmpdir(), "kyc-fuzz-"));
const cookies: Record<Exclude<SessionKind, "none">, () => Promise<[string, string]>> = {
  trader: async () => {
    const trader = await upsertTrader(
      { ctraderUserId: nextUser++, email: null, tradingLogin: null },
      "en",
    );
    const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
    caseIds.push(kycCase.id);
    return [TRADER_COOKIE, (await openSession(trader.id, kycCase.id)).id];
  },
  staff: async () => [STAFF_COOKIE, staffCookie],
  forged: async () => [TRADER_COOKIE, "forged-session-value"],
};
let nextUser = 91_000;
let staffCookie = "";
let crmToken = "";
const caseIds: string[] = [];

async function signIn(kind: SessionKind): Promise<void> {
  jar.clear();
  if (kind === "none") return;
  const [name, value] = await cookies[kind]();
  jar.set(name, value);
  if (kind === "staff" && caseIds.length === 0) await cookies.trader();
}

/** A rejected call is fine only when it is Next.js's redirect or a 4xx fallback signal. */
function isNextSignal(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return (
    typeof digest === "string" && /^(NEXT_REDIRECT|NEXT_HTTP_ERROR_FALLBACK;4\d\d)/.test(digest)
  );
}

async function expectAnswered(what: string, call: () => Promise<unknown>): Promise<void> {
  let result: unknown;
  try {
    result = await call();
  } catch (error) {
    if (isNextSignal(error)) return;
    throw new Error(`${what} threw: ${(error as Error)?.stack ?? String(error)}`);
  }
  if (result instanceof Response) {
    // Streams (the status stream) are cancelled: an answered header is what counts.
    await result.body?.cancel().catch(() => undefined);
    if (result.status >= 500) throw new Error(`${what} answered ${result.status}`);
  }
}

const MODES = {
  "one-time token": {},
  sso: { IDENTITY_MODE: "sso", CTRADER_API_URL: undefined, CTRADER_MANAGER_TOKEN: undefined },
} as const;

beforeAll(async () => {
  setTestEnv();
  listenForCtrader();
  t = await createTestDb();
  await insertStaffUser({
    email: "fuzz@broker.example",
    displayName: "Fuzz",
    role: "admin",
    passwordHash: await hashPassword("fuzz password 123"),
  });
  const login = await loginStaff({
    email: "fuzz@broker.example",
    password: "fuzz password 123",
    client: "x",
  });
  if (!login.ok) throw new Error("staff login");
  staffCookie = login.cookie.value;
});
afterAll(async () => {
  ctraderServer.close();
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const property = { numRuns: RUNS, seed: SEED, endOnFailure: true } as const;

/** The arguments a server action is called with: its forms (every field it reads), and junk. */
function actionArguments() {
  // Every field an action reads, each present or not, half the values ending in NUL.
  const formValue = fc
    .tuple(
      fc.oneof(
        { weight: 2, arbitrary: nasty },
        text,
        fc.constantFrom(...STEPS, "step:personal", "document:identity", "confirmed", "yes"),
        fc.uuid(),
      ),
      fc.boolean(),
    )
    .map(([value, nul]) => (nul ? `${value}\u0000` : value));
  const formArg = fc
    .tuple(
      fc.record(Object.fromEntries(FORM_FIELDS.map((name) => [name, formValue])), {
        requiredKeys: [],
      }),
      fc.dictionary(fieldName, text, { maxKeys: 3 }),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([known, extra, withCase, withWindow]) => {
      const form = new FormData();
      for (const [k, v] of Object.entries({ ...extra, ...known }))
        if (v !== undefined) form.append(k, v);
      if (withWindow) form.set("window", OWN_WINDOW);
      if (withCase && caseIds.length) form.set("caseId", caseIds[caseIds.length - 1]!);
      if (known.items) form.append("file", new Blob(["x"]), "x.txt");
      return form;
    });
  return fc.oneof(
    { weight: 3, arbitrary: formArg.map((form) => [form]) },
    {
      weight: 3,
      arbitrary: fc.tuple(
        fc.oneof(fc.constant({}), fc.constant({ status: "idle" }), fc.anything()),
        formArg,
      ),
    },
    fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }),
    fc.constantFrom(
      [],
      [null],
      [undefined],
      ["caseId"],
      [{ get: 1 }],
      [new Map([["caseId", "x"]])],
    ),
  );
}

describe.each(Object.entries(MODES))("fuzz (%s mode)", (_mode, overrides) => {
  beforeAll(() => {
    setTestEnv({ ...overrides, DATA_DIR: dataDir });
    crmToken = issueCrmApiToken("crm-password-for-tests").crmApiToken;
    // A new trader for every launch: the level is only read when a case is opened.
    stubRedeem(() => HttpResponse.json(identity(nextUser++)));
  });

  it("found the route handlers and server actions to fuzz", () => {
    expect(routeFiles.length).toBeGreaterThan(10);
    expect(actionFiles.map((f) => path.relative(ROOT, f))).toEqual(
      expect.arrayContaining(["app/admin/actions.ts", "app/inapp/kyc/actions.ts"]),
    );
    // The names read from the source are every action the module exports: none goes unfuzzed.
    for (const file of actionFiles) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = Object.entries(require(file) as Record<string, unknown>)
        .filter(([, value]) => typeof value === "function")
        .map(([name]) => name);
      expect(actionNames(file).sort()).toEqual(exported.sort());
    }
  });

  for (const file of routeFiles) {
    const pattern = routePattern(file);
    it(`route /${pattern.join("/")} answers every request below 500`, async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const routeModule = require(file) as Record<string, unknown>;
      const methods = HTTP_METHODS.filter((m) => typeof routeModule[m] === "function");
      expect(methods.length).toBeGreaterThan(0);
      const segment = fc.oneof(
        text,
        fc.uuid(),
        fc.constantFrom(...(caseIds.length ? caseIds : ["x"])),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...methods),
          fc.constantFrom(...SESSIONS),
          fc.array(segment, { minLength: 1, maxLength: 3 }),
          query,
          headers,
          body,
          fc.boolean(),
          async (method, session, values, search, sent, payload, withCrmToken) => {
            await signIn(session);
            const params: Record<string, string | string[]> = {};
            const parts = pattern.map((part, i) => {
              const repeat = /^\[\.\.\.(\w+)\]$/.exec(part);
              if (repeat) {
                params[repeat[1]!] = values;
                return values.map(encodeSegment).join("/");
              }
              const single = /^\[(\w+)\]$/.exec(part);
              if (single) {
                const value = values[i % values.length]!;
                params[single[1]!] = value;
                return encodeSegment(value);
              }
              return part;
            });
            const url = new URL(`${BASE}/${parts.join("/")}`);
            for (const [k, v] of Object.entries(search)) url.searchParams.append(k, v);
            if (withCrmToken) url.searchParams.set("crmApiToken", crmToken);
            const requestHeaders = new Headers({ host: "broker.test" });
            for (const [k, v] of Object.entries(sent))
              if (v !== undefined) requestHeaders.set(k, ownWindow(v));
            const hasBody = method !== "GET" && method !== "HEAD" && payload.body !== undefined;
            if (hasBody && payload.type) requestHeaders.set("content-type", payload.type);
            if (!hasBody) requestHeaders.delete("content-length");
            const request = new Request(url, {
              method,
              headers: requestHeaders,
              body: hasBody ? payload.body : undefined,
            });
            const handler = routeModule[method] as (r: Request, c: unknown) => Promise<Response>;
            await expectAnswered(`${method} ${url.pathname}`, () =>
              handler(request, { params: Promise.resolve(params) }),
            );
          },
        ),
        property,
      );
    });
  }

  for (const file of actionFiles)
    for (const name of actionNames(file))
      it(`server action ${name} (${path.relative(ROOT, file)}) answers every argument without escaping errors`, async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const action = (require(file) as Record<string, unknown>)[name];
        expect(typeof action).toBe("function");
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...SESSIONS),
            actionArguments(),
            async (session, values) => {
              await signIn(session);
              for (const value of values)
                if (value instanceof FormData && value.get("window") === OWN_WINDOW)
                  value.set("window", currentWindowRef());
              await expectAnswered(`${name}(${values.length} args)`, () =>
                (action as (...args: unknown[]) => Promise<unknown>)(...values),
              );
            },
          ),
          { ...property, numRuns: RUNS * 2 },
        );
      });

  it("the proxy answers every screen URL below 500 and never burns a token on a strange parameter", async () => {
    const { proxy } = await import("@/proxy");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "/inapp/kyc",
          "/inapp/kyc/upload",
          "/inapp/kyc/status",
          "/admin",
          "/api/health",
          "/inapp/%ZZ",
        ),
        launchQuery,
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.option(fc.tuple(headers, fc.boolean(), fc.constantFrom(...CONTENT_TYPES))),
        async (pathname, search, token, post) => {
          const url = new URL(`${BASE}${pathname}`);
          for (const [k, v] of Object.entries(search)) url.searchParams.append(k, v);
          if (_mode === "one-time token") url.searchParams.set("token", `fuzz-${token}`);
          // A POST is what a server action is: Next.js answers some of them 500 unless the proxy
          // does first (lib/http/action-input.ts).
          const init: ConstructorParameters<typeof NextRequest>[1] = {};
          if (post) {
            const [sent, isAction, type] = post;
            const requestHeaders = new Headers({ host: "broker.test" });
            for (const [k, v] of Object.entries(sent))
              if (v !== undefined) requestHeaders.set(k, ownWindow(v));
            if (isAction) requestHeaders.set("next-action", "7f".repeat(21));
            if (type) requestHeaders.set("content-type", type);
            Object.assign(init, { method: "POST", headers: requestHeaders, body: "[]" });
          }
          const response = await proxy(new NextRequest(url, init));
          if (post && response.status >= 400) return;
          expect(response.status).toBeLessThan(500);
          // cTrader accepts every token here: only our own failure could say "unavailable".
          expect(response.headers.get("location") ?? "").not.toContain("reason=unavailable");
        },
      ),
      property,
    );
  });
});
