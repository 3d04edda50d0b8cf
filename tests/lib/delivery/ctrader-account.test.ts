/**
 * The trading account follows the decision through cTrader's manager API (msw at the cTrader
 * boundary): through the outbox, with the same retries, and only for the mapped statuses.
 */
import "../../scenarios/support/request-scope";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { http, HttpResponse } from "msw";
import { getDb } from "@/lib/db/client";
import { getDeliveriesForEvent, insertOutboxEvent } from "@/lib/db/queries/outbox";
import { parseEnv } from "@/lib/env";
import { drainOnce } from "@/lib/delivery/worker";
import { CTRADER, ctraderServer } from "../../helpers/ctrader-stub";
import { signedInStaff } from "../../scenarios/support/people";
import {
  decideCase,
  deliveryWorld,
  freshCase,
  listAttemptsForEvent,
  staffPair,
  submitCase,
} from "./helpers";

// cTrader's account API is the only destination.
const world = deliveryWorld({
  CTRADER_ACCOUNT_UPDATE: "1",
  CTRADER_MANAGER_TOKEN: "manager-secret",
  CTRADER_ACCESS_RIGHTS: JSON.stringify({
    "*": { approved: "FULL_ACCESS", rejected: "NO_TRADING", action_required: "CLOSE_ONLY" },
    basic: { approved: "CLOSE_ONLY" },
  }),
  WEBHOOK_ENDPOINTS: "",
});

type Seen = { login: string; token: string | null; body: unknown };
/**
 * cTrader's account API answering `statuses` in turn, then 200. A stub answers ahead of the
 * earlier ones (msw's latest handler first); none is reset, since the world's cTrader answers
 * the launches too.
 */
function stubAccounts(statuses: number[]): Seen[] {
  const seen: Seen[] = [];
  ctraderServer.use(
    http.patch(`${CTRADER}/v2/webserv/traders/:login`, async ({ request, params }) => {
      seen.push({
        login: String(params.login),
        token: new URL(request.url).searchParams.get("token"),
        body: await request.json(),
      });
      return new HttpResponse(null, { status: statuses.shift() ?? 200 });
    }),
  );
  return seen;
}

/** An approver withdraws the approval in the console (a final reason). */
async function revoke(caseId: string) {
  const [, approver] = await staffPair();
  expect(await approver.reject(caseId, "fraud_suspected")).toBe("rejected_final");
}

async function approvedCase(level = "standard") {
  const kycCase = await freshCase(level);
  const { eventId } = await decideCase(kycCase, "approve");
  return { kycCase, eventId };
}

