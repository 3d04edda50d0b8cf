import type { Instrumentation } from "next";

/** Runs once when a server process starts (dev and production); see lib/server-start.ts. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { onServerStart } = await import("@/lib/server-start");
    await onServerStart();
  }
}

/** Next.js's own request errors, as a line of our log with the request id (lib/http/request-error.ts). */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { logRequestError } = await import("@/lib/http/request-error");
  logRequestError(error, request, context);
};
