import { formattingLocale } from "@/lib/i18n/catalogs";
import { LOCALES, type Locale } from "@/lib/i18n/config";
import { chooseLanguageAction } from "../language-actions";

/** Each language named in itself, so an officer finds theirs whatever the page speaks now. */
function ownName(locale: Locale): string {
  const tag = formattingLocale(locale);
  const name = new Intl.DisplayNames([tag], { type: "language" }).of(tag) ?? locale;
  return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
}

type Props = { current: string; label: string; submit: string };

/** The console language picker (account page and sign-in page). */
export function LanguageChoice({ current, label, submit }: Props) {
  return (
    <form action={chooseLanguageAction} className="language-choice" data-testid="language-choice">
      <label>
        {label}{" "}
        <select name="locale" defaultValue={current} data-testid="language-select">
          {LOCALES.map((l) => (
            <option key={l} value={l} lang={formattingLocale(l)}>
              {ownName(l)}
            </option>
          ))}
        </select>
      </label>{" "}
      <button className="button secondary" type="submit" data-testid="language-save">
        {submit}
      </button>
    </form>
  );
}
