import { env } from "@/lib/env";
import { handleLocalUpload } from "@/lib/storage/local";

export const runtime = "nodejs";

/** Uploads for the local storage driver (signed form from createUpload); 404 in s3 mode. */
export async function POST(request: Request) {
  if (env().storage.driver !== "local") return new Response("Not Found", { status: 404 });
  return handleLocalUpload(request);
}
