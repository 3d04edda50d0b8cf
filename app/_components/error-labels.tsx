"use client";

import { createContext } from "react";

/**
 * The error screen's words, translated by the surface's layout (app/inapp, app/admin): its
 * error.tsx gets only the error.
 */
export type ErrorLabels = { title: string; body: string; retry: string; reference: string };

export const ErrorLabelsContext = createContext<ErrorLabels | null>(null);

export function ErrorLabelsProvider({
  labels,
  children,
}: {
  labels: ErrorLabels;
  children: React.ReactNode;
}) {
  return <ErrorLabelsContext value={labels}>{children}</ErrorLabelsContext>;
}
