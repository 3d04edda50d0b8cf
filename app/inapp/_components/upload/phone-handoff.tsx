"use client";

/**
 * "Continue on your phone", loaded when the trader asks for it: a one-time link to this step
 * as a QR code, and the screen follows the phone's uploads while it is open. The link expires
 * (the server says when): the panel then says so and offers a new code instead of waiting on a
 * dead one. If no link can be made, the screen offers the button again.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { phoneHandoffResponse, type PhoneHandoffResponse } from "@/lib/identity/handoff-contract";
import { windowHeaders } from "@/lib/inapp/window-ref";

type Props = {
  documentType: string;
  labels: Record<string, string>;
  windowRef: string;
  /** Reads the sides again (the phone may have uploaded some). */
  onFollow: () => void;
  onUnavailable: () => void;
};

type State =
  { kind: "loading" } | { kind: "open"; handoff: PhoneHandoffResponse } | { kind: "expired" };

export default function PhoneHandoff({
  documentType,
  labels,
  windowRef,
  onFollow,
  onUnavailable,
}: Props) {
  const [state, setState] = useState<State>({ kind: "loading" });
  // One link per request, even when an effect runs twice (development's strict mode).
  const requested = useRef(false);
  const unavailable = useRef(onUnavailable);
  useEffect(() => {
    unavailable.current = onUnavailable;
  }, [onUnavailable]);

  const requestLink = useCallback(async () => {
    setState({ kind: "loading" });
    const response = await fetch("/api/inapp/handoff", {
      method: "POST",
      headers: { "content-type": "application/json", ...windowHeaders(windowRef) },
      body: JSON.stringify({ documentType }),
    }).catch(() => null);
    const body = response?.ok
      ? phoneHandoffResponse.safeParse(await response.json().catch(() => null))
      : null;
    if (body?.success) setState({ kind: "open", handoff: body.data });
    else unavailable.current();
  }, [documentType, windowRef]);

  useEffect(() => {
    if (requested.current) return;
    requested.current = true;
    void requestLink();
  }, [requestLink]);

  const handoff = state.kind === "open" ? state.handoff : null;
  useEffect(() => {
    if (!handoff) return;
    const timer = setInterval(onFollow, 3000);
    const expiry = setTimeout(() => {
      setState({ kind: "expired" });
      // A last look: the phone may have finished just before the link ran out.
      onFollow();
    }, handoff.expiresInSeconds * 1000);
    return () => {
      clearInterval(timer);
      clearTimeout(expiry);
    };
  }, [handoff, onFollow]);

  if (state.kind === "loading") return <p role="status">{labels.phoneTitle}…</p>;
  if (state.kind === "expired") {
    return (
      <>
        <p className="alert" role="alert" data-testid="handoff-expired">
          {labels.phoneCodeExpired}
        </p>
        <button
          type="button"
          className="button secondary"
          onClick={() => void requestLink()}
          data-testid="handoff-renew"
        >
          {labels.phoneNewCode}
        </button>
      </>
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
