/**
 * `npm run documents:seal`: encrypts the document files stored in clear before files were sealed
 * under their case key (lib/documents/stored-file.ts). Safe beside the running app and repeatable:
 * a file already sealed is left alone (docs/security.md#keys).
 */
import { errorMessage } from "@/lib/errors";
import { getDb } from "@/lib/db/client";
import { sealClearDocuments } from "@/lib/documents/stored-file";
import { refuseArguments } from "./no-arguments";

async function main() {
  refuseArguments("documents:seal");
  await getDb();
  const report = await sealClearDocuments();
  console.log(
    `documents:seal: ${report.sealed} files sealed, ${report.alreadySealed} already sealed, ${report.skipped} skipped`,
  );
  process.exit(report.skipped > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(`documents:seal: ${errorMessage(error)}`);
  process.exit(2);
});
