import { getTranslations } from "@/lib/i18n/translations";
import type { CaseFile } from "@/lib/review/case-file";
import { getConsoleLabels, getFieldLabels } from "@/lib/review/labels";
import { DocumentViewer } from "./document-viewer";
import { SelfieFrames } from "./selfie-frames";
import { FieldValue, Value } from "./value";
import { getCaseWords } from "./words";

/**
 * Each document beside the data the trader typed that it should show (lib/review/
 * document-fields.ts), the picture with zoom and rotation. Field names come from the trader's
 * own forms' catalog, so the reviewer reads the label the trader answered.
 */
export async function Documents({ file }: { file: CaseFile }) {
  const [t, fields, label, { t: tCase }] = await Promise.all([
    getTranslations("DocumentViewer"),
    getFieldLabels(),
    getConsoleLabels(),
    getCaseWords(),
  ]);
  const viewerLabels = {
    zoomIn: t("zoomIn"),
    zoomOut: t("zoomOut"),
    rotate: t("rotate"),
    reset: t("reset"),
    keys: t("keys"),
    zoom: t("zoom", { percent: "{percent}" }),
  };
  // A file an interrupted erasure deleted: said in place of the picture and its link.
  const gone = new Set(file.filesGone);
  const fileGone = t("fileGone");
  // The selfie is shown on its own, beside the identity document.
  const groups = file.comparisons.filter((g) => g.documentType !== "selfie");
  return (
    <section className="card" data-testid="documents" aria-labelledby="documents-title">
      <h2 id="documents-title">{t("title")}</h2>
      {file.comparisons.length === 0 ? <p className="muted">{t("none")}</p> : null}
      {groups.map((group) => {
        // Photos of two kinds of identity document (the trader is between them in a reopened
        // step): each is named with its kind, so neither reads as the other's side.
        const kinds = new Set(group.documents.map((d) => d.identityKind));
        const kindOf = (kind: string | null) =>
          kinds.size > 1 && kind
            ? ` · ${String(fields.option("identity_document", "documentKind", kind))}`
            : "";
        return (
          <div
            key={group.documentType}
            className="compare"
            data-testid="document-compare"
            data-document-type={group.documentType}
          >
            <h3>{label.documentType(group.documentType)}</h3>
            <div className="compare-grid">
              <ul className="compare-documents">
                {group.documents.map((d) => {
                  const alt = `${label.documentType(group.documentType)} · ${label.side(d.side)}`;
                  const href = `/admin/documents/${d.id}`;
                  return (
                    <li
                      key={d.id}
                      data-document={group.documentType}
                      data-side={d.side}
                      data-identity-kind={d.identityKind ?? undefined}
                    >
                      <p className="muted">
                        {label.side(d.side)}
                        {kindOf(d.identityKind)}
                        {d.status === "retake" ? ` · ${t("retake")}` : ""}
                      </p>
                      {gone.has(d.id) ? (
                        <p className="notice" data-file-gone={d.id}>
                          {fileGone}
                        </p>
                      ) : (
                        <>
                          {d.contentType?.startsWith("image/") ? (
                            <DocumentViewer src={href} alt={alt} labels={viewerLabels} />
                          ) : null}
                          <a href={href} target="_blank" rel="noreferrer">
                            {t("open")}
                          </a>
                        </>
                      )}
                    </li>
                  );
                })}
              </ul>
              <div>
                <h4 id={`shows-${group.documentType}`}>{t("shouldShow")}</h4>
                <dl
                  className="facts"
                  data-testid="typed-fields"
                  aria-labelledby={`shows-${group.documentType}`}
                >
                  {group.fields.map((f) => (
                    <div key={`${f.step}.${f.field}`} style={{ display: "contents" }}>
                      <dt>{fields.field(f.step, f.field)}</dt>
                      <dd data-field={f.field}>
                        <FieldValue
                          step={f.step}
                          field={f.field}
                          value={f.value}
                          fields={fields}
                          country={label.country}
                        />
                      </dd>
                    </div>
                  ))}
                </dl>
              </div>
            </div>
          </div>
        );
      })}
      <SelfieFrames
        comparisons={file.comparisons}
        viewerLabels={viewerLabels}
        gone={gone}
        fileGone={fileGone}
      />
      <details>
        <summary>{t("stored")}</summary>
        <ul className="steps">
          {file.documents.map((d) => (
            <li key={d.id} data-stored-document={d.documentType} data-side={d.side}>
              <span>
                {label.documentType(d.documentType)} · {label.side(d.side)} ·{" "}
                <span data-status={d.status}>{label.documentStatus(d.status)}</span> ·{" "}
                {d.contentType} ·{" "}
                {d.sizeBytes === null ? "—" : tCase("documents.bytes", { size: d.sizeBytes })}
                <br />
                <span className="muted">
                  sha256 {d.sha256?.slice(0, 16)}… · {tCase("documents.quality")}{" "}
                  <Value value={d.quality} />
                </span>
              </span>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
