/**
 * The world a scenario runs in: the whole product, driven the way people and systems drive it.
 *
 * - cTrader opens a screen with a one-time token: the request goes through `proxy.ts` (the token
 *   exchange), and msw answers for cTrader (the redeem API and the account update API), recording
 *   every access-rights change it was told.
 * - The trader acts through the server actions and the upload API route handlers, with the cookie
 *   the launch set; what the trader sees is the page itself, rendered to HTML.
 * - Staff sign in through the console's login action and act through its actions; what they see
 *   is the case page rendered with the data the app stored.
 * - The worker is what `npm run worker` runs: the housekeeping sweep (automated checks) and the
 *   delivery drain. The broker's CRM is a real HTTP receiver that verifies every signature with
 *   the `standardwebhooks` library.
 *
 * No state is put in place by SQL or by calling an internal function: every state comes from a
 * real flow. Jest's `jest.mock` calls for `next/headers` and `next-intl/server` sit in each
 * scenario file (jest hoists them per file).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { NextRequest } from "next/server";
import type { z } from "zod";
import { Webhook } from "standardwebhooks";
import { http, HttpResponse } from "msw";
import { importListsAndRescreen } from "@/lib/checks/rescreen";
import { runHousekeeping } from "@/lib/jobs/housekeeping";
import { drainOnce, taken } from "@/lib/delivery/worker";
import { createStaffAccount } from "@/lib/staff/accounts";
import { caseDecisions, caseEvents, type StaffRole } from "@/lib/db/schema";
import { CASE_EVENT_DATA } from "@/lib/kyc/case-event-data";
import { CASE_DECISION_DATA } from "@/lib/review/decision-data";
import { CTRADER, ctraderServer, listenForCtrader } from "../../helpers/ctrader-stub";
import { setTestEnv, TEST_ENV_DEFAULTS } from "../../helpers/env";
import { ownJar, setRequestLocale } from "../../helpers/request-scope";
import { createTestDb, type TestDb } from "../../helpers/test-db";
import {
  endpointsFor,
  startReceiver,
  TEST_WEBHOOK_SECRET,
  type Receiver,
} from "../../helpers/webhook-receiver";

export const BROKER = "https://broker.test";
const execFileAsync = promisify(execFile);

/** A webhook the CRM received, its signature verified by the Standard Webhooks library. */
export type CrmEvent = {
  type: string;
  sequence: number;
  caseId: string;
  status: string;
  event?: string;
  payload: Record<string, unknown>;
};

export type AccountUpdate = { login: number; accessRights: string };

/**
 * A browser: its own cookie jar, which the requests it sends read and write, also while another
 * browser's requests are in flight (a jar per async context: ownJar).
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  locale = "en";

  async act<T>(fn: () => Promise<T>): Promise<T> {
    const cookies = new Map(this.cookies);
    setRequestLocale(this.locale);
    try {
      return await ownJar.run(cookies, fn);
    } finally {
      this.cookies.clear();
      for (const [k, v] of cookies) this.cookies.set(k, v);
    }
  }

  /**
   * A request this browser sent holding `sent` (its cookies then), answered now: only what the
   * answer sets or deletes changes the jar, over whatever another answer set meanwhile, as a
   * browser applies each answer's Set-Cookie on arrival. Twin requests (a double click) are
   * each sent with the same cookies and answered one after the other.
   */
  async sentWith<T>(sent: ReadonlyMap<string, string>, fn: () => Promise<T>): Promise<T> {
    const cookies = new Map(sent);
    setRequestLocale(this.locale);
    try {
      return await ownJar.run(cookies, fn);
    } finally {
      for (const [k, v] of cookies) if (sent.get(k) !== v) this.cookies.set(k, v);
      for (const k of sent.keys()) if (!cookies.has(k)) this.cookies.delete(k);
    }
  }
}

/** What a server action's redirect says: Next.js throws it, with the target in its digest. */
export async function outcomeOf<T>(
  promise: Promise<T>,
): Promise<{ redirect: string } | { value: T }> {
  try {
    return { value: await promise };
  } catch (error) {
    const digest = (error as { digest?: string }).digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT"))
      return { redirect: decodeURIComponent(digest.split(";")[2] ?? "") };
    throw error;
  }
}

