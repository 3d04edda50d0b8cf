/**
 * `npm run keys:rotate`: re-wraps every case key under the current app key (the first APP_KEYS
 * entry) and moves case values from before case keys under their case key (docs/security.md#keys).
 */
import { errorMessage } from "@/lib/errors";
import { getDb } from "@/lib/db/client";
import { rotateKeys } from "@/lib/security/rotation";
import { refuseArguments } from "./no-arguments";

async function main() {
  refuseArguments("keys:rotate");
  await getDb();
  const report = await rotateKeys();
  console.log(
    `keys:rotate: current key ${report.keyId}; ${report.rewrapped} case keys re-wrapped, ${report.resealed} older values sealed under their case key`,
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`keys:rotate: ${errorMessage(error)}`);
  process.exit(2);
});
