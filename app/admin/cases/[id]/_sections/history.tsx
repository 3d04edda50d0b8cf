import Link from "next/link";
import type { CaseFile } from "@/lib/review/case-file";

export function History({ file }: { file: CaseFile }) {
  if (file.history.length === 0) return null;
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Previous cases</h2>
      <ul>
        {file.history.map((c) => (
          <li key={c.id}>
            <Link href={`/admin/cases/${c.id}`}>
              {c.level} · {c.status} · opened {c.openedAt.toISOString().slice(0, 10)}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
