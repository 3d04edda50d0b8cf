import { sessionCookie } from "@/lib/inapp/session-cookie";
import {
  endSession,
  PHONE_SESSION_MINUTES,
  resolveSession,
  resolveSessionContext,
  startSession,
} from "@/lib/identity/sessions";
import { upsertTrader } from "@/lib/db/queries/traders";
import { setTestEnv } from "../../helpers/env";
import { openSession } from "../../helpers/sessions";
import { createTestDb, type TestDb } from "../../helpers/test-db";

let t: TestDb;
let traderId: string;
const T0 = new Date("2026-03-01T12:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

beforeAll(async () => {
  setTestEnv({ SESSION_IDLE_MINUTES: "30", SESSION_ABSOLUTE_MINUTES: "240" });
  t = await createTestDb();
  traderId = (
    await upsertTrader({ ctraderUserId: 9001, email: "s@example.com", tradingLogin: 1 }, "en")
  ).id;
});
afterAll(() => t.close());

const start = (now = T0) => openSession(traderId, null, now);

describe("trader sessions", () => {
  it("issues a __Host- cookie that is HttpOnly, Secure, SameSite=None and Partitioned, with 256 random bits", async () => {
    const started = await start();
    const { id } = started;
    expect(sessionCookie(started)).toEqual({
      name: "__Host-kyc_session",
      value: id,
      httpOnly: true,
      secure: true,
      sameSite: "none",
      partitioned: true,
      path: "/",
      maxAge: 240 * 60,
    });
    expect(Buffer.from(id, "base64url")).toHaveLength(32);
  });

  it("stays alive while used, and ends after 30 idle minutes", async () => {
    const { id } = await start();
    expect(await resolveSession(id, minutes(29))).toBeDefined();
    expect(await resolveSession(id, minutes(58))).toBeDefined(); // 29 min after the last use
    expect(await resolveSession(id, minutes(89))).toBeUndefined(); // 31 min idle
  });

  it("ends after 4 hours however active the trader is", async () => {
    const { id } = await start();
    for (let m = 20; m < 240; m += 20) expect(await resolveSession(id, minutes(m))).toBeDefined();
    expect(await resolveSession(id, minutes(240))).toBeUndefined();
  });

  it("honours configured timeouts", async () => {
    setTestEnv({ SESSION_IDLE_MINUTES: "5", SESSION_ABSOLUTE_MINUTES: "10" });
    try {
      const { id } = await start();
      expect(await resolveSession(id, minutes(4))).toBeDefined();
      expect(await resolveSession(id, minutes(10))).toBeUndefined();
    } finally {
      setTestEnv();
    }
  });

  it("refuses a revoked session, an unknown id and a malformed cookie", async () => {
    const { id } = await start();
    await endSession(id, minutes(1));
    expect(await resolveSession(id, minutes(2))).toBeUndefined();
    expect(await resolveSession("A".repeat(43), minutes(2))).toBeUndefined();
    expect(await resolveSession("'; drop table sessions; --", minutes(2))).toBeUndefined();
    expect(await resolveSession(undefined, minutes(2))).toBeUndefined();
  });

  it("resolves session, trader and case together, under the same idle and absolute limits", async () => {
    const { id } = await start();
    const context = await resolveSessionContext(id, minutes(10));
    expect(context?.trader.id).toBe(traderId);
    expect(context?.session.lastSeenAt).toEqual(minutes(10));
    expect(await resolveSessionContext(id, minutes(41))).toBeUndefined(); // 31 idle minutes
    expect(await resolveSessionContext("not-a-session", minutes(1))).toBeUndefined();
  });

  it("a new entry ends the trader's older sessions, and only that trader's", async () => {
    const other = (await upsertTrader({ ctraderUserId: 9002, email: null, tradingLogin: 2 }, "en"))
      .id;
    const older = await start();
    const othersSession = await openSession(other, null, T0);
    const newer = await start(minutes(1));
    expect(await resolveSession(older.id, minutes(2))).toBeUndefined();
    expect(await resolveSession(newer.id, minutes(2))).toBeDefined();
    expect(await resolveSession(othersSession.id, minutes(2))).toBeDefined();
  });

  it("a phone handoff ends only older handoff sessions and lives 15 minutes at most", async () => {
    const desktop = await start();
    const phone = (now: Date) =>
      startSession({
        traderId,
        caseId: null,
        identityMode: "phone-handoff",
        locale: "en",
        theme: null,
        source: null,
        account: null,
        documentScope: "identity",
        now,
      });
    const first = await phone(minutes(1));
    const second = await phone(minutes(2));
    expect(second.maxAgeSeconds).toBe(PHONE_SESSION_MINUTES * 60);
    expect(await resolveSession(desktop.id, minutes(3))).toBeDefined();
    expect(await resolveSession(first.id, minutes(3))).toBeUndefined();
    const scoped = await resolveSession(second.id, minutes(3));
    expect(scoped?.documentScope).toBe("identity");
    expect(await resolveSession(second.id, minutes(2 + PHONE_SESSION_MINUTES))).toBeUndefined();
    // And a handoff session without a scope cannot be made.
    await expect(
      startSession({
        traderId,
        caseId: null,
        identityMode: "phone-handoff",
        locale: "en",
        theme: null,
        source: null,
        account: null,
      }),
    ).rejects.toThrow("document scope");
  });
});
