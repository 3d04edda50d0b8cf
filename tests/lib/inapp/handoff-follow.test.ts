/**
 * The desktop's QR panel follows the phone's uploads while its link can be redeemed, and past the
 * link's expiry only for as long as the server says a phone session made from it can upload
 * (tests/app/api/phone-handoff.test.ts: 0 until the link is redeemed, the session's life after).
 */
import { PHONE_HANDOFF_MINUTES } from "@/lib/identity/phone-handoff";
import { PHONE_SESSION_MINUTES } from "@/lib/identity/sessions";
import {
  ASK_AGAIN_AFTER_MS,
  askPhoneFollow,
  FOLLOW_EVERY_MS,
  followPhoneHandoff,
} from "@/lib/inapp/handoff-follow";

const LINK_SECONDS = PHONE_HANDOFF_MINUTES * 60;
const READS_WHILE_LINK_LIVES = (LINK_SECONDS * 1000) / FOLLOW_EVERY_MS;

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** Moves the clock, then lets the panel take in an answer that came meanwhile. */
async function wait(ms: number) {
  await jest.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 5; i++) await jest.advanceTimersByTimeAsync(0);
}

/** The panel has stopped: through a whole phone session after, no read, no question, no timer. */
async function expectStopped(seen: { reads: number; asked: number }) {
  const { reads, asked } = seen;
  await wait(PHONE_SESSION_MINUTES * 60_000);
  expect(seen.reads).toBe(reads);
  expect(seen.asked).toBe(asked);
  expect(jest.getTimerCount()).toBe(0);
}

/** The panel with the server's answer after expiry: seconds a phone session can still upload. */
function panel(answer: () => Promise<number>) {
  const seen = { reads: 0, expired: false, asked: 0 };
  const stop = followPhoneHandoff({
    expiresInSeconds: LINK_SECONDS,
    onFollow: () => void seen.reads++,
    onExpired: () => void (seen.expired = true),
    followAfterExpiry: () => {
      seen.asked++;
      return answer();
    },
  });
  return { seen, stop };
}

test("stops following when the link expires unredeemed, with a last look", async () => {
  const { seen, stop } = panel(async () => 0);

  await wait(LINK_SECONDS * 1000 - 1);
  expect(seen.expired).toBe(false);
  await wait(1);

  expect(seen.expired).toBe(true);
  expect(seen.asked).toBe(1);
  // Every three seconds while the link could be redeemed, and a last look.
  expect(seen.reads).toBe(READS_WHILE_LINK_LIVES);
  await wait(PHONE_SESSION_MINUTES * 60_000);
  expect(seen.reads).toBe(READS_WHILE_LINK_LIVES);
  expect(jest.getTimerCount()).toBe(0);
  stop();
});

/** Each question's answer in turn; the last one for any question after. */
const answers =
  (...seconds: number[]) =>
  async () =>
    seconds.length > 1 ? seconds.shift()! : seconds[0]!;

test("follows a redeemed link as long as the answer says, then asks again and stops at none", async () => {
  const left = PHONE_SESSION_MINUTES * 60 - 30;
  const { seen, stop } = panel(answers(left, 0));

  await wait(LINK_SECONDS * 1000);
  expect(seen.expired).toBe(true);
  const atExpiry = seen.reads;

  await wait(left * 1000 - 1);
  // Every three seconds through the phone session.
  expect(seen.reads - atExpiry).toBeGreaterThanOrEqual((left * 1000) / FOLLOW_EVERY_MS - 1);
  expect(seen.asked).toBe(1);
  await wait(1);
  // The answer ran out: asked again, the session is over, a last look.
  expect(seen.asked).toBe(2);
  await expectStopped(seen);
  stop();
});

test("keeps following a phone still in use: each answer that runs out is asked about again", async () => {
  // The phone's session would go idle in 4 minutes; it is used meanwhile, so when asked again it
  // can upload 5 minutes more, and then it is over.
  const { seen, stop } = panel(answers(240, 300, 0));

  await wait(LINK_SECONDS * 1000);
  const atExpiry = seen.reads;
  await wait(240_000);
  expect(seen.asked).toBe(2);
  await wait(300_000 - 1);
  // Still following, every three seconds since the link expired.
  expect(seen.reads - atExpiry).toBeGreaterThanOrEqual(540_000 / FOLLOW_EVERY_MS - 1);
  expect(seen.asked).toBe(2);
  await wait(1);
  expect(seen.asked).toBe(3);
  await expectStopped(seen);
  stop();
});

