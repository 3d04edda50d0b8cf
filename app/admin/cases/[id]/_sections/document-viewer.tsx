"use client";

import { useState, type KeyboardEvent } from "react";

export type ViewerLabels = {
  zoomIn: string;
  zoomOut: string;
  rotate: string;
  reset: string;
  keys: string;
  /** "Zoom {percent} %": the client fills in the number. */
  zoom: string;
};

const ZOOM_MIN = 0.5;
const ZOOM_MAX = 4;
const ZOOM_STEP = 0.25;

/**
 * One document image with zoom and rotation. The buttons work with mouse and keyboard; with the
 * picture focused, + and − zoom, R rotates and 0 resets (keys the page's shortcuts leave alone
 * while focus is here).
 */
export function DocumentViewer({
  src,
  alt,
  labels,
}: {
  src: string;
  alt: string;
  labels: ViewerLabels;
}) {
  const [zoom, setZoom] = useState(1);
  const [rotation, setRotation] = useState(0);
  const zoomBy = (delta: number) =>
    setZoom((z) => Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, Math.round((z + delta) * 100) / 100)));
  const rotate = () => setRotation((r) => (r + 90) % 360);
  const reset = () => {
    setZoom(1);
    setRotation(0);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const action = {
      "+": () => zoomBy(ZOOM_STEP),
      "=": () => zoomBy(ZOOM_STEP),
      "-": () => zoomBy(-ZOOM_STEP),
      r: rotate,
      R: rotate,
      "0": reset,
    }[event.key];
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    action();
  };
  const percent = Math.round(zoom * 100);
  return (
    <div className="viewer" data-testid="document-viewer">
      <div className="viewer-tools" role="toolbar" aria-label={alt}>
        <button
          type="button"
          className="button secondary"
          onClick={() => zoomBy(-ZOOM_STEP)}
          disabled={zoom <= ZOOM_MIN}
          aria-label={labels.zoomOut}
          data-testid="viewer-zoom-out"
        >
          −
        </button>
        <output aria-live="polite" data-testid="viewer-zoom">
          {labels.zoom.replace("{percent}", String(percent))}
        </output>
        <button
          type="button"
          className="button secondary"
          onClick={() => zoomBy(ZOOM_STEP)}
          disabled={zoom >= ZOOM_MAX}
          aria-label={labels.zoomIn}
          data-testid="viewer-zoom-in"
        >
          +
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={rotate}
          aria-label={labels.rotate}
          data-testid="viewer-rotate"
        >
          ↻
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={reset}
          data-testid="viewer-reset"
        >
          {labels.reset}
        </button>
      </div>
      <div
        className="viewer-stage"
        tabIndex={0}
        role="group"
        aria-label={`${alt}. ${labels.keys}`}
        onKeyDown={onKeyDown}
        data-testid="viewer-stage"
        data-zoom={zoom}
        data-rotation={rotation}
      >
        {/* Decrypted and sent by the app (never cached); each load is an audited view. */}
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img
          src={src}
          alt={alt}
          style={{ transform: `rotate(${rotation}deg) scale(${zoom})` }}
          data-testid="viewer-image"
        />
      </div>
    </div>
  );
}
