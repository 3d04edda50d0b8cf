import { env } from "@/lib/env";
import { handleLocalUpload } from "@/lib/storage/local";
import { withRequestId } from "@/lib/http/request-id";

export const runtime = "nodejs";

/** Uploads for the local storage driver (signed form from createUpload); 404 in s3 mode. */
export const POST = withRequestId(async function POST(request: Request) {
  if (env().storage.driver !== "local") return new Response("Not Found", { status: 404 });
  return handleLocalUpload(request);
});
