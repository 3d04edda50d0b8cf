"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { LOCALES } from "@/lib/i18n/config";
import { setOwnLocale } from "@/lib/staff/accounts";
import { consoleLangCookie, getStaff } from "@/lib/staff/console";

const choice = z.object({ locale: z.enum(LOCALES) });

/**
 * The console language: kept in this browser (so the sign-in page speaks it too) and, for a
 * signed-in officer, saved on the account so every browser they sign in from follows.
 */
export async function chooseLanguageAction(form: FormData): Promise<void> {
  const parsed = choice.safeParse(form instanceof FormData ? { locale: form.get("locale") } : {});
  const staff = await getStaff();
  const home = staff ? "/admin/account" : "/admin/login";
  if (!parsed.success) redirect(`${home}?error=language`);
  (await cookies()).set(consoleLangCookie(parsed.data.locale));
  if (staff) await setOwnLocale(staff, parsed.data.locale);
  redirect(staff ? "/admin/account?outcome=language_saved" : "/admin/login");
}
