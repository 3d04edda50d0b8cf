import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { DOCUMENT_TYPES, parseDocumentType } from "@/lib/inapp/params";
import { getScreenContext } from "@/lib/inapp/screen-context";
import { ExpiredScreen } from "../../_components/expired-screen";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function UploadPage({ searchParams }: Props) {
  const context = await getScreenContext();
  if (!context) return <ExpiredScreen reason="expired" />;
  const raw = (await searchParams).documentType;
  const type = parseDocumentType(typeof raw === "string" ? raw : undefined);
  const t = await getTranslations("Upload");
  return (
    <>
      <h1>{t("title")}</h1>
      {type ? (
        <section className="card" data-testid="document-type" data-type={type}>
          <h2>{t("requested", { type })}</h2>
          <p className="muted">{t("explain", { type })}</p>
        </section>
      ) : (
        <section className="card">
          <p>{t("chooseType")}</p>
          <ul>
            {DOCUMENT_TYPES.map((d) => (
              <li key={d}>
                <Link href={`/inapp/kyc/upload?documentType=${d}`}>
                  {t("requested", { type: d })}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      <Link className="button secondary" href="/inapp/kyc">
        {t("backToVerification")}
      </Link>
    </>
  );
}
