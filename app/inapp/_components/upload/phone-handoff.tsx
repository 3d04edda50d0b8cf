"use client";

/**
 * "Continue on your phone", loaded when the trader asks for it: a one-time link to this step
 * as a QR code, and the screen follows the phone's uploads while it is open. The link expires
 * (the server says when): the panel then says so and offers a new code instead of waiting on a
 * dead one, and goes on following only while a phone session made from it can upload (the server
 * says that too, lib/inapp/handoff-follow.ts). If no link can be made, the panel says why and
 * offers to try again.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import {
  handoffFailureWords,
  phoneHandoffResponse,
  type PhoneHandoffResponse,
} from "@/lib/identity/handoff-contract";
import { askPhoneFollow, followPhoneHandoff } from "@/lib/inapp/handoff-follow";
import { windowHeaders } from "@/lib/inapp/window-ref";

type Props = {
  documentType: string;
  labels: Record<string, string>;
  windowRef: string;
  /** Reads the sides again (the phone may have uploaded some). */
  onFollow: () => void;
};

type Failure = ReturnType<typeof handoffFailureWords>;

type State =
  | { kind: "loading" }
  | { kind: "open"; handoff: PhoneHandoffResponse }
  | { kind: "expired" }
  | { kind: "unavailable"; words: Failure };

export default function PhoneHandoff({ documentType, labels, windowRef, onFollow }: Props) {
  const [state, setState] = useState<State>({ kind: "loading" });
  // The last link handed out: followed until it expires, past that only while a phone session
  // made from it can upload. A new link takes over.
  const [followed, setFollowed] = useState<PhoneHandoffResponse | null>(null);
  // One link per request, even when an effect runs twice (development's strict mode).
  const requested = useRef(false);

  const requestLink = useCallback(async () => {
    setState({ kind: "loading" });
    const response = await fetch("/api/inapp/handoff", {
      method: "POST",
      headers: { "content-type": "application/json", ...windowHeaders(windowRef) },
      body: JSON.stringify({ documentType }),
    }).catch(() => null);
    const json: unknown = response ? await response.json().catch(() => null) : null;
    const body = response?.ok ? phoneHandoffResponse.safeParse(json) : null;
    if (body?.success) {
      setState({ kind: "open", handoff: body.data });
      setFollowed(body.data);
    } else
      setState({ kind: "unavailable", words: handoffFailureWords(response?.ok ? null : json) });
  }, [documentType, windowRef]);

  useEffect(() => {
    if (requested.current) return;
    requested.current = true;
    void requestLink();
  }, [requestLink]);

  useEffect(() => {
    if (!followed) return;
    return followPhoneHandoff({
      expiresInSeconds: followed.expiresInSeconds,
      onFollow,
      onExpired: () => setState({ kind: "expired" }),
      followAfterExpiry: () => askPhoneFollow(documentType, windowRef),
    });
  }, [followed, onFollow, documentType, windowRef]);

  if (state.kind === "loading") return <p role="status">{labels.phoneTitle}…</p>;
  if (state.kind === "unavailable") {
    // An ended session or an earlier sign-in's window: its words say what to do; a retry cannot.
    const retry = state.words === "phoneUnavailable";
    return (
      <HandoffAlert
        testId="handoff-unavailable"
        words={labels[state.words]}
        action={retry ? { testId: "handoff-retry", label: labels.retry, run: requestLink } : null}
      />
    );
  }
  if (state.kind === "expired") {
    return (
      <HandoffAlert
        testId="handoff-expired"
        words={labels.phoneCodeExpired}
        action={{ testId: "handoff-renew", label: labels.phoneNewCode, run: requestLink }}
      />
    );
  }
  const { url, qr } = state.handoff;
  return (
    <>
      <p>{labels.phoneIntro}</p>
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img className="qr" src={qr} alt={labels.phoneTitle} width={200} height={200} />
      <p className="muted">
        {labels.phoneLink} <code data-testid="handoff-url">{url}</code>
      </p>
      <p role="status" className="muted">
        {labels.phoneWaiting}
      </p>
    </>
  );
}

/** Why there is no code to show, and the button that asks for a new link, when one can help. */
function HandoffAlert({
  testId,
  words,
  action,
}: {
  testId: string;
  words: ReactNode;
  action: { testId: string; label: ReactNode; run: () => Promise<void> } | null;
}) {
  return (
    <>
      <p className="alert" role="alert" data-testid={testId}>
        {words}
      </p>
      {action ? (
        <button
          type="button"
          className="button secondary"
          onClick={() => void action.run()}
          data-testid={action.testId}
        >
          {action.label}
        </button>
      ) : null}
    </>
  );
}
