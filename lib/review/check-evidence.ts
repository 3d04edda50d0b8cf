/**
 * An automated check's stored evidence (lib/checks/evidence.ts) as the officer reads it, for the
 * case page and the printable evidence alike: every key under its label in the officer's language
 * (`ConsoleLabels.evidenceKey`), codes of a closed list in words (countries, yes/no, reasons,
 * document types and sides, quality issues, the PEP relation, the questionnaire's result, the
 * vendor's outcome and signals, the machine-readable zone's agreement), stored instants as times.
 * Evidence is read by key, not by check: the same key means the same thing in every check. A key
 * this version does not know (evidence from an older one) keeps its key as its label, a value
 * that is not what its key expects shows as stored, and a code outside its closed list reads as
 * that list's generic word ("Side", "Issue", "unknown"); none of them is an error.
 */
import { MRZ_FIELDS } from "@/lib/checks/evidence";
import { isStoredTime } from "./facts";
import type { ConsoleLabels, FieldLabels } from "./labels";

export type CheckWords = { label: ConsoleLabels; fields: FieldLabels };

export type EvidenceNode =
  | { kind: "none" }
  /** Stored as it is (a number, an id, text someone typed or a list wrote). */
  | { kind: "text"; text: string }
  /** A code of a closed list in words; `code` is what was stored. */
  | { kind: "word"; code: string; word: string }
  | { kind: "countries"; codes: string[] }
  /** An instant (ISO 8601), shown in the reader's time zone. */
  | { kind: "time"; iso: string }
  | { kind: "facts"; facts: EvidenceFact[] }
  /** `lines`: one item a line, each a sentence of its own. */
  | { kind: "list"; items: EvidenceNode[]; lines?: boolean };

export type EvidenceFact = { key: string; label: string; value: EvidenceNode };

/** The evidence keys that hold ISO country codes, one or a list. */
const COUNTRY_KEYS: ReadonlySet<string> = new Set([
  "issuingCountry",
  "nationalities",
  "documentCountry",
  "residenceCountry",
  "taxCountries",
  "country",
]);

const MRZ_FIELD_KEYS: ReadonlySet<string> = new Set(MRZ_FIELDS);

const none: EvidenceNode = { kind: "none" };
const word = (code: string, text: unknown): EvidenceNode => ({
  kind: "word",
  code,
  word: String(text),
});

/** A value whose words depend on its key; undefined when the key has none. */
function codeInWords(key: string, value: string, { label, fields }: CheckWords) {
  switch (key) {
    case "reason":
      return label.evidenceReason(value);
    case "documentKind":
      return fields.option("identity_document", "documentKind", value);
    case "documentType":
      return label.documentType(value);
    case "side":
      return label.side(value);
    case "issues":
      return label.qualityIssue(value);
    case "relation":
      return fields.option("pep", "pepRelation", value);
    case "result":
      return fields.option("appropriateness", "result", value);
    case "outcome":
      return label.vendorOutcome(value);
    case "prompt":
      return label.selfiePrompt(value);
    // An MRZ difference names its field.
    case "field":
      return MRZ_FIELD_KEYS.has(value) ? label.evidenceKey(value) : undefined;
    default:
      return undefined;
  }
}

function node(key: string, value: unknown, words: CheckWords, parent?: string): EvidenceNode {
  const { label } = words;
  if (value === null || value === undefined || value === "") return none;
  if (Array.isArray(value) && value.length === 0) return none;
  if (typeof value === "boolean") return word(String(value), label.yesNo(value ? "yes" : "no"));
  if (parent === "signals" && typeof value === "string") return word(value, label.signal(value));
  if (parent === "fields" && typeof value === "string")
    return word(value, label.mrzAgreement(value));
  if (
    COUNTRY_KEYS.has(key) &&
    parent !== "fields" &&
    (typeof value === "string" ||
      (Array.isArray(value) && value.every((v) => typeof v === "string")))
  )
    return { kind: "countries", codes: Array.isArray(value) ? value : [value] };
  if (key === "flagged" && Array.isArray(value)) return flaggedPhotos(value, words);
  if (isStoredTime(key, value)) return { kind: "time", iso: value };
  if (typeof value === "string") {
    const inWords = codeInWords(key, value, words);
    return inWords === undefined ? { kind: "text", text: value } : word(value, inWords);
  }
  if (Array.isArray(value)) return { kind: "list", items: value.map((v) => node(key, v, words)) };
  if (typeof value === "object") return { kind: "facts", facts: factsIn(value, words, key) };
  return { kind: "text", text: String(value) };
}

function factsIn(value: object, words: CheckWords, parent?: string): EvidenceFact[] {
  return Object.entries(value).map(([key, v]) => ({
    key,
    // The screened lists are keyed by each list's own name, which is no key of ours.
    label: parent === "lists" ? key : words.label.evidenceKey(key),
    value: node(key, v, words, parent),
  }));
}

/**
 * The upload quality check's flagged photos as the officer reads them, one line each: the
 * document and side, then what is wrong with it.
 */
function flaggedPhotos(photos: unknown[], words: CheckWords): EvidenceNode {
  const { label } = words;
  return {
    kind: "list",
    lines: true,
    items: photos.map((p) => {
      const photo = p as {
        documentId?: unknown;
        documentType?: unknown;
        side?: unknown;
        issues?: unknown;
      };
      if (typeof photo !== "object" || photo === null || !Array.isArray(photo.issues))
        return node("flagged", p, words);
      return word(
        String(photo.documentId ?? ""),
        `${label.documentType(String(photo.documentType))} · ${label.side(String(photo.side))} — ${photo.issues
          .map((issue) => label.qualityIssue(String(issue)))
          .join(", ")}`,
      );
    }),
  };
}

/**
 * A check's evidence as labelled facts. Screening hits are counted here: each hit, with its
 * explanation and verdicts, has its own section on the case page and in the printable evidence.
 */
export function evidenceFacts(evidence: unknown, words: CheckWords): EvidenceFact[] {
  if (evidence === null || typeof evidence !== "object" || Array.isArray(evidence))
    return [{ key: "", label: "", value: node("", evidence, words) }];
  return factsIn(evidence, words).map((fact) =>
    fact.key === "hits" && Array.isArray((evidence as { hits: unknown }).hits)
      ? {
          ...fact,
          value: { kind: "text", text: String((evidence as { hits: unknown[] }).hits.length) },
        }
      : fact,
  );
}
