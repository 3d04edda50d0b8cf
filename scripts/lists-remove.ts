/**
 * `npm run lists:remove -- <source>`: takes a screening list that is no longer in
 * SANCTIONS_LIST_PATH (a file renamed or dropped) out of the database, audited, and re-screens
 * the traders it concerns against the lists left. Nothing updates such a list, so it goes stale
 * and stops the checks' automatic approval; `npm run lists:import` names it. Exit 2 for a source
 * that is still configured, not stored or the only one, or without SANCTIONS_LIST_PATH.
 */
import { env } from "@/lib/env";
import { errorMessage, isAppError } from "@/lib/errors";
import { removeListAndRescreen, UNSCREENED_WHY } from "@/lib/checks/rescreen";

async function main() {
  const [source, extra] = process.argv.slice(2);
  if (!source || extra !== undefined) {
    console.error("usage: npm run lists:remove -- <source> (the list's name, e.g. ofac-sdn)");
    process.exit(2);
  }
  try {
    const { entries, rescreen } = await removeListAndRescreen(
      source,
      env().checks.sanctionsListPaths,
    );
    console.log(`lists:remove: ${source}: removed, ${entries} entries no longer screen`);
    console.log(`lists:remove: re-screened ${rescreen.screened} traders on the lists left`);
    for (const u of rescreen.unscreened)
      console.error(
        `lists:remove: case ${u.caseId}: not screened (${UNSCREENED_WHY[u.reason]}), tried again next import`,
      );
  } catch (error) {
    // Exit 2 is the command's refusal; a database that will not open is an outage (exit 1).
    if (!isAppError(error) || !["CONFLICT", "NOT_FOUND"].includes(error.code)) throw error;
    console.error(`lists:remove: ${error.publicMessage}`);
    process.exit(2);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`lists:remove: ${errorMessage(error)}`);
  process.exit(1);
});
