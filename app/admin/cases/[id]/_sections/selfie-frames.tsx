import { getTranslations } from "next-intl/server";
import type { DocumentComparison } from "@/lib/review/document-fields";
import { DocumentViewer, type ViewerLabels } from "./document-viewer";

/**
 * The selfie: each prompt's burst (its camera frames side by side, in the order taken) under the
 * prompt it answered, beside the identity document's photo: no code compared the faces or saw
 * the blink (docs/documents.md#selfie), the reviewer does.
 */
export async function SelfieFrames({
  comparisons,
  viewerLabels,
  gone,
  fileGone,
}: {
  comparisons: DocumentComparison[];
  viewerLabels: ViewerLabels;
  /** Documents whose stored file is gone, and what is said in their place. */
  gone: ReadonlySet<string>;
  fileGone: string;
}) {
  const frames = comparisons.find((g) => g.documentType === "selfie")?.documents ?? [];
  if (frames.length === 0) return null;
  const identity = comparisons.find((g) => g.documentType === "identity")?.documents ?? [];
  const t = await getTranslations("ConsoleLabels");
  const ordered = [...frames].sort((a, b) => a.side.localeCompare(b.side));
  const pictures = identity.filter((d) => d.contentType?.startsWith("image/"));
  const stored = { gone, fileGone, viewerLabels };
  return (
    <div className="compare" data-testid="document-compare" data-document-type="selfie">
      <h3>{t("documentType", { type: "selfie" })}</h3>
      <p className="muted">{t("selfieCompare")}</p>
      <div className="compare-grid">
        <ul className="compare-documents" data-testid="selfie-frames">
          {ordered.map((d) => {
            const prompt = t("selfiePrompt", { prompt: d.prompt ?? "other" });
            return (
              <li
                key={d.id}
                data-selfie-frame={d.side}
                data-prompt={d.prompt ?? ""}
                data-burst-frames={d.burstFrames ?? 1}
              >
                <p className="muted">{prompt}</p>
                {d.burstFrames ? (
                  <p className="muted">{t("selfieBurst", { frames: d.burstFrames })}</p>
                ) : null}
                <Picture id={d.id} alt={prompt} {...stored} />
              </li>
            );
          })}
        </ul>
        <ul className="compare-documents" data-testid="selfie-identity">
          {pictures.map((d) => (
            <li key={d.id} data-side={d.side}>
              <p className="muted">{t("documentType", { type: "identity" })}</p>
              <Picture id={d.id} alt={t("documentType", { type: "identity" })} {...stored} />
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** One stored picture in the viewer, or the notice said in its place when its file is gone. */
function Picture({
  id,
  alt,
  gone,
  fileGone,
  viewerLabels,
}: {
  id: string;
  alt: string;
  gone: ReadonlySet<string>;
  fileGone: string;
  viewerLabels: ViewerLabels;
}) {
  return gone.has(id) ? (
    <p className="notice" data-file-gone={id}>
      {fileGone}
    </p>
  ) : (
    <DocumentViewer src={`/admin/documents/${id}`} alt={alt} labels={viewerLabels} />
  );
}
