/**
 * A broker's own list (the generic PEP CSV the tests ship) that later gains a trader it was
 * approved without: how a re-screening hit reaches an approved case through the real import.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { World } from "./world";

/** Personal answers the list does not hold until `listLater` adds them. */
export const LISTED_LATER = {
  givenNames: "Oskar",
  surnames: "Lindqvist Berg",
  dateOfBirth: "1969-02-17",
  nationalities: ["SE"],
};

/** Imports the list as `name` in the world's data directory; `listLater` adds LISTED_LATER. */
export async function importBrokerList(
  w: World,
  name: string,
): Promise<{ listLater: () => Promise<void> }> {
  const list = path.join(w.dataDir, name);
  copyFileSync(path.join(__dirname, "../../fixtures/sanctions/generic-pep.csv"), list);
  await w.importLists([list]);
  return {
    listLater: async () => {
      writeFileSync(list, `${readFileSync(list, "utf8")}Oskar Lindqvist Berg,,1969-02-17,Sweden\n`);
      await w.importLists([list]);
    },
  };
}
