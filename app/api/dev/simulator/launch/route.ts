import { z } from "zod";
import { launchScreen } from "@/lib/dev/launch";
import { env } from "@/lib/env";
import { toErrorResponse, readJson } from "@/lib/http/json";
import { withRequestId } from "@/lib/http/request-id";

const launchSchema = z.object({
  userId: z.number().int(),
  screen: z.enum(["kyc", "upload", "status"]),
  lang: z.string().max(10).optional(),
  theme: z.string().max(10).optional(),
  source: z.string().max(10).optional(),
  kycType: z.string().max(40).optional(),
  documentType: z.string().max(20).optional(),
});

/** Plays cTrader: mints a one-time token for a demo trader and returns the screen URL. */
export const POST = withRequestId(async function POST(request: Request) {
  if (!env().simulatorEnabled) return new Response("Not Found", { status: 404 });
  try {
    return Response.json(await launchScreen(await readJson(request, launchSchema)));
  } catch (error) {
    return toErrorResponse(error, "dev.simulator.launch");
  }
});
