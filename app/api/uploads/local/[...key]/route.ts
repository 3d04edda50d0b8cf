import { env } from "@/lib/env";
import { handleLocalDownload } from "@/lib/storage/local";
import { withRequestId } from "@/lib/http/request-id";

export const runtime = "nodejs";

/** Staff downloads for the local storage driver (URL from presignGet, ≤ 60 s); 404 in s3 mode. */
export const GET = withRequestId(async function GET(request: Request) {
  if (env().storage.driver !== "local") return new Response("Not Found", { status: 404 });
  return handleLocalDownload(request);
});