export type World = {
  db: TestDb;
  dataDir: string;
  receiver: Receiver;
  /** Every verified webhook the CRM received, in arrival order. */
  crm: CrmEvent[];
  /** Every access-rights update cTrader was asked to apply, in order. */
  accountUpdates: AccountUpdate[];
  /** cTrader's account API (and the CRM's endpoint) answer 503 while down. */
  setDown(what: { ctrader?: boolean; crm?: boolean }): void;
  /**
   * cTrader's account API holds the next update (a slow call): `arrived` resolves when it came
   * in; it is applied (and listed in accountUpdates) only once `release` is called, or answered
   * with `status` instead (a late failure) when one is given.
   */
  holdNextAccountUpdate(): { arrived: Promise<void>; release: (status?: number) => void };
  /** A one-time token cTrader issued for this user (redeemable once). */
  issueToken(userId: number): string;
  /** The email cTrader gives for this user from now on ("" for none; default trader<id>@…). */
  setCtraderEmail(userId: number, email: string): void;
  /** The trading login cTrader's redeem names for this user from now on (default 7,000,000 + id). */
  setCtraderLogin(userId: number, login: number): void;
  /**
   * cTrader's account API answers `status` for this login from now on (404: the account was
   * deleted in cTrader, with cTrader's JSON error; null: the login answers as usual again).
   */
  setAccountAnswer(login: number, status: number | null): void;
  /** Creates a console account as `npm run staff:create` does. */
  createStaff(email: string, role: StaffRole): Promise<{ email: string; password: string }>;
  /** One pass of `npm run worker`: housekeeping (checks), then deliveries until none is due. */
  worker(now?: Date): Promise<void>;
  /** The CRM's view of one case: verified events in the order it received them. */
  crmEventsFor(caseId: string): CrmEvent[];
  /**
   * Changes the broker's configuration from here on: the scenario's own settings and these
   * overrides; the previous call's overrides are undone (`configure({})` goes back).
   */
  configure(overrides: Record<string, string | undefined>): void;
  /** What `npm run lists:import` does with these files: import, then re-screen approved traders. */
  importLists(files: string[]): ReturnType<typeof importListsAndRescreen>;
  /**
   * Runs `npm run lists:import` itself, as a separate process against this scenario's database,
   * with SANCTIONS_LIST_PATH; what it printed. Throws on a non-zero exit.
   */
  runListsImportCommand(files: string[]): Promise<string>;
  /**
   * Runs an operator command (`npm run <name>`'s script) as a separate process against this
   * scenario's database and configuration, on PostgreSQL and on PGlite. Never throws on a
   * non-zero exit.
   */
  runCommand(
    script: string,
    args?: string[],
    env?: Record<string, string>,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /**
   * Marks a case whose stored data the scenario corrupted on purpose (fault injection): the
   * world's closing check of the timeline's data skips it.
   */
  plantedFault(caseId: string): void;
};

/** What a stored value fails of its schema, path by path; undefined when it reads. */
function problemsOf(schema: z.ZodType, data: unknown): string | undefined {
  return schema
    .safeParse(data)
    .error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)
    .join("; ");
}

/**
 * The case events whose data fails the schema of their event (lib/kyc/case-event-data.ts), or
 * that store data where their event stores none.
 */
async function unreadableCaseEvents(db: TestDb, skip: ReadonlySet<string>): Promise<string[]> {
  const rows = await db.db
    .select({ caseId: caseEvents.caseId, event: caseEvents.event, data: caseEvents.data })
    .from(caseEvents);
  return rows.flatMap((row) => {
    if (skip.has(row.caseId)) return [];
    const schema = Object.hasOwn(CASE_EVENT_DATA, row.event)
      ? CASE_EVENT_DATA[row.event as keyof typeof CASE_EVENT_DATA]
      : undefined;
    const problem = schema
      ? problemsOf(schema, row.data)
      : Object.keys(row.data).length === 0
        ? undefined
        : "stores data without a schema";
    return problem ? [`${row.event} (case ${row.caseId}): ${problem}`] : [];
  });
}

/** The case decisions whose data fails its decision's schema (lib/review/decision-data.ts). */
async function unreadableDecisions(db: TestDb, skip: ReadonlySet<string>): Promise<string[]> {
  const rows = await db.db
    .select({
      caseId: caseDecisions.caseId,
      decision: caseDecisions.decision,
      data: caseDecisions.data,
    })
    .from(caseDecisions);
  return rows.flatMap((row) => {
    if (skip.has(row.caseId)) return [];
    if (!Object.hasOwn(CASE_DECISION_DATA, row.decision))
      return [`${row.decision} (case ${row.caseId}): a decision without a schema`];
    const schema = CASE_DECISION_DATA[row.decision as keyof typeof CASE_DECISION_DATA];
    const problem = problemsOf(schema, row.data);
    return problem ? [`${row.decision} (case ${row.caseId}): ${problem}`] : [];
  });
}

