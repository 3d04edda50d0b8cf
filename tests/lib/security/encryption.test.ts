import { randomBytes } from "node:crypto";
import {
  decryptField,
  decryptJson,
  encryptField,
  encryptJson,
  FILE_ENVELOPE_OVERHEAD,
  isSealedFile,
  openFileWithDataKey,
  sealFileWithDataKey,
} from "@/lib/security/encryption";
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

describe("the file envelope", () => {
  const key = randomBytes(32);
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2048)]);

  it("round-trips a file, hides it and adds only its fixed overhead", () => {
    const sealed = sealFileWithDataKey(key, jpeg, "document:c/d");
    expect(sealed.subarray(0, 5)).toEqual(Buffer.from([0x4b, 0x59, 0x43, 0x46, 1]));
    expect(sealed.length).toBe(jpeg.length + FILE_ENVELOPE_OVERHEAD);
    expect(sealed.includes(jpeg.subarray(0, 32))).toBe(false);
    expect(isSealedFile(sealed)).toBe(true);
    expect(openFileWithDataKey(key, sealed, "document:c/d")).toEqual(jpeg);
    expect(sealFileWithDataKey(key, jpeg, "document:c/d")).not.toEqual(sealed);
  });

  it("tells files stored in clear apart by their first bytes", () => {
    expect(isSealedFile(jpeg)).toBe(false);
    expect(isSealedFile(Buffer.from("%PDF-1.7\n"))).toBe(false);
    expect(isSealedFile(Buffer.from("KYCF"))).toBe(false);
  });

  it("refuses another document's file, another key, a changed byte, header or a cut tag", () => {
    const sealed = sealFileWithDataKey(key, jpeg, "document:c/d");
    expect(() => openFileWithDataKey(key, sealed, "document:c/e")).toThrow("failed authentication");
    expect(() => openFileWithDataKey(randomBytes(32), sealed, "document:c/d")).toThrow(
      "failed authentication",
    );
    const flipped = Buffer.from(sealed);
    flipped[40] = flipped[40]! ^ 1;
    expect(() => openFileWithDataKey(key, flipped, "document:c/d")).toThrow(
      "failed authentication",
    );
    const version = Buffer.from(sealed);
    version[4] = 2;
    expect(() => openFileWithDataKey(key, version, "document:c/d")).toThrow("unreadable");
    expect(() =>
      openFileWithDataKey(key, sealed.subarray(0, sealed.length - 4), "document:c/d"),
    ).toThrow("failed authentication");
    expect(() => openFileWithDataKey(key, jpeg, "document:c/d")).toThrow("unreadable");
  });
});
