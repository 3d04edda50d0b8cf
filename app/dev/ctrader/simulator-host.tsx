"use client";

import { useEffect, useState } from "react";

type Props = { traders: { userId: number; name: string }[]; locales: string[] };
type Mode = "frame" | "top";

/** The other loopback name is another site: framing it reproduces cTrader Web's cross-site iframe. */
function crossSiteOrigin(): string {
  const { protocol, hostname, port } = window.location;
  const other =
    hostname === "localhost" ? "127.0.0.1" : hostname === "127.0.0.1" ? "localhost" : hostname;
  return `${protocol}//${other}${port ? `:${port}` : ""}`;
}

export function SimulatorHost({ traders, locales }: Props) {
  const [userId, setUserId] = useState(traders[0]?.userId ?? 0);
  const [screen, setScreen] = useState("kyc");
  const [lang, setLang] = useState("en");
  const [theme, setTheme] = useState("light");
  const [source, setSource] = useState("Web");
  const [kycType, setKycType] = useState("standard");
  const [documentType, setDocumentType] = useState("identity");
  const [mode, setMode] = useState<Mode>("frame");
  const [width, setWidth] = useState(390);
  const [frameUrl, setFrameUrl] = useState<string>();
  const [lastUrl, setLastUrl] = useState<string>();
  const [note, setNote] = useState<string>();

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if ((event.data as { type?: string } | null)?.type === "inapp-kyc:close") {
        setFrameUrl(undefined);
        setNote(`The screen asked to close (postMessage from ${event.origin}).`);
      }
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, []);

  async function launch(event: React.FormEvent) {
    event.preventDefault();
    setNote(undefined);
    const response = await fetch("/api/dev/simulator/launch", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        userId,
        screen,
        lang,
        theme,
        source,
        kycType,
        documentType: screen === "upload" ? documentType : undefined,
      }),
    });
    if (!response.ok) {
      setNote(`Launch failed: ${response.status}`);
      return;
    }
    const { path } = (await response.json()) as { path: string };
    if (mode === "top") {
      window.location.assign(path);
      return;
    }
    const url = `${crossSiteOrigin()}${path}`;
    setLastUrl(url);
    setFrameUrl(url);
  }

  const select = (
    label: string,
    value: string | number,
    set: (v: string) => void,
    options: (string | [string, string])[],
    testId: string,
  ) => (
    <label style={{ display: "flex", flexDirection: "column", gap: 4 }}>
      {label}
      <select data-testid={testId} value={value} onChange={(e) => set(e.target.value)}>
        {options.map((o) => {
          const [v, text] = Array.isArray(o) ? o : [o, o];
          return (
            <option key={v} value={v}>
              {text}
            </option>
          );
        })}
      </select>
    </label>
  );

  return (
    <div style={{ display: "grid", gap: 16 }}>
      <form
        onSubmit={launch}
        className="card"
        style={{ display: "flex", flexWrap: "wrap", gap: 12, alignItems: "flex-end" }}
      >
        {select(
          "Trader",
          userId,
          (v) => setUserId(Number(v)),
          traders.map((t) => [String(t.userId), `${t.name} (${t.userId})`]),
          "sim-trader",
        )}
        {select(
          "Screen",
          screen,
          setScreen,
          [
            ["kyc", "/inapp/kyc"],
            ["upload", "/inapp/kyc/upload"],
            ["status", "/inapp/kyc/status"],
          ],
          "sim-screen",
        )}
        {screen === "upload"
          ? select(
              "documentType",
              documentType,
              setDocumentType,
              ["identity", "address", "additional"],
              "sim-document-type",
            )
          : null}
        {select("lang", lang, setLang, locales, "sim-lang")}
        {select("theme", theme, setTheme, ["light", "dark"], "sim-theme")}
        {select(
          "source",
          source,
          setSource,
          ["Web", "iOS", "Android", "MacOS", "Desktop"],
          "sim-source",
        )}
        {select("kycType", kycType, setKycType, ["basic", "standard", "enhanced"], "sim-kyc-type")}
        {select(
          "Open as",
          mode,
          (v) => setMode(v as Mode),
          [
            ["frame", "cross-site iframe (cTrader Web)"],
            ["top", "top-level (mobile/desktop webview)"],
          ],
          "sim-mode",
        )}
        {mode === "frame"
          ? select(
              "Frame width",
              width,
              (v) => setWidth(Number(v)),
              [
                ["320", "320 px"],
                ["390", "390 px (phone)"],
                ["768", "768 px (tablet)"],
                ["1024", "1024 px"],
              ],
              "sim-width",
            )
          : null}
        <button className="button" type="submit" data-testid="sim-launch">
          Open screen
        </button>
      </form>
      {note ? <p data-testid="sim-note">{note}</p> : null}
      {lastUrl ? (
        <p className="muted" style={{ overflowWrap: "anywhere" }}>
          Launched: {lastUrl}
        </p>
      ) : null}
      {frameUrl ? (
        <iframe
          title="KYC screen"
          data-testid="sim-frame"
          src={frameUrl}
          allow="camera"
          style={{
            width,
            height: 640,
            border: "1px solid var(--border)",
            borderRadius: 12,
            background: "var(--surface)",
          }}
        />
      ) : null}
    </div>
  );
}
