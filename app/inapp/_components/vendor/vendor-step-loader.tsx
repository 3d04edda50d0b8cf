"use client";

import dynamic from "next/dynamic";
import type { VendorStepProps } from "./vendor-step";

// Its own chunk, fetched only on a screen whose level uses a vendor: the trader screens' first
// load carries no vendor code.
const VendorStep = dynamic(() => import("./vendor-step").then((m) => m.VendorStep), {
  ssr: false,
});

export function VendorStepLoader(props: VendorStepProps) {
  return <VendorStep {...props} />;
}