/** The OFAC SDN excerpt the tests ship (RAFAEL CARO QUINTERO is entry 6707). */
export const OFAC_EXCERPT = path.join(__dirname, "../../fixtures/sanctions/ofac-sdn-excerpt.csv");

let tokenCounter = 0;

/**
 * Sets up the world for one scenario file (beforeAll/afterAll) and returns a getter. `env`
 * overrides the configuration (e.g. AUTO_APPROVE=1).
 */
export function scenarioWorld(env: Record<string, string | undefined> = {}): () => World {
  let world: World | undefined;
  let dataDir = "";
  const identities = new Map<string, number>();
  const emails = new Map<number, string>();
  const logins = new Map<number, number>();
  const accountAnswers = new Map<number, number>();
  const redeemed = new Set<string>();
  const down = { ctrader: false, crm: false };
  let holdNext: { arrive: () => void; released: Promise<number | undefined> } | undefined;
  const planted = new Set<string>();
  // A scenario is a whole case's life (launch to decision and delivery): ~5-25 s alone, several
  // times that on a two-core machine running other suites; a ceiling, not a target.
  jest.setTimeout(120_000);

  /**
   * An operator command as its own process, on this world's database: the PostgreSQL one by URL,
   * or on PGlite the directory the app's embedded default opens (DATA_DIR/pglite), lent to the
   * process while it runs. Never throws on a non-zero exit.
   */
  async function runScript(
    script: string,
    args: string[],
    extraEnv: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const db = world!.db;
    const target = db.target;
    if (!target) throw new Error("the world's database is not reachable from another process");
    return db.lend(async () => {
      try {
        const { stdout, stderr } = await execFileAsync(
          process.execPath,
          ["--require", "./scripts/server-context.cjs", "--import", "tsx", script, ...args],
          {
            cwd: path.join(__dirname, "../../.."),
            env: {
              ...process.env,
              NODE_OPTIONS: "",
              DATABASE_URL: target.kind === "postgres" ? target.url : "",
              DATA_DIR: target.kind === "pglite" ? target.dataDir : process.env.DATA_DIR,
              LOG_LEVEL: "warn",
              ...extraEnv,
            },
            timeout: 60_000,
          },
        );
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        if (typeof failed.code !== "number") throw error;
        return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
      }
    });
  }

  beforeAll(async () => {
    listenForCtrader();
    dataDir = mkdtempSync(path.join(tmpdir(), "kyc-scenario-"));
    const crm: CrmEvent[] = [];
    const hook = new Webhook(TEST_WEBHOOK_SECRET);
    const receiver = await startReceiver((request) => {
      if (down.crm) return 503;
      // The CRM refuses anything whose signature does not verify.
      let payload: Record<string, unknown>;
      try {
        payload = hook.verify(request.body, {
          "webhook-id": request.id,
          "webhook-timestamp": request.timestamp,
          "webhook-signature": request.signature,
        }) as Record<string, unknown>;
      } catch {
        return 401;
      }
      const kycCase = payload.case as { id: string; status: string };
      crm.push({
        type: String(payload.type),
        sequence: Number(payload.sequence),
        caseId: kycCase.id,
        status: kycCase.status,
        event: typeof payload.event === "string" ? payload.event : undefined,
        payload,
      });
      return 204;
    });
    const settings = {
      DATA_DIR: dataDir,
      CTRADER_API_URL: CTRADER,
      CTRADER_MANAGER_TOKEN: "manager-token-for-scenarios",
      CTRADER_ACCOUNT_UPDATE: "1",
      WEBHOOK_ENDPOINTS: endpointsFor([{ id: "crm", url: receiver.url }]),
      SUPPORT_EMAIL: "compliance@broker.example",
      ...env,
    };
    setTestEnv(settings);
    let configured: string[] = [];
    const db = await createTestDb({ pgliteDataDir: dataDir });
    const accountUpdates: AccountUpdate[] = [];
    const handlers = () =>
      ctraderServer.use(
        http.post(`${CTRADER}/ctid2/inAppToken/redeem`, async ({ request }) => {
          const { token } = (await request.json()) as { token: string };
          const userId = identities.get(token);
          if (!userId || redeemed.has(token))
            return HttpResponse.json(
              { error: "Not Found", message: "token not found, expired or already consumed" },
              { status: 404 },
            );
          redeemed.add(token);
          return HttpResponse.json({
            userId,
            email: emails.get(userId) ?? `trader${userId}@example.com`,
            tradingLogin: logins.get(userId) ?? 7_000_000 + userId,
          });
        }),
        http.patch(`${CTRADER}/v2/webserv/traders/:login`, async ({ request, params }) => {
          if (down.ctrader) return new HttpResponse(null, { status: 503 });
          const answer = accountAnswers.get(Number(params.login));
          if (answer !== undefined)
            return HttpResponse.json(
              { errorCode: answer === 404 ? "TRADER_NOT_FOUND" : "ERROR", description: "refused" },
              { status: answer },
            );
          const body = (await request.json()) as { accessRights: string };
          const hold = holdNext;
          holdNext = undefined;
          if (hold) {
            hold.arrive();
            const status = await hold.released;
            if (status !== undefined) return new HttpResponse(null, { status });
          }
          accountUpdates.push({ login: Number(params.login), accessRights: body.accessRights });
          return new HttpResponse(null, { status: 200 });
        }),
      );
    handlers();
    world = {
      db,
      dataDir,
      receiver,
      crm,
      accountUpdates,
      setDown: (what) => Object.assign(down, what),
      holdNextAccountUpdate() {
        let arrive!: () => void;
        let release!: (status?: number) => void;
        const arrived = new Promise<void>((resolve) => (arrive = resolve));
        holdNext = {
          arrive,
          released: new Promise<number | undefined>((resolve) => (release = resolve)),
        };
        return { arrived, release };
      },
      issueToken(userId) {
        const token = `ot-${userId}-${++tokenCounter}-${Math.random().toString(36).slice(2)}`;
        identities.set(token, userId);
        return token;
      },
      setCtraderEmail: (userId, email) => void emails.set(userId, email),
      setCtraderLogin: (userId, login) => void logins.set(userId, login),
      setAccountAnswer: (login, status) =>
        void (status === null ? accountAnswers.delete(login) : accountAnswers.set(login, status)),
      async createStaff(email, role) {
        const password = `scenario password for ${role}s`;
        await createStaffAccount({ email, role, password, name: email.split("@")[0] });
        return { email, password };
      },
      async worker(now) {
        await runHousekeeping(now);
        for (let pass = 0; pass < 20; pass++) {
          if (taken(await drainOnce({ limit: 50, now })) === 0) break;
        }
      },
      crmEventsFor: (caseId) => crm.filter((e) => e.caseId === caseId),
      importLists: (files) => importListsAndRescreen(files),
      configure(overrides) {
        const undone = Object.fromEntries(configured.map((k) => [k, TEST_ENV_DEFAULTS[k]]));
        configured = Object.keys(overrides);
        setTestEnv({ ...undone, ...settings, ...overrides });
      },
      async runListsImportCommand(files) {
        const run = await runScript("scripts/lists-import.ts", [], {
          SANCTIONS_LIST_PATH: files.join(","),
        });
        if (run.code !== 0) throw new Error(`lists:import exited ${run.code}: ${run.stderr}`);
        return run.stdout;
      },
      runCommand: (script, args = [], env = {}) => runScript(script, args, env),
      plantedFault: (caseId) => void planted.add(caseId),
    };
  });

  afterAll(async () => {
    // Every timeline event and decision the scenario's flows stored reads with its schema,
    // whatever the scenario itself asserted: a writer and a reader that disagree fail here.
    const unreadable = world
      ? [
          ...(await unreadableCaseEvents(world.db, planted)),
          ...(await unreadableDecisions(world.db, planted)),
        ]
      : [];
    ctraderServer.close();
    await world?.receiver.close();
    await world?.db.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (unreadable.length > 0)
      throw new Error(`stored data that does not read:\n${unreadable.join("\n")}`);
  });

  return () => {
    if (!world) throw new Error("world not ready");
    return world;
  };
}

/** A cTrader screen URL request, as the embedded browser sends it. */
export function screenRequest(pathAndQuery: string): NextRequest {
  return new NextRequest(`${BROKER}${pathAndQuery}`, {
    // cTrader Web: a frame on another site.
    headers: { host: "broker.test", "sec-fetch-site": "cross-site", "sec-fetch-dest": "iframe" },
  });
}

export { setClock } from "../../helpers/clock";
