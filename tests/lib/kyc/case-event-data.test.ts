import {
  declineUpgradeData,
  REASON_CODE_KEY,
  REJECT_DATA_KEY,
  rejectData,
  rejectionData,
  REJECTION_KIND,
  renewData,
  requestActionData,
  retryData,
  revokeData,
  upgradeData,
} from "@/lib/kyc/case-event-data";
import { RENEWAL_ITEMS, RENEWAL_REASON } from "@/lib/kyc/renewal";

const identity = [{ kind: "document", documentType: "identity" }];

describe("case event data schemas", () => {
  it("refuse a writer's value whose kind or items drifted, so no unreadable row is stored", () => {
    expect(() => rejectData.parse({ reasonCode: "x", kind: "Retry", items: identity })).toThrow();
    expect(() =>
      rejectData.parse({ reasonCode: "x", outcome: "retry", items: identity }),
    ).toThrow();
    expect(() =>
      retryData.parse({ reasonCode: "x", items: [{ kind: "document", documentType: "passport" }] }),
    ).toThrow();
    expect(() => requestActionData.parse({ items: [] })).toThrow();
    expect(() => revokeData.parse({ reasonCode: "x", kind: "final", items: identity })).toThrow();
    expect(() =>
      upgradeData.parse({ fromLevel: "basic", toLevel: "standard", via: "email", items: [] }),
    ).toThrow();
  });

  it("read what the writers write", () => {
    expect(renewData.parse({ items: RENEWAL_ITEMS, reasonCode: RENEWAL_REASON }).items).toEqual(
      RENEWAL_ITEMS,
    );
    const limited = {
      reasonCode: "document_unreadable",
      kind: "final",
      items: [],
      retryLimitReached: true,
      maxRetryRounds: 3,
    };
    expect(rejectionData.parse(limited)).toEqual(limited);
    const revoked = { reasonCode: "fraud_suspected", kind: "final", items: [] };
    expect(rejectionData.parse(revoked)).toEqual(revoked);
  });

  it("name to SQL only keys and values the schemas hold", () => {
    expect(Object.keys(rejectData.shape)).toContain(REJECT_DATA_KEY.kind);
    expect(rejectData.shape.kind.options).toEqual(Object.values(REJECTION_KIND));
    for (const schema of [rejectData, revokeData, declineUpgradeData])
      expect(Object.keys(schema.shape)).toContain(REASON_CODE_KEY);
  });
});
