"use client";

/**
 * The selfie: the front camera in a face frame, a burst of frames per liveness prompt (about a
 * second, enough to see a blink or a turn), in the order the server drew for this attempt, then
 * each burst through the ordinary upload API (start, storage POST, confirm) as a frame of the
 * attempt.
 *
 * Only the live camera, never a file picker: a photo from the gallery would defeat the prompts.
 * Where the camera is denied or missing (a webview without getUserMedia), the screen says so and
 * offers "continue on your phone", whose browser has one.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { PreparedFile } from "@/lib/documents/client-image";
import { windowHeaders } from "@/lib/inapp/window-ref";
import { HandoffCard } from "../upload/handoff-card";
import {
  selfieBurstImage,
  selfieChallengeResponse,
  SELFIE_BURST_FRAME_MAX_EDGE,
  SELFIE_BURST_FRAMES,
  SELFIE_BURST_INTERVAL_MS,
  SELFIE_BURST_MAX_BYTES,
  SELFIE_FRAMES,
  refusalResponse,
  selfieRefusalWords,
  type SelfieChallengeResponse,
} from "@/lib/documents/upload-contract";

/** How long each prompt shows before its burst starts: time to read it and start moving. */
const LEAD_IN_MS = 900;
const START_TIMEOUT_MS = 8000;

export type SelfieStepProps = {
  done: boolean;
  labels: Record<string, string>;
  /** The prompts' words, by prompt. */
  prompts: Record<string, string>;
  /** Not on a phone: the QR handoff is offered when the camera is not available. */
  phoneHandoff: boolean;
  /** The sign-in this page was rendered for (lib/inapp/window.ts): every request carries it. */
  windowRef: string;
};

type Phase =
  | { kind: "idle" }
  | { kind: "starting" }
  | { kind: "prompt"; index: number; prompt: string }
  | { kind: "uploading"; index: number }
  | { kind: "done" }
  | { kind: "no_camera" }
  | { kind: "refused"; message: string };

