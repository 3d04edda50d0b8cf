import { ExpiredScreen } from "../_components/expired-screen";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

async function ExpiredPage({ searchParams }: Props) {
  const { reason } = await searchParams;
  return <ExpiredScreen reason={reason === "unavailable" ? "unavailable" : "expired"} />;
}

export default withPageScope(ExpiredPage);
