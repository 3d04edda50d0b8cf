/**
 * Client-side half of the country selects (see countryOptionsHtml in country-names.ts): the
 * placeholder and the pre-selected value put into the server-built options. No imports, so the
 * forms' bundle stays small.
 */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** The options with `value` pre-selected, so the server-rendered page already shows it. */
export function countrySelectHtml(optionsHtml: string, placeholder: string, value: string): string {
  const selected = /^[A-Z]{2}$/.test(value)
    ? optionsHtml.replace(`<option value="${value}">`, `<option value="${value}" selected>`)
    : optionsHtml;
  return `<option value="">${escapeHtml(placeholder)}</option>${selected}`;
}
