import { decryptField, decryptJson, encryptField, encryptJson } from "@/lib/security/encryption";
import { setTestEnv } from "../../helpers/env";

beforeEach(() => setTestEnv());

describe("field encryption", () => {
  it("round-trips text, including non-Latin scripts", () => {
    for (const value of ["Anna Schmidt", "عمر حداد", "李伟", ""]) {
      expect(decryptField(encryptField(value, "case-1"), "case-1")).toBe(value);
    }
  });

  it("never shows the plaintext and never repeats a ciphertext for the same value", () => {
    const a = encryptField("P1234567", "case-1");
    const b = encryptField("P1234567", "case-1");
    expect(a).not.toContain("P1234567");
    expect(Buffer.from(a.split(".")[3] ?? "", "base64url").toString()).not.toContain("P1234567");
    expect(a).not.toBe(b);
  });

  it("refuses a value moved to another case (the case id is authenticated)", () => {
    const value = encryptField("1990-01-01", "case-1");
    expect(() => decryptField(value, "case-2")).toThrow("failed authentication");
  });

  it("refuses a tampered value", () => {
    const value = encryptField("secret", "case-1");
    const parts = value.split(".");
    const ct = Buffer.from(parts[3] ?? "", "base64url");
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[3] = ct.toString("base64url");
    expect(() => decryptField(parts.join("."), "case-1")).toThrow();
    expect(() => decryptField("v1.k9.x.y.z", "case-1")).toThrow("unreadable");
    expect(() => decryptField("garbage", "case-1")).toThrow("unreadable");
  });

  it("refuses a value whose tag was cut short (GCM checks only the bytes it is given)", () => {
    const value = encryptField("P1234567", "case-1");
    const parts = value.split(".");
    const fullTag = Buffer.from(parts[4]!, "base64url");
    for (const bytes of [4, 8, 12, 15]) {
      const cut = [...parts.slice(0, 4), fullTag.subarray(0, bytes).toString("base64url")].join(
        ".",
      );
      expect(() => decryptField(cut, "case-1")).toThrow("failed authentication");
    }
    expect(decryptField(value, "case-1")).toBe("P1234567");
  });

  it("cannot be read with another APP_SECRET", () => {
    const value = encryptJson({ tin: "DE123" }, "case-1");
    expect(decryptJson(value, "case-1")).toEqual({ tin: "DE123" });
    setTestEnv({ APP_SECRET: "a-completely-different-secret-for-this-test-00" });
    expect(() => decryptJson(value, "case-1")).toThrow();
  });
});
