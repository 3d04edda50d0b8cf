import { identityReopenedAt } from "@/lib/kyc/requested-items";

const at = (day: number) => new Date(Date.UTC(2026, 0, day));
const identity = { items: [{ kind: "document", documentType: "identity" }] };
const address = { items: [{ kind: "document", documentType: "address" }] };

describe("identityReopenedAt", () => {
  it("is the last request, retry, renewal or upgrade that asked for the identity again", () => {
    expect(identityReopenedAt([{ event: "submit", occurredAt: at(1) }])).toBeNull();
    expect(
      identityReopenedAt([
        { event: "request_action", occurredAt: at(2), data: identity },
        { event: "request_action", occurredAt: at(3), data: address },
      ]),
    ).toEqual(at(2));
    expect(identityReopenedAt([{ event: "upgrade", occurredAt: at(4), data: address }])).toEqual(
      at(4),
    );
  });

  it("takes back a declined upgrade's asks, its requests included: the approved round's evidence is in force again", () => {
    const approved = [
      { event: "request_action", occurredAt: at(1), data: identity },
      { event: "approve", occurredAt: at(2) },
    ];
    const upgrade = [
      ...approved,
      { event: "upgrade", occurredAt: at(3), data: address },
      { event: "request_action", occurredAt: at(4), data: identity },
    ];
    expect(identityReopenedAt(upgrade)).toEqual(at(4));
    expect(
      identityReopenedAt([...upgrade, { event: "decline_upgrade", occurredAt: at(5) }]),
    ).toEqual(at(1));
    // Never asked before the upgrade: nothing was asked again once it is declined.
    expect(
      identityReopenedAt([
        { event: "approve", occurredAt: at(2) },
        { event: "upgrade", occurredAt: at(3) },
        { event: "decline_upgrade", occurredAt: at(5) },
      ]),
    ).toBeNull();
  });

  it("takes back a declined early renewal, and counts the next upgrade after a decline", () => {
    const declined = [
      { event: "approve", occurredAt: at(2) },
      { event: "renew", occurredAt: at(3), data: identity },
      { event: "decline_upgrade", occurredAt: at(4) },
    ];
    expect(identityReopenedAt(declined)).toBeNull();
    expect(identityReopenedAt([...declined, { event: "upgrade", occurredAt: at(6) }])).toEqual(
      at(6),
    );
  });
});
