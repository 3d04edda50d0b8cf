import { eq } from "drizzle-orm";
import { documents } from "@/lib/db/schema";
import type { World } from "./world";

/** Where the confirm stored a document's checked bytes (each confirm names its own key). */
export async function storedKeyOf(w: Pick<World, "db">, documentId: string): Promise<string> {
  const [row] = await w.db.db
    .select({ key: documents.storageKey })
    .from(documents)
    .where(eq(documents.id, documentId));
  if (!row) throw new Error(`no document ${documentId}`);
  return row.key;
}
