import { RENEWAL_REASON, renewalRequest } from "@/lib/kyc/renewal";

const renewal = { reasonCode: RENEWAL_REASON };
const draft = { status: "draft" as const, documentExpiresOn: "2031-05-01" };

describe("renewalRequest: what a renewal draft tells the trader instead of a reject reason", () => {
  it("names the document it replaces, due until its expiry date and expired from that day on (UTC)", () => {
    expect(renewalRequest(draft, renewal, new Date("2031-04-30T23:59:59Z"))).toEqual({
      state: "due",
      documentExpiresOn: "2031-05-01",
    });
    expect(renewalRequest(draft, renewal, new Date("2031-05-01T00:00:00Z"))).toEqual({
      state: "expired",
      documentExpiresOn: "2031-05-01",
    });
  });

  it("has nothing to say about a reviewer's retry, a request without a reason or a case not in draft", () => {
    const now = new Date("2031-04-01T00:00:00Z");
    expect(renewalRequest(draft, { reasonCode: "document_expired" }, now)).toBeNull();
    expect(renewalRequest(draft, {}, now)).toBeNull();
    expect(renewalRequest(draft, null, now)).toBeNull();
    expect(renewalRequest({ ...draft, status: "approved" }, renewal, now)).toBeNull();
    expect(renewalRequest({ ...draft, documentExpiresOn: null }, renewal, now)).toBeNull();
  });
});
