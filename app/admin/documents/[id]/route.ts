import { z } from "zod";
import { isAppError } from "@/lib/errors";
import { refusal } from "@/lib/http/json";
import { openDocument } from "@/lib/review/documents";
import { getStaff } from "@/lib/staff/console";
import { withRequestId } from "@/lib/http/request-id";

export const runtime = "nodejs";

/** Staff open a document through a presigned URL that lives 60 s; every opening is audited. */
export const GET = withRequestId(async function GET(
  _request: Request,
  { params }: { params: Promise<{ id: string }> },
) {
  const staff = await getStaff();
  if (!staff) return refusal(401, "unauthenticated", "sign in to the console");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return refusal(404, "not_found");
  try {
    const url = await openDocument(staff, id);
    return new Response(null, {
      status: 302,
      headers: { Location: url, "Cache-Control": "private, no-store" },
    });
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") return refusal(404, "not_found");
    throw error;
  }
});
