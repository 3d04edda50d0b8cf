import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import createNextIntlPlugin from "next-intl/plugin";
import { unproxiedHeaders } from "./lib/http/security-headers";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig = (phase: string): NextConfig => ({
  output: "standalone",
  reactStrictMode: true,
  poweredByHeader: false,
  // The screens run inside cTrader's browser: keep dev looking like production.
  devIndicators: false,
  // The simulator frames the screens from the other loopback name (a different site).
  allowedDevOrigins: ["127.0.0.1", "localhost"],
  // PGlite ships WASM and data files it loads from its own package directory. libheif-js (HEIC
  // decoding, lib/documents/heif-decode.ts) is 2 MB of Emscripten output with the WASM inlined:
  // required from node_modules at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "libheif-js"],
  // Spotware's V1 pages prefix the CRM endpoints with /cid (contract §10.3): serve both.
  async rewrites() {
    return [{ source: "/cid/oauth2/:path*", destination: "/oauth2/:path*" }];
  },
  // What proxy.ts sets elsewhere, for the responses it does not see (its matcher skips them).
  async headers() {
    const headers = unproxiedHeaders(phase !== PHASE_DEVELOPMENT_SERVER);
    return [
      { source: "/_next/static/:path*", headers },
      { source: "/:file(favicon.ico|icon.svg)", headers },
      {
        source: "/api/uploads/local/:path*",
        headers: [
          ...headers,
          { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
          { key: "Cache-Control", value: "private, no-store" },
        ],
      },
    ];
  },
});

const config = (phase: string) => withNextIntl(nextConfig(phase));
export default config;
