"use client";

/**
 * The upload screen's interactive part: pick or capture each side of a document, see a preview
 * and the quality checks, upload with progress (retry, cancel), and get the server's verdict.
 * Until the case is sent, any uploaded side can be replaced (a "use anyway" on a bad photo is
 * not final); the server supersedes the earlier file.
 * What a screen that is only looked at never needs loads when first used: the camera, the image
 * code, the upload requests (transfer.ts) and, on a desktop, "continue on your phone".
 */
import { lazy, Suspense, useCallback, useRef, useState } from "react";
import type { PreparedFile } from "@/lib/documents/client-image";
import { HandoffCard } from "./handoff-card";
import { refusalWords } from "@/lib/documents/refusal-words";
import { documentReason } from "@/lib/kyc/document-reasons";
import type { DocumentSide, DocumentType, SideStatus } from "@/lib/documents/upload-contract";

const Camera = lazy(() => import("./camera"));

export type UploadLabels = Record<string, string>;

type Props = {
  documentType: DocumentType;
  sides: SideStatus[];
  /** Identity: the kind of identity document the sides are of (null: none chosen). */
  identityKind: string | null;
  labels: UploadLabels;
  sideLabels: Record<string, string>;
  qualityMessages: Record<string, string>;
  refusedMessages: Record<string, string>;
  /** The words of the reason codes a side's `reason` may hold (the sides keep the code). */
  reasonMessages: Record<string, string>;
  editable: boolean;
  phoneHandoff: boolean;
  /** The sign-in this page was rendered for (lib/inapp/window.ts): every request carries it. */
  windowRef: string;
};

type Phase =
  | { kind: "idle" }
  | { kind: "camera" }
  | { kind: "preparing" }
  | { kind: "review"; file: PreparedFile }
  | { kind: "uploading"; file: PreparedFile; percent: number }
  | { kind: "checking"; file: PreparedFile }
  | { kind: "refused"; message: string }
  | { kind: "failed"; file: PreparedFile; message: string };

