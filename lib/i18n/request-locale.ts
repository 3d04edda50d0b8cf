import "server-only";
import { headers } from "next/headers";
import { DEFAULT_LOCALE, pickLocale, type Locale } from "./config";
import { LANG_HEADER, SURFACE_HEADER } from "@/lib/http/request-headers";
import { getScreenSession } from "@/lib/inapp/screen-context";
import { consoleLocale } from "@/lib/staff/console";

/**
 * The language of this request. `?lang=` (copied into a request header by proxy.ts, which also
 * strips any client-sent copy) wins everywhere. Then the console (/admin/**, marked by the
 * proxy) speaks the officer's language and never a trader session's that happens to share the
 * browser; a trader screen speaks the language its session started with. English last.
 */
export async function requestLocale(): Promise<Locale> {
  const h = await headers();
  const fromQuery = pickLocale(h.get(LANG_HEADER));
  if (fromQuery) return fromQuery;
  if (h.get(SURFACE_HEADER) === "console") return consoleLocale();
  return pickLocale((await getScreenSession())?.locale) ?? DEFAULT_LOCALE;
}
