/** Currency formats per locale and currency, built once per process (the status screen is hot). */
const formats = new Map<string, Intl.NumberFormat>();

export function moneyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}:${currency}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      maximumFractionDigits: 0,
    });
    formats.set(key, format);
  }
  return format;
}
