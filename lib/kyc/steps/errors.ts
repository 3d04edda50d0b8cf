/**
 * Every error a step can report on a field, as a key; the catalogs' `Errors` namespace holds the
 * sentence in each language. A test keeps this list and the catalogs in step.
 */
export const ERROR_KEYS = [
  "required",
  "tooLong",
  "invalidCharacters",
  "invalidDate",
  "dateInFuture",
  "underage",
  "tooOld",
  "invalidCountry",
  "invalidPostcode",
  "invalidPhone",
  "invalidEmail",
  "duplicate",
  "duplicateTaxCountry",
  "tooMany",
  "chooseFromList",
  "chooseAtLeastOne",
  "invalidDocumentNumber",
  "documentExpired",
  "expiryTooFar",
  "documentTooOld",
  "invalidTin",
  "tinOrReason",
  "mustAcknowledge",
] as const;
export type ErrorKey = (typeof ERROR_KEYS)[number];

export function isErrorKey(value: string): value is ErrorKey {
  return (ERROR_KEYS as readonly string[]).includes(value);
}
