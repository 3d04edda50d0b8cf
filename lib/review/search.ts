/**
 * What the queue's search box finds, and the blind index behind the parts the database holds
 * only encrypted. A name or a document number is never stored or compared in clear: each
 * normalised word of the name and the normalised document number are stored as HMAC-SHA-256
 * under a key derived from APP_SECRET for this purpose alone, and a search hashes its words the
 * same way. Exact words match ("ivan" finds "Иван Петров", transliterated like the screening
 * does); partial words do not — the price of not keeping names readable in the database.
 */
import { env } from "@/lib/env";
import { deriveKey, hmac } from "@/lib/identity/secrets";
import type { SubmittedAnswers } from "@/lib/kyc/answers";
import { normalizeDocumentNumber } from "@/lib/kyc/steps/identity-document";
import { storedIdentityDocument, storedPersonal } from "@/lib/kyc/steps/stored";
import { normalizeWords } from "@/lib/screening/normalize";
import anyAscii from "any-ascii";

export type SearchTerm = { kind: "name" | "document_number"; termHash: string };

let cachedKey: { secret: string; key: Buffer } | undefined;
function searchKey(): Buffer {
  const secret = env().appSecret;
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: deriveKey(secret, "case-search") };
  return cachedKey.key;
}

const hashOf = (kind: SearchTerm["kind"], value: string): string =>
  hmac(searchKey(), `${kind}:${value}`);

/** The name's words, lowercase Latin (any script transliterated), duplicates once. */
export function nameWords(name: string): string[] {
  return [...new Set(normalizeWords(name))].filter((w) => w.length > 0);
}

/** The blind-index rows of one submitted round: name words and the document number. */
export function searchTermsOf(answers: {
  givenNames?: string;
  surnames?: string;
  documentNumber?: string;
}): SearchTerm[] {
  const words = nameWords(`${answers.givenNames ?? ""} ${answers.surnames ?? ""}`);
  const terms: SearchTerm[] = words.map((w) => ({ kind: "name", termHash: hashOf("name", w) }));
  const number = answers.documentNumber ? normalizeDocumentNumber(answers.documentNumber) : "";
  if (number) terms.push({ kind: "document_number", termHash: hashOf("document_number", number) });
  return terms;
}

/** The name a round's answers give, read with the personal step's stored schema. */
export function nameOfAnswers(answers: SubmittedAnswers) {
  return storedPersonal.safeParse(answers.personal?.data).data;
}

/** The blind-index rows of a round's answers as case_submissions stores them. */
export function searchTermsOfAnswers(answers: SubmittedAnswers): SearchTerm[] {
  const name = nameOfAnswers(answers);
  return searchTermsOf({
    givenNames: name?.givenNames,
    surnames: name?.surnames,
    documentNumber: storedIdentityDocument.safeParse(answers.identity_document?.data).data
      ?.documentNumber,
  });
}

/** A search as the query runs it: every key the typed text could be. */
export type QueueSearch = {
  text: string;
  caseId?: string;
  email?: string;
  /** A cTrader user id, trading login, or the trading account a case was launched from. */
  number?: number;
  /** Every word must be one of the case's name words. */
  nameHashes: string[];
  documentHash?: string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseSearch(raw: string): QueueSearch | undefined {
  const text = raw.trim().slice(0, 200);
  if (!text) return undefined;
  const search: QueueSearch = { text, nameHashes: [] };
  if (UUID.test(text)) return { ...search, caseId: text.toLowerCase() };
  if (text.includes("@")) return { ...search, email: text.toLowerCase() };
  if (/^\d{1,15}$/.test(text)) search.number = Number(text);
  const number = normalizeDocumentNumber(text);
  if (number && number.length <= 30) search.documentHash = hashOf("document_number", number);
  search.nameHashes = nameWords(text)
    .slice(0, 8)
    .map((w) => hashOf("name", w));
  return search;
}

/** A Latin reading of a name written in another script, for officers who cannot read it. */
export function latinReading(name: string): string | undefined {
  // Latin letters with diacritics stay as written: only other scripts get a reading.
  if (!/[^\p{Script=Latin}\p{M}\p{N}\p{P}\p{Zs}]/u.test(name)) return undefined;
  const reading = anyAscii(name).replace(/\s+/g, " ").trim();
  return reading && reading !== name ? reading : undefined;
}
