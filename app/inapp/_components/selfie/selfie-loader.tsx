"use client";

import dynamic from "next/dynamic";
import type { SelfieStepProps } from "./selfie-step";

// Its own chunk, fetched only on the selfie screen: the other trader screens' first load (and
// the upload screen of every other document) carries no selfie code.
const SelfieStep = dynamic(() => import("./selfie-step").then((m) => m.SelfieStep), {
  ssr: false,
});

export function SelfieLoader(props: SelfieStepProps) {
  return <SelfieStep {...props} />;
}
