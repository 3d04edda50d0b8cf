/**
 * Why the matcher flagged the trader, as the sentences a compliance officer checks it by: the one
 * reader of a stored hit's explanation, which the case page and the printable evidence both render
 * (each in its own markup) with the `ConsoleCase.hits.*` messages, so the two say the same.
 */
import type { Explanation } from "@/lib/screening/match";

/**
 * One sentence: its message under `ConsoleCase.hits`, the values it takes, and what the list
 * gives to compare with (its `<listed>` part; null when the entry lists nothing). Lists name
 * countries by ISO code where the loader knew the name, else as written.
 */
export type ExplanationLine =
  | { key: "matched"; values: { alias: "yes" | "no"; name: string; score: string } }
  | { key: "words"; values: { words: string } }
  | { key: "unmatched"; values: { trader: string; listed: string } }
  | {
      key: "dateOfBirth";
      values: { result: Explanation["dateOfBirth"]["result"] };
      listed: { kind: "text"; text: string } | null;
    }
  | {
      key: "nationality";
      values: { result: Explanation["nationality"]["result"] };
      listed: { kind: "countries"; codes: string[] } | null;
    };

/**
 * A value from the trader's answers or the list, set into a sentence: first-strong isolates keep
 * a name in Arabic or Hebrew script, or listed dates, from reordering the words around them.
 */
const isolated = (text: string) => `\u2068${text}\u2069`;

const quoted = (words: string[]) => (words.length ? `“${isolated(words.join(" "))}”` : "—");

/** `noWords`: the page's word for no matching words (`ConsoleCase.hits.noWords`). */
export function explanationLines(e: Explanation, noWords: string): ExplanationLine[] {
  return [
    {
      key: "matched",
      values: {
        alias: e.matchedAlias ? "yes" : "no",
        name: isolated(e.matchedName),
        score: e.nameScore.toFixed(2),
      },
    },
    {
      key: "words",
      values: {
        words:
          e.pairs.length === 0
            ? noWords
            : e.pairs
                .map(
                  (p) => `“${isolated(p.query)}” ↔ “${isolated(p.listed)}” (${p.score.toFixed(2)})`,
                )
                .join(", "),
      },
    },
    ...(e.unmatchedQuery.length > 0 || e.unmatchedListed.length > 0
      ? [
          {
            key: "unmatched" as const,
            values: { trader: quoted(e.unmatchedQuery), listed: quoted(e.unmatchedListed) },
          },
        ]
      : []),
    {
      key: "dateOfBirth",
      values: { result: e.dateOfBirth.result },
      listed: e.dateOfBirth.listed.length
        ? { kind: "text", text: isolated(e.dateOfBirth.listed.join(", ")) }
        : null,
    },
    {
      key: "nationality",
      values: { result: e.nationality.result },
      listed: e.nationality.listed.length
        ? { kind: "countries", codes: e.nationality.listed }
        : null,
    },
  ];
}
