/** `npm run audit:verify`: checks the audit trail's hash chain; exit 1 names the first broken row. */
import { errorMessage } from "@/lib/errors";
import { getDb } from "@/lib/db/client";
import { verifyAuditChain } from "@/lib/audit/verify";

async function main() {
  await getDb();
  const verdict = await verifyAuditChain();
  if (verdict.ok) {
    console.log(`audit:verify: ${verdict.rows} rows, chain intact`);
    process.exit(0);
  }
  console.error(
    `audit:verify: chain broken at row id=${verdict.brokenAt.id} seq=${verdict.brokenAt.seq} (${verdict.problem}); ${verdict.rows} rows before it verified`,
  );
  process.exit(1);
}

main().catch((error: unknown) => {
  console.error(`audit:verify: ${errorMessage(error)}`);
  process.exit(2);
});
