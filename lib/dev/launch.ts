import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { generateOneTimeToken } from "@/lib/identity/sso";
import { SCREENS, type Screen } from "@/lib/inapp/params";
import { findDemoTrader, mintSimulatorToken } from "./ctrader-simulator";

export type LaunchInput = {
  userId: number;
  screen: Screen;
  lang?: string;
  theme?: string;
  source?: string;
  kycType?: string;
  documentType?: string;
};

/**
 * What cTrader does when a trader taps "Verify": obtain a one-time token (from the simulated
 * cTrader backend in handoff mode, or from our own /oauth2/onetime/generate logic in SSO mode)
 * and build the screen URL with the documented parameters.
 */
export async function launchScreen(input: LaunchInput): Promise<{ path: string }> {
  if (!findDemoTrader(input.userId)) {
    throw new AppError("BAD_REQUEST", "unknown demo trader");
  }
  const token =
    env().identityMode === "sso"
      ? (await generateOneTimeToken({ userId: input.userId })).token
      : mintSimulatorToken(input.userId);
  const query = new URLSearchParams({ token });
  for (const key of ["lang", "theme", "source", "kycType", "documentType"] as const) {
    const value = input[key];
    if (value) query.set(key, value);
  }
  return { path: `${SCREENS[input.screen]}?${query.toString()}` };
}
