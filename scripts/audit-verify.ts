/**
 * `npm run audit:verify`: checks the audit trail's hash chain; exit 1 names the first broken row.
 *
 * With AUDIT_VERIFY_KEY (or AUDIT_SIGNING_KEY) set it also checks the signed heads: those in the
 * chain, and with `--heads=<file>` those exported to the log (a file of JSON lines; lines other
 * than `audit.head_signed` are skipped), so a rewritten table or a cut tail is found.
 * `--public-key` prints the public key to give to AUDIT_VERIFY_KEY and exits.
 */
import { readFileSync } from "node:fs";
import { errorMessage } from "@/lib/errors";
import { getDb } from "@/lib/db/client";
import { configuredVerifyKeys, exportedHeadsIn, publicKeyBase64 } from "@/lib/audit/signing";
import { checkAuditChain, describeChainCheck } from "@/lib/audit/check";

async function main() {
  // `--heads <file>` (a space) or a misspelt flag would verify less than asked and exit 0.
  for (const arg of process.argv.slice(2))
    if (arg !== "--public-key" && !/^--heads=./.test(arg))
      throw new Error(`${arg}: takes only --heads=<file> or --public-key`);
  const keys = configuredVerifyKeys();
  if (process.argv.includes("--public-key")) {
    if (keys.length === 0) throw new Error("set AUDIT_SIGNING_KEY (or AUDIT_VERIFY_KEY)");
    for (const key of keys) console.log(publicKeyBase64(key));
    process.exit(0);
  }
  const headsFile = process.argv.find((a) => a.startsWith("--heads="))?.slice("--heads=".length);
  if (headsFile && keys.length === 0)
    throw new Error("--heads needs AUDIT_VERIFY_KEY (or AUDIT_SIGNING_KEY)");
  const exportedHeads = headsFile ? exportedHeadsIn(readFileSync(headsFile, "utf8")) : [];
  await getDb();
  const check = await checkAuditChain(exportedHeads);
  const line = describeChainCheck(check, exportedHeads.length);
  if (check.verdict.ok) {
    console.log(line);
    process.exit(0);
  }
  console.error(line);
  process.exit(1);
}

main().catch((error: unknown) => {
  console.error(`audit:verify: ${errorMessage(error)}`);
  process.exit(2);
});
