import { z } from "zod";
import { startUpload } from "@/lib/documents/service";
import {
  documentSidesQuery,
  startUploadRequest,
  type DocumentSidesResponse,
} from "@/lib/documents/upload-contract";
import { readJson } from "@/lib/http/json";
import { outOfScope, refuseOutOfScope, withTraderCase } from "@/lib/inapp/api";
import { documentScreen } from "@/lib/kyc/submission";
import { refuseUpload } from "./refusals";

export const runtime = "nodejs";

/** The state of each side of one document type, for the upload screen to follow. */
export async function GET(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "documents.list",
    async (context) => {
      const query = documentSidesQuery.safeParse(
        Object.fromEntries(new URL(request.url).searchParams),
      );
      if (!query.success) return refuseUpload("bad_request", "documentType: invalid");
      const { documentType } = query.data;
      if (outOfScope(context, documentType)) return refuseOutOfScope();
      const { kycCase } = context;
      const body: DocumentSidesResponse = {
        documentType,
        ...(await documentScreen(kycCase, documentType)),
      };
      return Response.json(body);
    },
    { mutates: false, handoff: true },
  );
}

/** Starts an upload: answers where the browser posts the file. */
export async function POST(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "documents.start",
    async (context) => {
      const body = startUploadRequest.safeParse(await readJson(request, z.unknown()));
      if (!body.success) return refuseUpload("bad_request");
      if (outOfScope(context, body.data.documentType)) return refuseOutOfScope();
      const result = await startUpload(context.kycCase, body.data);
      if (!result.ok) return refuseUpload(result.reason);
      return Response.json(result.value, { status: 201 });
    },
    { mutates: true, handoff: true },
  );
}
