import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import createNextIntlPlugin from "next-intl/plugin";
import { unproxiedHeaders } from "./lib/http/security-headers";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig = (phase: string): NextConfig => ({
  output: "standalone",
  // Tracing follows the runtime path joins in lib/storage and lib/documents into the sources and
  // test fixtures; the server runs compiled chunks and needs neither. Next matches these anywhere
  // in a path ("lib/**" would also drop node_modules/@cantoo/pdf-lib), hence file types.
  outputFileTracingExcludes: { "*": ["**/*.ts", "**/*.tsx", "tests/fixtures/**"] },
  reactStrictMode: true,
  poweredByHeader: false,
  // The screens run inside cTrader's browser: keep dev looking like production.
  devIndicators: false,
  // The simulator frames the screens from the other loopback name (a different site).
  allowedDevOrigins: ["127.0.0.1", "localhost"],
  // PGlite ships WASM and data files it loads from its own package directory. libheif-js (HEIC
  // decoding, lib/documents/heif-decode.ts) is 2 MB of Emscripten output with the WASM inlined:
  // required from node_modules at run time, not bundled.
  // @cantoo/pdf-lib: the PDF check runs in a worker whose source requires it by name
  // (lib/documents/pdf-check.ts), so it must stay a package in node_modules.
  // tesseract.js (lib/documents/mrz-read.ts) starts its worker from its own files and loads
  // tesseract.js-core's WASM beside them; its language data is a file in @tesseract.js-data/eng.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "libheif-js",
    "@cantoo/pdf-lib",
    "tesseract.js",
    "tesseract.js-core",
  ],
  // Tracing cannot see what tesseract's worker thread loads (it starts from a file path): its
  // script, the classic-engine WASM builds of tesseract.js-core it picks by CPU support, their
  // few dependencies, and the language data.
  outputFileTracingIncludes: {
    "*": [
      "node_modules/tesseract.js/package.json",
      "node_modules/tesseract.js/src/**/*.js",
      "node_modules/tesseract.js-core/package.json",
      "node_modules/tesseract.js-core/tesseract-core{,-simd,-relaxedsimd}.{js,wasm}",
      "node_modules/{wasm-feature-detect,is-url,node-fetch,whatwg-url,tr46,webidl-conversions,regenerator-runtime,bmp-js}/**",
      "node_modules/@tesseract.js-data/eng/package.json",
      "node_modules/@tesseract.js-data/eng/4.0.0/eng.traineddata.gz",
    ],
  },
  experimental: {
    // The proxy (proxy.ts) runs on every request but the local upload route, and Next buffers a
    // copy of each body for it up to this size (default 10 MB). Nothing it matches needs more
    // than 1 MB: JSON routes read at most their own small caps (lib/http), server actions stop
    // at Next's own 1 MB (serverActions.bodySizeLimit), and documents go to storage or to the
    // excluded upload route. A body beyond it reaches the route cut off, where it fails to parse.
    proxyClientMaxBodySize: "1mb",
  },
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
