import { parseScreenParams, screenOf } from "@/lib/inapp/params";

const parse = (query: string) => parseScreenParams(new URLSearchParams(query));

describe("screen URL parameters", () => {
  it("reads every documented parameter and ignores unknown ones", () => {
    const p = parse(
      "token=abc123&lang=de&source=iOS&theme=dark&kycType=Enhanced&documentType=identity&account=123456&utm_source=app&foo=bar",
    );
    expect(p).toEqual({
      token: "abc123",
      lang: "de",
      source: "iOS",
      theme: "dark",
      kycType: "enhanced",
      documentType: "identity",
      account: "123456",
      utm: { utm_source: "app" },
    });
  });

  it("compares source and theme case-insensitively and normalises them", () => {
    expect(parse("source=ios&theme=DARK")).toMatchObject({ source: "iOS", theme: "dark" });
    expect(parse("source=MACOS")).toMatchObject({ source: "MacOS" });
    expect(parse("source=desktop")).toMatchObject({ source: "Desktop" });
  });

  it("reduces a regional language to the base language and drops languages we do not ship", () => {
    expect(parse("lang=de-CH").lang).toBe("de");
    expect(parse("lang=pt_BR").lang).toBe("pt");
    expect(parse("lang=xx").lang).toBeUndefined();
  });

  it("drops values that are not what the contract allows instead of failing", () => {
    expect(
      parse("theme=purple&source=Amiga&account=12a&documentType=passport_scan&kycType=<script>"),
    ).toMatchObject({
      theme: undefined,
      source: undefined,
      account: undefined,
      documentType: undefined,
      kycType: undefined,
    });
  });

  it("marks an absurdly long token as malformed rather than truncating it", () => {
    expect(parse(`token=${"a".repeat(5000)}`).token).toBe("");
    expect(parse("").token).toBeUndefined();
  });

  it("knows the three screens, with or without a trailing slash", () => {
    expect(screenOf("/inapp/kyc")).toBe("kyc");
    expect(screenOf("/inapp/kyc/upload/")).toBe("upload");
    expect(screenOf("/inapp/kyc/status")).toBe("status");
    expect(screenOf("/inapp/kyc/other")).toBeUndefined();
  });
});
