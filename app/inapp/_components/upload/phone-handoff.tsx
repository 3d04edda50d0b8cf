"use client";

/**
 * "Continue on your phone", loaded when the trader asks for it: a one-time link to this step
 * as a QR code, and the screen follows the phone's uploads while it is open. If no link can be
 * made, the screen offers the button again.
 */
import { useEffect, useRef, useState } from "react";

type Handoff = { url: string; qr: string; minutes: number };

type Props = {
  documentType: string;
  labels: Record<string, string>;
  /** Reads the sides again (the phone may have uploaded some). */
  onFollow: () => void;
  onUnavailable: () => void;
};

export default function PhoneHandoff({ documentType, labels, onFollow, onUnavailable }: Props) {
  const [handoff, setHandoff] = useState<Handoff | null>(null);
  // One link per request, even when an effect runs twice (development's strict mode).
  const requested = useRef(false);
  const unavailable = useRef(onUnavailable);
  useEffect(() => {
    unavailable.current = onUnavailable;
  }, [onUnavailable]);

  useEffect(() => {
    if (requested.current) return;
    requested.current = true;
    (async () => {
      const response = await fetch("/api/inapp/handoff", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ documentType }),
      }).catch(() => null);
      const body = response?.ok ? ((await response.json().catch(() => null)) as Handoff) : null;
      if (body) setHandoff(body);
      else unavailable.current();
    })();
  }, [documentType]);

  useEffect(() => {
    if (!handoff) return;
    const timer = setInterval(onFollow, 3000);
    return () => clearInterval(timer);
  }, [handoff, onFollow]);

  if (!handoff) return <p role="status">{labels.phoneTitle}…</p>;
  return (
    <>
      <p>{labels.phoneIntro?.replace("{minutes}", String(handoff.minutes))}</p>
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img className="qr" src={handoff.qr} alt={labels.phoneTitle} width={200} height={200} />
      <p className="muted">
        {labels.phoneLink} <code data-testid="handoff-url">{handoff.url}</code>
      </p>
      <p role="status" className="muted">
        {labels.phoneWaiting}
      </p>
    </>
  );
}
