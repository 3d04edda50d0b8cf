import { handleSimulatorRequest } from "@/lib/dev/ctrader-simulator";
import { env } from "@/lib/env";

/** The cTrader simulator's redeem endpoints, for curl and for anyone pointing CTRADER_API_URL here. */
async function handle(request: Request) {
  if (!env().simulatorEnabled) return new Response("Not Found", { status: 404 });
  return handleSimulatorRequest(request);
}

export { handle as GET, handle as POST };
