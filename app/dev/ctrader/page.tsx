import { notFound } from "next/navigation";
import { DEMO_TRADERS } from "@/lib/dev/ctrader-simulator";
import { env } from "@/lib/env";
import { LOCALES } from "@/lib/i18n/config";
import { SimulatorHost } from "./simulator-host";

/** Development tool (English only): plays cTrader's host app around the screens. */
export default function SimulatorPage() {
  if (!env().simulatorEnabled) notFound();
  return (
    <main style={{ maxWidth: 1100 }}>
      <h1>cTrader simulator</h1>
      <p className="lead">
        Plays the trading app: pick a demo trader and how the screen opens. Each launch mints a
        fresh one-time token (60 s, single use), exactly as cTrader would. Identity mode:{" "}
        <strong data-testid="identity-mode">{env().identityMode}</strong>.
      </p>
      <SimulatorHost
        traders={DEMO_TRADERS.map(({ userId, name }) => ({ userId, name }))}
        locales={[...LOCALES]}
      />
    </main>
  );
}