export function UploadScreen(props: Props) {
  const { documentType, labels, sideLabels, qualityMessages, refusedMessages, windowRef } = props;
  const [sides, setSides] = useState(props.sides);
  // The kind the sides shown are of: an upload names it, so a kind picked since (on the desktop,
  // while this is the phone) refuses it rather than recording the photo for the new kind.
  const [identityKind, setIdentityKind] = useState(props.identityKind);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [cameraProblem, setCameraProblem] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const pickInput = useRef<HTMLInputElement>(null);
  const photoInput = useRef<HTMLInputElement>(null);
  // An accepted side the trader chose to upload again; otherwise the first side still to do.
  const [replacing, setReplacing] = useState<DocumentSide | null>(null);
  const current = replacing
    ? sides.find((s) => s.side === replacing)
    : sides.find((s) => s.state !== "accepted");
  const settled = phase.kind === "idle" || phase.kind === "refused";

  const refresh = useCallback(async () => {
    const { fetchSides } = await import("./transfer");
    const next = await fetchSides(documentType, windowRef);
    if (!next) return;
    setSides(next.sides);
    setIdentityKind(next.identityKind);
  }, [documentType, windowRef]);

  async function onFile(file: File | undefined) {
    if (!file) return;
    setPhase({ kind: "preparing" });
    try {
      const { prepareFile } = await import("@/lib/documents/client-image");
      setPhase({ kind: "review", file: await prepareFile(file) });
    } catch {
      setPhase({ kind: "refused", message: refusedMessages.corrupt ?? "" });
    }
  }

  async function upload(file: PreparedFile) {
    if (!current) return;
    const controller = new AbortController();
    abort.current = controller;
    setPhase({ kind: "uploading", file, percent: 0 });
    try {
      const { sendDocument } = await import("./transfer");
      const result = await sendDocument(
        {
          documentType,
          side: current.side,
          contentType: file.contentType,
          size: file.blob.size,
          fileName: file.name,
          ...(documentType === "identity" && { identityKind }),
        },
        file,
        {
          progress: (f) => setPhase({ kind: "uploading", file, percent: Math.round(f * 100) }),
          uploaded: () => setPhase({ kind: "checking", file }),
        },
        controller.signal,
        windowRef,
      );
      if (!result.ok) {
        const body = result.refusal;
        setPhase({
          kind: "refused",
          message: refusalWords(refusedMessages, body, labels.uploadFailed ?? ""),
        });
        // What the file was for changed on another screen (another kind of identity document,
        // the case sent from another tab): the sides asked for now.
        if (body?.reason === "superseded" || body?.reason === "earlier_round") {
          setReplacing(null);
          await refresh();
        }
        return;
      }
      setPhase({ kind: "idle" });
      setReplacing(null);
      await refresh();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === -1 || controller.signal.aborted)
        return setPhase({ kind: "refused", message: labels.cancelled ?? "" });
      setPhase({ kind: "failed", file, message: labels.uploadFailed ?? "" });
    } finally {
      abort.current = null;
    }
  }

  // Another device (the phone) may finish uploads: followed while "continue on your phone" is open.

  const preview = (file: PreparedFile) =>
    file.previewUrl ? (
      // A local object URL of the trader's own photo.
      // eslint-disable-next-line @next/next/no-img-element
      <img className="preview" src={file.previewUrl} alt={labels.preview} data-testid="preview" />
    ) : (
      <p className="preview-file" data-testid="preview">
        📄 {file.contentType === "application/pdf" ? labels.pdfPreview : file.name}
      </p>
    );

  const sideList = (
    <ul className="steps" data-testid="sides">
      {sides.map((s) => (
        <li key={s.side} data-side={s.side} data-state={s.state}>
          <span>{sideLabels[s.side]}</span>
          <span className="muted">{labels[`state_${s.state}`]}</span>
          {props.editable && settled && s.state === "accepted" && s.side !== replacing ? (
            <button
              type="button"
              className="button secondary"
              onClick={() => {
                setReplacing(s.side);
                setPhase({ kind: "idle" });
              }}
              data-testid={`replace-${s.side}`}
            >
              {labels.replace}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );

  if (!current) {
    return (
      <div data-testid="upload-screen" data-window={windowRef}>
        <p className="card" role="status" data-testid="upload-done">
          ✓ {labels.allDone}
        </p>
        {props.editable ? sideList : null}
      </div>
    );
  }

  return (
    <div data-testid="upload-screen" data-side={current.side} data-window={windowRef}>
      {sideList}
      <section className="card" aria-live="polite">
        <h2>{sideLabels[current.side]}</h2>
        {replacing ? (
          <p className="hint" data-testid="replace-hint">
            {labels.replaceHint}
          </p>
        ) : null}
        {current.state === "retake" && current.reason ? (
          <p className="alert" data-testid="retake-reason">
            {documentReason(props.reasonMessages, current.reason)}
          </p>
        ) : null}
        {!props.editable ? null : phase.kind === "idle" ||
          phase.kind === "refused" ||
          phase.kind === "camera" ? (
          <>
            {phase.kind === "refused" ? (
              <p className="alert" role="alert" data-testid="upload-refused">
                {phase.message}
              </p>
            ) : null}
            <p className="hint">{labels.fileHint}</p>
            {cameraProblem ? (
              <p className="alert" role="status" data-testid="camera-unavailable">
                {labels.cameraUnavailable}
              </p>
            ) : null}
            {phase.kind === "camera" ? (
              <Suspense fallback={<p role="status">{labels.cameraStarting}</p>}>
                <Camera
                  labels={labels}
                  onCapture={(file) => onFile(file)}
                  onUnavailable={() => {
                    setCameraProblem(true);
                    setPhase({ kind: "idle" });
                  }}
                  onCancel={() => setPhase({ kind: "idle" })}
                />
              </Suspense>
            ) : (
              <div className="actions">
                <button
                  type="button"
                  className="button"
                  onClick={() => photoInput.current?.click()}
                  data-testid="take-photo"
                >
                  {labels.takePhoto}
                </button>
                <button
                  type="button"
                  className="button secondary"
                  onClick={() => pickInput.current?.click()}
                  data-testid="choose-file"
                >
                  {labels.chooseFile}
                </button>
                {!cameraProblem ? (
                  <button
                    type="button"
                    className="button secondary"
                    onClick={() => setPhase({ kind: "camera" })}
                    data-testid="use-camera"
                  >
                    {labels.useCamera}
                  </button>
                ) : null}
                {replacing ? (
                  <button
                    type="button"
                    className="button secondary"
                    onClick={() => {
                      setReplacing(null);
                      setPhase({ kind: "idle" });
                    }}
                    data-testid="keep-current"
                  >
                    {labels.cancel}
                  </button>
                ) : null}
              </div>
            )}
            <input
              ref={photoInput}
              type="file"
              accept="image/*"
              capture="environment"
              hidden
              onChange={(e) => onFile(e.target.files?.[0])}
              data-testid="photo-input"
            />
            <input
              ref={pickInput}
              type="file"
              // "image/*", not a list naming HEIC: iPhones then hand over a JPEG (the platform
              // transcodes), which every browser and the server can decode.
              accept="image/*,application/pdf"
              hidden
              onChange={(e) => onFile(e.target.files?.[0])}
              data-testid="file-input"
            />
          </>
        ) : phase.kind === "preparing" ? (
          <p role="status">{labels.preparing}</p>
        ) : phase.kind === "review" ? (
          <>
            {preview(phase.file)}
            {phase.file.issues.length > 0 ? (
              <div className="alert" role="alert" data-testid="quality-issues">
                <p>{labels.qualityIntro}</p>
                <ul>
                  {phase.file.issues.map((issue) => (
                    <li key={issue} data-issue={issue}>
                      {qualityMessages[issue]}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            <div className="actions">
              <button
                type="button"
                className="button"
                onClick={() => upload(phase.file)}
                data-testid="upload"
              >
                {phase.file.issues.length > 0 ? labels.useAnyway : labels.upload}
              </button>
              <button
                type="button"
                className="button secondary"
                onClick={() => setPhase({ kind: "idle" })}
                data-testid="retake"
              >
                {labels.retake}
              </button>
            </div>
          </>
        ) : phase.kind === "uploading" ? (
          <>
            {preview(phase.file)}
            <label htmlFor="upload-progress">
              {labels.uploading?.replace("{percent}", String(phase.percent))}
            </label>
            <progress
              id="upload-progress"
              max={100}
              value={phase.percent}
              data-testid="progress-bar"
            />
            <div className="actions">
              <button
                type="button"
                className="button secondary"
                onClick={() => abort.current?.abort()}
                data-testid="cancel"
              >
                {labels.cancel}
              </button>
            </div>
          </>
        ) : phase.kind === "checking" ? (
          <>
            {preview(phase.file)}
            <p role="status" data-testid="checking">
              {labels.checking}
            </p>
          </>
        ) : (
          <>
            <p className="alert" role="alert" data-testid="upload-failed">
              {phase.message}
            </p>
            <div className="actions">
              <button
                type="button"
                className="button"
                onClick={() => upload(phase.file)}
                data-testid="retry"
              >
                {labels.retry}
              </button>
              <button
                type="button"
                className="button secondary"
                onClick={() => setPhase({ kind: "idle" })}
              >
                {labels.cancel}
              </button>
            </div>
          </>
        )}
      </section>
      {props.phoneHandoff && props.editable ? (
        <HandoffCard
          documentType={documentType}
          labels={labels}
          windowRef={windowRef}
          onFollow={refresh}
        />
      ) : null}
    </div>
  );
}
