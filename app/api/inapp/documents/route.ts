import { z } from "zod";
import { readJson } from "@/lib/http/json";
import { refusal, withTraderCase } from "@/lib/inapp/api";
import { parseDocumentType } from "@/lib/inapp/params";
import { startUpload } from "@/lib/documents/service";
import { documentSides } from "@/lib/kyc/submission";

export const runtime = "nodejs";

/** The state of each side of one document type, for the upload screen to follow. */
export async function GET(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "documents.list",
    async ({ kycCase }) => {
      const type = parseDocumentType(new URL(request.url).searchParams.get("documentType"));
      if (!type) return refusal(400, "bad_request", "documentType: invalid");
      return Response.json({ documentType: type, sides: await documentSides(kycCase, type) });
    },
    { mutates: false },
  );
}

/** Starts an upload: answers where the browser posts the file. */
export async function POST(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "documents.start",
    async ({ kycCase }) => {
      const body = await readJson(request, z.record(z.string(), z.unknown()));
      const result = await startUpload(kycCase, body);
      if (!result.ok) return refusal(result.status, result.reason);
      return Response.json(result.value, { status: 201 });
    },
    { mutates: true },
  );
}
