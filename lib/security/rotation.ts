/**
 * `npm run keys:rotate`: after a new app key was put first in APP_KEYS, re-wraps every live case
 * key under it (the case keys themselves stay, so no personal value is re-encrypted), and seals
 * the case values still written directly under an app key (`v1`, from before case keys) under
 * their case key. Each swap is conditional on the value it read, so it can run beside the app
 * and be run again; once it reports nothing left, the old key can leave APP_KEYS.
 */
import "server-only";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import {
  listCaseKeysWrappedByOther,
  listLegacyCaseValues,
  replaceLegacyCaseValue,
  rewrapCaseKey,
} from "@/lib/db/queries/case-keys";
import { caseCipher, unwrapCaseKey, wrapCaseKey } from "./case-keys";
import { currentKeyId, decryptField } from "./encryption";

const BATCH = 200;

export type RotationReport = { keyId: string; rewrapped: number; resealed: number };

export async function rotateKeys(now = new Date()): Promise<RotationReport> {
  const keyId = currentKeyId();
  let rewrapped = 0;
  for (;;) {
    const rows = await listCaseKeysWrappedByOther(keyId, BATCH);
    if (rows.length === 0) break;
    for (const row of rows) {
      const next = wrapCaseKey(row.caseId, unwrapCaseKey(row));
      if (
        await rewrapCaseKey({
          caseId: row.caseId,
          fromWrapped: row.wrappedKey!,
          toWrapped: next.wrappedKey,
          keyId: next.keyId,
          now,
        })
      )
        rewrapped++;
    }
  }
  let resealed = 0;
  for (;;) {
    const items = await listLegacyCaseValues(BATCH);
    if (items.length === 0) break;
    for (const item of items) {
      const cipher = await caseCipher(item.caseId);
      await replaceLegacyCaseValue(item, cipher.encrypt(decryptField(item.value, item.caseId)));
      resealed++;
    }
  }
  await appendAuditEvent({
    actorType: "system",
    actorId: "keys:rotate",
    action: "keys.rotated",
    data: { keyId, rewrapped, resealed },
    occurredAt: now,
  });
  return { keyId, rewrapped, resealed };
}
