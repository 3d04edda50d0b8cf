import { readBody } from "@/lib/http/body";
import { toErrorResponse } from "@/lib/http/json";
import { withRequestId } from "@/lib/http/request-id";
import { receiveVendorWebhook } from "@/lib/vendors/verification";

export const runtime = "nodejs";

/** Vendors' webhook bodies are small JSON documents; anything larger is not theirs. */
const MAX_WEBHOOK_BYTES = 256 * 1024;

/**
 * A verification vendor's webhook (Sumsub, Onfido): the adapter verifies the signature over the
 * exact bytes (401 when it does not match), then reads the body (400 when malformed). Answers
 * 200 for anything stored or acknowledged, including a repeat and a reference of ours the
 * vendor's API says does not exist; 502 when the vendor's API could not be asked for the
 * verdict, so the vendor delivers again.
 */
export const POST = withRequestId(async function POST(
  request: Request,
  { params }: { params: Promise<{ vendor: string }> },
) {
  const { vendor } = await params;
  try {
    const raw = await readBody(request, MAX_WEBHOOK_BYTES);
    const outcome = await receiveVendorWebhook(vendor, raw, request.headers);
    return Response.json({ ok: true, outcome });
  } catch (error) {
    return toErrorResponse(error, "vendor.webhook");
  }
});