export function SelfieStep({ done, labels, prompts, phoneHandoff, windowRef }: SelfieStepProps) {
  const [phase, setPhase] = useState<Phase>(done ? { kind: "done" } : { kind: "idle" });
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);

  const stopCamera = useCallback(() => {
    stream.current?.getTracks().forEach((t) => t.stop());
    stream.current = null;
  }, []);
  useEffect(() => stopCamera, [stopCamera]);

  /** The camera, showing a picture; false when denied, missing or silent for too long. */
  async function openCamera(): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
    });
    const opened = (async () => {
      if (!navigator.mediaDevices?.getUserMedia) return false;
      try {
        stream.current = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } },
          audio: false,
        });
      } catch {
        return false;
      }
      const element = video.current;
      if (!element) return false;
      element.srcObject = stream.current;
      const ready = new Promise<boolean>((resolve) => {
        element.onloadeddata = () => resolve(element.videoWidth > 0);
      });
      await element.play().catch(() => undefined);
      return ready;
    })();
    const result = await Promise.race([opened, timeout]);
    clearTimeout(timer);
    // A camera that answered after the time ran out is not left on.
    if (!result) void opened.then(stopCamera);
    return result;
  }

  async function start() {
    setPhase({ kind: "starting" });
    const response = await fetch("/api/inapp/selfie/challenge", {
      method: "POST",
      headers: windowHeaders(windowRef),
    }).catch(() => null);
    const body: unknown = await response?.json().catch(() => null);
    const parsed = response?.ok ? selfieChallengeResponse.safeParse(body) : null;
    if (!parsed?.success) {
      // A refusal says why in the trader's words (a session that ended, an earlier sign-in's
      // window); no answer or one that does not parse reads as a failed send.
      const refusal = response && !response.ok ? refusalResponse.safeParse(body) : null;
      const reason = refusal?.success ? refusal.data.reason : undefined;
      return setPhase({ kind: "refused", message: labels[selfieRefusalWords(reason)] ?? "" });
    }
    if (!(await openCamera())) {
      stopCamera();
      return setPhase({ kind: "no_camera" });
    }
    const frames = await record(parsed.data);
    stopCamera();
    if (frames) await send(parsed.data, frames);
  }

  async function record(challenge: SelfieChallengeResponse): Promise<File[] | null> {
    const { captureBurst } = await import("@/lib/documents/client-image");
    const bursts: File[] = [];
    for (const [index, prompt] of challenge.prompts.entries()) {
      setPhase({ kind: "prompt", index, prompt });
      await new Promise((resolve) => setTimeout(resolve, LEAD_IN_MS));
      if (!video.current) return null;
      const burst = await captureBurst(video.current, {
        frames: SELFIE_BURST_FRAMES,
        intervalMs: SELFIE_BURST_INTERVAL_MS,
        maxEdge: SELFIE_BURST_FRAME_MAX_EDGE,
      });
      // The server would refuse it: say so now rather than after three uploads.
      if (
        !burst ||
        !selfieBurstImage.safeParse(burst).success ||
        burst.file.size > SELFIE_BURST_MAX_BYTES
      ) {
        setPhase({ kind: "refused", message: labels.failed ?? "" });
        return null;
      }
      bursts.push(burst.file);
    }
    return bursts;
  }

  async function send(challenge: SelfieChallengeResponse, frames: File[]) {
    const { sendDocument } = await import("../upload/transfer");
    const controller = new AbortController();
    for (const [index, frame] of frames.entries()) {
      setPhase({ kind: "uploading", index });
      const file: PreparedFile = {
        blob: frame,
        contentType: "image/jpeg",
        name: `selfie-${index + 1}.jpg`,
        previewUrl: null,
        scores: null,
        issues: [],
      };
      const result = await sendDocument(
        {
          documentType: "selfie",
          side: SELFIE_FRAMES[index] ?? "frame_1",
          contentType: "image/jpeg",
          size: frame.size,
          fileName: file.name,
          challengeId: challenge.challengeId,
        },
        file,
        { progress: () => undefined, uploaded: () => undefined },
        controller.signal,
        windowRef,
      ).catch(() => ({ ok: false as const, refusal: null }));
      if (!result.ok) {
        const message = labels[selfieRefusalWords(result.refusal?.reason)];
        return setPhase({ kind: "refused", message: message ?? "" });
      }
    }
    setPhase({ kind: "done" });
  }

  // The phone may finish the selfie while the QR code is open.
  const follow = useCallback(async () => {
    const { fetchSides } = await import("../upload/transfer");
    const sides = (await fetchSides("selfie", windowRef))?.sides;
    if (sides?.every((s) => s.state === "accepted")) setPhase({ kind: "done" });
  }, [windowRef]);

  const live = phase.kind === "starting" || phase.kind === "prompt";
  return (
    <div data-testid="selfie-step" data-phase={phase.kind}>
      <section className="card" aria-live="polite">
        {phase.kind === "done" ? (
          <p role="status" data-testid="selfie-done">
            ✓ {labels.done}
          </p>
        ) : null}
        {phase.kind === "no_camera" ? (
          <p className="alert" role="alert" data-testid="selfie-no-camera">
            {labels.noCamera}
          </p>
        ) : null}
        {phase.kind === "refused" ? (
          <p className="alert" role="alert" data-testid="selfie-refused">
            {phase.message}
          </p>
        ) : null}
        <div className="camera" hidden={!live}>
          <div className="camera-view selfie-view">
            <video ref={video} playsInline muted />
            <div className="selfie-oval" aria-hidden="true" data-testid="selfie-oval" />
          </div>
          {phase.kind === "prompt" ? (
            <p className="selfie-prompt" data-testid="selfie-prompt" data-prompt={phase.prompt}>
              {prompts[phase.prompt]}
              <span className="muted">
                {" "}
                {labels.progress
                  ?.replace("{step}", String(phase.index + 1))
                  .replace("{total}", String(SELFIE_FRAMES.length))}
              </span>
            </p>
          ) : (
            <p className="hint">{phase.kind === "starting" ? labels.cameraStarting : null}</p>
          )}
          <p className="hint">{labels.frameHint}</p>
        </div>
        {phase.kind === "uploading" ? (
          <p role="status" data-testid="selfie-uploading">
            {labels.uploading}
          </p>
        ) : null}
        {phase.kind === "idle" || phase.kind === "refused" ? (
          <>
            <p className="muted">{labels.liveOnly}</p>
            <div className="actions">
              <button
                type="button"
                className="button"
                onClick={() => void start()}
                data-testid="selfie-start"
              >
                {phase.kind === "refused" ? labels.again : labels.start}
              </button>
            </div>
          </>
        ) : null}
      </section>
      {phoneHandoff && phase.kind === "no_camera" ? (
        <HandoffCard
          documentType={"selfie"}
          labels={labels}
          windowRef={windowRef}
          onFollow={follow}
          primary
        />
      ) : null}
    </div>
  );
}
