import { writeFileSync } from "node:fs";
import path from "node:path";
import { BUILT_IN_LEVELS } from "@/lib/kyc/levels";
import type { World } from "./world";

/**
 * A broker's levels file (KYC_LEVELS_PATH) in which `kycType` opens the standard level on a
 * compliance notice, the case's trigger: the built-in levels otherwise. Returns its path.
 */
export function complianceNoticeLevels(w: World, kycType: string): string {
  const file = path.join(w.dataDir, `levels-${kycType}-notice.json`);
  writeFileSync(
    file,
    JSON.stringify({
      ...BUILT_IN_LEVELS,
      kycTypes: {
        ...BUILT_IN_LEVELS.kycTypes,
        [kycType]: { level: "standard", trigger: "compliance_notice" },
      },
    }),
  );
  return file;
}
