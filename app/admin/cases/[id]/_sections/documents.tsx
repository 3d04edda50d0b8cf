import type { CaseFile } from "@/lib/review/case-file";
import { Value } from "./value";

export function Documents({ file }: { file: CaseFile }) {
  return (
    <section className="card" data-testid="documents" aria-labelledby="documents-title">
      <h2 id="documents-title">Documents</h2>
      {file.documents.length === 0 ? (
        <p className="muted">The trader has not uploaded a document yet.</p>
      ) : null}
      <ul className="steps">
        {file.documents.map((d) => (
          <li key={d.id} data-document={d.documentType} data-side={d.side}>
            <span>
              {d.documentType} · {d.side} · {d.status} · {d.contentType} · {d.sizeBytes} bytes
              <br />
              <span className="muted">
                sha256 {d.sha256?.slice(0, 16)}… · quality <Value value={d.quality} />
              </span>
            </span>
            <a href={`/admin/documents/${d.id}`} target="_blank" rel="noreferrer">
              {d.contentType?.startsWith("image/") ? (
                // Through a 60-second presigned URL; each load is an audited view. Full size (to
                // zoom) opens in a new tab.
                // eslint-disable-next-line @next/next/no-img-element
                <img
                  className="doc-thumb"
                  src={`/admin/documents/${d.id}`}
                  alt={`${d.documentType} ${d.side}`}
                  loading="lazy"
                />
              ) : null}
              <span>Open full size (link valid 60 s)</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
