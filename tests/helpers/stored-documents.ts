import { readdirSync } from "node:fs";
import path from "node:path";

/**
 * Every stored object's document id under a local storage root (…/<documentId> and
 * …/<documentId>.verified-<attempt>; the .meta files beside them are not objects). None when the root
 * does not exist yet.
 */
export function storedDocumentIds(root: string): string[] {
  const ids = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      // The local driver's own folders (`.tmp` for arriving files, `.spent` for deleted upload
      // keys' markers) hold no stored document.
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.endsWith(".meta")) ids.add(entry.name.replace(/\..*$/, ""));
    }
  };
  try {
    walk(root);
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
  return [...ids];
}
