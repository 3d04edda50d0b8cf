/**
 * `npm run lists:import`: loads SANCTIONS_LIST_PATH (comma-separated OFAC SDN or generic CSV
 * files and https URLs) into the database and, when a list changed, re-screens the traders it
 * concerns (an approval in force, or a submission awaiting its decision).
 * Exit 1 when a list could not be read (its previous version stays in force); 2 without
 * SANCTIONS_LIST_PATH or with an argument (it takes none).
 */
import { errorMessage } from "@/lib/errors";
import { getDb } from "@/lib/db/client";
import { env } from "@/lib/env";
import { importListsAndRescreen, UNSCREENED_WHY } from "@/lib/checks/rescreen";
import { refuseArguments } from "./no-arguments";

async function main() {
  refuseArguments("lists:import", " (the lists are SANCTIONS_LIST_PATH)");
  const files = env().checks.sanctionsListPaths;
  if (files.length === 0) {
    console.error(
      "lists:import: SANCTIONS_LIST_PATH is not set (one or more comma-separated files or URLs)",
    );
    process.exit(2);
  }
  await getDb();
  const { lists, rescreen, leftover } = await importListsAndRescreen(files);
  for (const l of lists) {
    if (l.status === "failed") {
      console.error(
        `lists:import: ${l.source} (${l.file}): failed, previous version kept: ${l.error}`,
      );
      continue;
    }
    console.log(
      `lists:import: ${l.source} (${l.file}): ${l.status}, ${l.entries} entries, version ${l.version.slice(0, 12)}`,
    );
    for (const issue of l.issues.slice(0, 20))
      console.log(`  line ${issue.line}: ${issue.message}`);
    if (l.issues.length > 20) console.log(`  … ${l.issues.length - 20} more skipped lines`);
  }
  if (rescreen) {
    console.log(
      `lists:import: re-screened ${rescreen.screened} traders, ${rescreen.newHits.length} with a new likely match`,
    );
    for (const u of rescreen.unscreened)
      console.error(
        `lists:import: case ${u.caseId}: not screened (${UNSCREENED_WHY[u.reason]}), tried again next import`,
      );
  }
  for (const source of leftover)
    console.warn(
      `lists:import: ${source} is stored but not in SANCTIONS_LIST_PATH: it still screens, nothing updates it; \`npm run lists:remove -- ${source}\` takes it out`,
    );
  process.exit(lists.some((l) => l.status === "failed") ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(`lists:import: ${errorMessage(error)}`);
  process.exit(1);
});
