/**
 * How the desktop's QR panel follows the phone (browser code, no server imports): it reads the
 * sides every few seconds while the link can still be redeemed. When the link expires it asks the
 * server how long a phone session made from it can still upload (GET /api/inapp/handoff): an
 * unredeemed link has none, so the panel stops there instead of polling through a phone session
 * that never started; a redeemed one is followed for as long as the answer says, then asked about
 * again, since a phone still in use puts off the end of its session (it goes idle without
 * requests), until the answer is none. A question that fails (a network blip, a 5xx) is asked
 * again a few times, since giving up early would stop following a phone that is still uploading;
 * after the last try the panel stops with a last look and keeps its "expired, get a new code"
 * state, which starts following again.
 */
import { phoneFollowResponse } from "@/lib/identity/handoff-contract";
import { windowHeaders } from "./window-ref";

export const FOLLOW_EVERY_MS = 3000;

/** Waits before each new try of a failed question after expiry; bounded, growing. */
export const ASK_AGAIN_AFTER_MS = [2_000, 5_000, 15_000, 30_000] as const;

export function followPhoneHandoff({
  expiresInSeconds,
  onFollow,
  onExpired,
  followAfterExpiry,
}: {
  expiresInSeconds: number;
  /** Reads the sides again (the phone may have uploaded some). */
  onFollow: () => void;
  onExpired: () => void;
  /** Seconds a phone session made from the link can still upload; 0 when none was made. */
  followAfterExpiry: () => Promise<number>;
}): () => void {
  let stopped = false;
  const timer = setInterval(onFollow, FOLLOW_EVERY_MS);
  // The next question (the answer ran out, or a try failed): one at a time.
  let next: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    clearInterval(timer);
    // A last look: the phone may have finished just before its session ran out.
    onFollow();
  };
  const ask = (tries: number) => {
    void followAfterExpiry().then(
      (seconds) => {
        if (stopped) return;
        if (seconds > 0) next = setTimeout(() => ask(0), seconds * 1000);
        else stop();
      },
      () => {
        if (stopped) return;
        const wait = ASK_AGAIN_AFTER_MS[tries];
        if (wait === undefined) stop();
        else next = setTimeout(() => ask(tries + 1), wait);
      },
    );
  };
  const expiry = setTimeout(() => {
    onExpired();
    ask(0);
  }, expiresInSeconds * 1000);
  return () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(expiry);
    clearTimeout(next);
  };
}

/**
 * The server's answer to "how long can a phone session made from my link still upload". A refusal
 * (a 4xx: the session ended, another sign-in, or a proxy's page in front of the app, which need not
 * be JSON) is 0: nothing to follow, and asking again cannot change that. No answer, a 5xx, 429 or
 * 408, or an unreadable 200 rejects, so the question is asked again.
 */
export async function askPhoneFollow(
  documentType: string,
  windowRef: string,
  fetcher: typeof fetch = fetch,
): Promise<number> {
  const response = await fetcher(`/api/inapp/handoff?${new URLSearchParams({ documentType })}`, {
    headers: windowHeaders(windowRef),
  });
  if (response.status >= 500 || response.status === 429 || response.status === 408)
    throw new Error(`handoff follow: ${response.status}`);
  if (!response.ok) return 0;
  const body = phoneFollowResponse.safeParse(await response.json());
  return body.success ? body.data.followInSeconds : 0;
}
