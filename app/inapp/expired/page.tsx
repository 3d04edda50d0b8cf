import { ExpiredScreen } from "../_components/expired-screen";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ExpiredPage({ searchParams }: Props) {
  const { reason } = await searchParams;
  return <ExpiredScreen reason={reason === "unavailable" ? "unavailable" : "expired"} />;
}