test("a failed question after expiry is asked again, and a redeemed phone is then followed", async () => {
  const left = PHONE_SESSION_MINUTES * 60 - 60;
  let failures = 2;
  const later = answers(left, 0);
  const { seen, stop } = panel(() =>
    failures-- > 0 ? Promise.reject(new TypeError("Failed to fetch")) : later(),
  );

  await wait(LINK_SECONDS * 1000);
  expect(seen.asked).toBe(1);
  const retrying = ASK_AGAIN_AFTER_MS[0] + ASK_AGAIN_AFTER_MS[1];
  await wait(retrying);
  expect(seen.asked).toBe(3);
  const answered = seen.reads;

  // Followed through the phone session the third question found.
  await wait(left * 1000 - 1);
  expect(seen.reads - answered).toBeGreaterThanOrEqual((left * 1000) / FOLLOW_EVERY_MS - 1);
  await wait(1);
  expect(seen.asked).toBe(4);
  await expectStopped(seen);
  stop();
});

test("a question that keeps failing is given up after a bounded number of tries, with a last look", async () => {
  const { seen, stop } = panel(() => Promise.reject(new TypeError("Failed to fetch")));

  await wait(LINK_SECONDS * 1000);
  const atExpiry = seen.reads;
  const retrying = ASK_AGAIN_AFTER_MS.reduce((sum, ms) => sum + ms, 0);
  await wait(retrying);

  expect(seen.asked).toBe(ASK_AGAIN_AFTER_MS.length + 1);
  // Read every three seconds while asking again, then a last look, then nothing.
  expect(seen.reads - atExpiry).toBe(Math.floor(retrying / FOLLOW_EVERY_MS) + 1);
  await expectStopped(seen);
  stop();
});

test("closing the panel stops everything, also a question still on its way", async () => {
  let answer: (seconds: number) => void = () => {};
  const { seen, stop } = panel(() => new Promise((resolve) => (answer = resolve)));
  await wait(LINK_SECONDS * 1000);
  const atClose = seen.reads;
  stop();
  answer(600);
  await wait(PHONE_SESSION_MINUTES * 60_000);
  expect(seen.reads).toBe(atClose);
});

test("asks the route with the window's reference, and reads a refusal as nothing to follow", async () => {
  const calls: { url: string; headers: HeadersInit | undefined }[] = [];
  const answering =
    (status: number, body: unknown) => async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), headers: init?.headers });
      return Response.json(body, { status });
    };
  expect(await askPhoneFollow("identity", "w1", answering(200, { followInSeconds: 812 }))).toBe(
    812,
  );
  expect(calls[0]).toEqual({
    url: "/api/inapp/handoff?documentType=identity",
    headers: { "x-kyc-window": "w1" },
  });
  expect(await askPhoneFollow("identity", "w1", answering(409, { reason: "other_sign_in" }))).toBe(
    0,
  );
  expect(await askPhoneFollow("identity", "w1", answering(200, { followInSeconds: -1 }))).toBe(0);
});

test("no answer, a 5xx or an unreadable body is a failure to ask again, not nothing to follow", async () => {
  const answering = (status: number, body: string) => async () => new Response(body, { status });
  const offline = async () => Promise.reject(new TypeError("Failed to fetch"));

  await expect(askPhoneFollow("identity", "w1", offline)).rejects.toThrow();
  await expect(
    askPhoneFollow("identity", "w1", answering(500, JSON.stringify({ reason: "internal" }))),
  ).rejects.toThrow();
  await expect(
    askPhoneFollow("identity", "w1", answering(502, "<html>Bad gateway</html>")),
  ).rejects.toThrow();
  await expect(askPhoneFollow("identity", "w1", answering(200, "<html>"))).rejects.toThrow();
});

test("a refusal whose body is not JSON (a proxy's page) is nothing to follow, not a failure", async () => {
  const answering = (status: number, body: string) => async () =>
    new Response(body, { status, headers: { "content-type": "text/html" } });
  for (const status of [400, 401, 403, 404, 409, 413])
    expect(await askPhoneFollow("identity", "w1", answering(status, "<html>No</html>"))).toBe(0);
  // Too many requests, or a proxy that timed the request out: worth asking again.
  for (const status of [408, 429])
    await expect(
      askPhoneFollow("identity", "w1", answering(status, "<html>Later</html>")),
    ).rejects.toThrow();
});

test("a phone behind a proxy that refuses the question is not asked about again", async () => {
  const { seen, stop } = panel(() =>
    askPhoneFollow(
      "identity",
      "w1",
      async () => new Response("<html>Forbidden</html>", { status: 403 }),
    ),
  );
  await wait(LINK_SECONDS * 1000);
  await wait(ASK_AGAIN_AFTER_MS.reduce((sum, ms) => sum + ms, 0));
  expect(seen.asked).toBe(1);
  // Stopped when the link expired, with a last look.
  expect(seen.reads).toBe(READS_WHILE_LINK_LIVES);
  expect(jest.getTimerCount()).toBe(0);
  stop();
});
