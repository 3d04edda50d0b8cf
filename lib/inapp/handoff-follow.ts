/**
 * How the desktop's QR panel follows the phone (browser code, no server imports): it reads the
 * sides every few seconds while the link can still be redeemed. When the link expires it asks the
 * server how long a phone session made from it can still upload (GET /api/inapp/handoff): an
 * unredeemed link has none, so the panel stops there instead of polling through a phone session
 * that never started; a redeemed one is followed until its session ends.
 */
import { phoneFollowResponse } from "@/lib/identity/handoff-contract";
import { windowHeaders } from "./window-ref";

export const FOLLOW_EVERY_MS = 3000;

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
  let end: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    clearInterval(timer);
    // A last look: the phone may have finished just before its session ran out.
    onFollow();
  };
  const expiry = setTimeout(() => {
    onExpired();
    void followAfterExpiry()
      .catch(() => 0)
      .then((seconds) => {
        if (stopped) return;
        if (seconds > 0) end = setTimeout(stop, seconds * 1000);
        else stop();
      });
  }, expiresInSeconds * 1000);
  return () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(expiry);
    clearTimeout(end);
  };
}

/** The server's answer to "how long can a phone session made from my link still upload". */
export async function askPhoneFollow(
  documentType: string,
  windowRef: string,
  fetcher: typeof fetch = fetch,
): Promise<number> {
  const response = await fetcher(`/api/inapp/handoff?${new URLSearchParams({ documentType })}`, {
    headers: windowHeaders(windowRef),
  });
  const body = phoneFollowResponse.safeParse(await response.json());
  if (!response.ok || !body.success) return 0;
  return body.data.followInSeconds;
}