describe("cTrader account update", () => {
  it("applies an approval the first release stored (no sequence yet), with the rights of now", async () => {
    const seen = stubAccounts([]);
    const { kycCase } = await approvedCase();
    await drainOnce({ limit: 50 });
    seen.length = 0;
    // Left in the outbox by an older version across the upgrade: stored as that version did.
    const stored = JSON.parse(
      readFileSync(
        path.join(__dirname, "../../fixtures/webhooks/first-release/case-approved.json"),
        "utf8",
      ),
    );
    const id = randomUUID();
    await insertOutboxEvent(await getDb(), {
      id,
      type: stored.type,
      caseId: kycCase.id,
      payload: { ...stored, id, case: { ...stored.case, id: kycCase.id } },
      destinations: ["ctrader:account"],
      now: new Date(),
    });
    await drainOnce({ eventId: id, limit: 10 });
    expect(seen.map((s) => s.body)).toEqual([{ accessRights: "FULL_ACCESS" }]);
    expect((await getDeliveriesForEvent(id))[0]?.status).toBe("delivered");
  });

  it("gives an approved trader FULL_ACCESS with the manager token, after a failed attempt is retried", async () => {
    const seen = stubAccounts([503, 200]);
    const { eventId } = await approvedCase();
    await drainOnce({ limit: 50 });
    const [delivery] = (await getDeliveriesForEvent(eventId)).filter(
      (d) => d.destination === "ctrader:account",
    );
    expect(delivery).toMatchObject({ status: "pending", totalAttempts: 1 });
    await drainOnce({ limit: 50, now: new Date(Date.now() + 3_600_000) });
    const [after] = (await getDeliveriesForEvent(eventId)).filter(
      (d) => d.destination === "ctrader:account",
    );
    expect(after?.status).toBe("delivered");
    const approvals = seen.filter(
      (s) => (s.body as { accessRights: string }).accessRights === "FULL_ACCESS",
    );
    expect(approvals).toHaveLength(2);
    expect(approvals[0]).toMatchObject({ token: "manager-secret" });
    expect(after?.lastError ?? "").not.toContain("manager-secret");
  });

  it("calls cTrader only for mapped statuses, and uses the level's own mapping", async () => {
    const seen = stubAccounts([]);
    const { eventId } = await submitCase(await freshCase("basic"));
    await drainOnce({ limit: 50 });
    expect(seen).toHaveLength(0); // "submitted" is not mapped: nothing to do, delivered
    expect((await getDeliveriesForEvent(eventId))[0]?.status).toBe("delivered");
    const other = await freshCase("basic");
    await decideCase(other, "approve");
    await drainOnce({ limit: 50 });
    // Submitted and in review set nothing; the approval sends the basic level's own rights, once.
    expect(seen.map((s) => s.body)).toEqual([{ accessRights: "CLOSE_ONLY" }]);
  });

  it("never lets a replayed approval restore trading after a rejection: it sends the rights of now", async () => {
    const seen = stubAccounts(Array<number>(50).fill(500));
    const { kycCase, eventId } = await approvedCase();
    // The approval's delivery to cTrader fails until its schedule runs out (dead).
    const toCtrader = async () =>
      (await getDeliveriesForEvent(eventId)).find((d) => d.destination === "ctrader:account");
    for (let pass = 0; pass < 40 && (await toCtrader())?.status !== "dead"; pass++)
      await drainOnce({ limit: 50, now: new Date(Date.now() + pass * 12 * 3_600_000) });
    expect((await toCtrader())?.status).toBe("dead");
    // Then the approval is withdrawn: that event reaches cTrader.
    seen.length = 0;
    const now = stubAccounts([]);
    await revoke(kycCase.id);
    await drainOnce({ limit: 50, now: new Date(Date.now() + 500 * 3_600_000) });
    expect(now.map((s) => s.body)).toEqual([{ accessRights: "NO_TRADING" }]);
    // Replaying the dead approval sends the rights of now again, never the approval's, and the
    // log says what the case is now.
    const admin = await signedInStaff(world(), "accounts.admin@broker.example", "admin");
    expect(await admin.replayDead()).toMatch(/^\/admin\/deliveries\?replayed=[1-9]/);
    await drainOnce({ limit: 50, now: new Date(Date.now() + 501 * 3_600_000) });
    expect(now.map((s) => s.body)).toEqual([
      { accessRights: "NO_TRADING" },
      { accessRights: "NO_TRADING" },
    ]);
    const replayed = (await getDeliveriesForEvent(eventId)).find(
      (d) => d.destination === "ctrader:account",
    );
    expect(replayed?.status).toBe("delivered");
    const log = await listAttemptsForEvent(eventId);
    expect(JSON.parse(log.at(-1)?.note ?? "{}")).toMatchObject({
      code: "rights_set",
      rights: "NO_TRADING",
      state: "rejected",
      eventState: "approved",
    });
  });

  it("is off by default and refuses to start without the cTrader API", () => {
    expect(parseEnv({ NODE_ENV: "development" }).ctraderAccountUpdate).toBeNull();
    expect(() => parseEnv({ NODE_ENV: "development", CTRADER_ACCOUNT_UPDATE: "1" })).toThrow(
      "CTRADER_ACCOUNT_UPDATE",
    );
    expect(() =>
      parseEnv({
        NODE_ENV: "development",
        CTRADER_ACCOUNT_UPDATE: "1",
        CTRADER_API_URL: CTRADER,
        CTRADER_MANAGER_TOKEN: "m",
        CTRADER_ACCESS_RIGHTS: '{"*":{"approved":"GOD_MODE"}}',
      }),
    ).toThrow("CTRADER_ACCESS_RIGHTS");
  });
});
