"use client";

/**
 * Live camera with a document frame, loaded only when the trader asks for it. Probes first and
 * gives up cleanly (denied, no camera, blocked by the embedding page, or no picture within a
 * few seconds): the screen then offers the file picker — never a black screen or an endless
 * spinner.
 */
import { useEffect, useRef, useState } from "react";

const START_TIMEOUT_MS = 8000;

type Props = {
  labels: Record<string, string>;
  onCapture: (file: File) => void;
  onUnavailable: () => void;
  onCancel: () => void;
};

export default function Camera({ labels, onCapture, onUnavailable, onCancel }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  const [ready, setReady] = useState(false);
  // The parent re-renders often; the camera must start once, not on every render.
  const unavailable = useRef(onUnavailable);
  useEffect(() => {
    unavailable.current = onUnavailable;
  }, [onUnavailable]);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let done = false;
    const fail = () => {
      if (done) return;
      done = true;
      stream?.getTracks().forEach((t) => t.stop());
      unavailable.current();
    };
    const timer = setTimeout(fail, START_TIMEOUT_MS);
    (async () => {
      if (!navigator.mediaDevices?.getUserMedia) return fail();
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: "environment", width: { ideal: 1920 }, height: { ideal: 1080 } },
          audio: false,
        });
      } catch {
        return fail();
      }
      if (done || !video.current) return stream.getTracks().forEach((t) => t.stop());
      video.current.srcObject = stream;
      video.current.onloadeddata = () => {
        if (done || !video.current?.videoWidth) return fail();
        clearTimeout(timer);
        setReady(true);
      };
      await video.current.play().catch(fail);
    })();
    return () => {
      done = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  async function capture() {
    if (!video.current) return;
    const { captureFrame } = await import("@/lib/documents/client-image");
    onCapture(await captureFrame(video.current));
  }

  return (
    <div className="camera" data-testid="camera">
      <div className="camera-view">
        <video ref={video} playsInline muted />
        <div className="camera-frame" aria-hidden="true" />
      </div>
      <p className="hint">{ready ? labels.frameHint : labels.cameraStarting}</p>
      <div className="actions">
        <button
          type="button"
          className="button"
          onClick={capture}
          disabled={!ready}
          data-testid="capture"
        >
          {labels.capture}
        </button>
        <button type="button" className="button secondary" onClick={onCancel}>
          {labels.cancel}
        </button>
      </div>
    </div>
  );
}
