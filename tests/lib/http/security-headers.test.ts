import { S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { contentSecurityPolicy } from "@/lib/http/security-headers";
import { s3UploadOrigin, type S3Location } from "@/lib/storage/upload-origin";

const base = { nonce: "bm9uY2U=", frameAncestors: ["'self'"], development: false, frameSrc: [] };

function directive(csp: string, name: string): string[] {
  const found = csp.split("; ").find((d) => d.startsWith(`${name} `));
  return found ? found.split(" ").slice(1) : [];
}

/** Where the real SDK points a browser's presigned POST (signing is local: no network). */
async function presignedOrigin(s3: S3Location): Promise<string> {
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const { url } = await createPresignedPost(client, { Bucket: s3.bucket, Key: "k", Expires: 60 });
    return new URL(url).origin;
  } finally {
    client.destroy();
  }
}

const LOCATIONS: [string, S3Location][] = [
  [
    "AWS, virtual-hosted",
    { bucket: "kyc-docs", region: "eu-west-1", endpoint: undefined, forcePathStyle: false },
  ],
  [
    "AWS us-east-1",
    { bucket: "kyc-docs", region: "us-east-1", endpoint: undefined, forcePathStyle: false },
  ],
  [
    "AWS, path style",
    { bucket: "kyc-docs", region: "eu-central-1", endpoint: undefined, forcePathStyle: true },
  ],
  [
    "AWS, dotted bucket over https",
    { bucket: "kyc.docs.example", region: "eu-west-1", endpoint: undefined, forcePathStyle: false },
  ],
  [
    "MinIO, path style",
    { bucket: "kyc", region: "us-east-1", endpoint: "http://127.0.0.1:9000", forcePathStyle: true },
  ],
  [
    "S3-compatible, virtual-hosted",
    {
      bucket: "kyc",
      region: "auto",
      endpoint: "https://store.example.com:8443",
      forcePathStyle: false,
    },
  ],
];

describe("content security policy", () => {
  it("lets scripts and connections reach only our own origin by default", () => {
    const csp = contentSecurityPolicy(base);
    expect(directive(csp, "connect-src")).toEqual(["'self'"]);
    expect(directive(csp, "script-src")).toContain("'nonce-bm9uY2U='");
    expect(directive(csp, "object-src")).toEqual(["'none'"]);
  });

  it("adds the extra connect-src origins it is given, after 'self'", () => {
    const csp = contentSecurityPolicy({
      ...base,
      connectSrc: ["https://kyc.s3.eu-west-1.amazonaws.com"],
    });
    expect(directive(csp, "connect-src")).toEqual([
      "'self'",
      "https://kyc.s3.eu-west-1.amazonaws.com",
    ]);
    expect(directive(csp, "default-src")).toEqual(["'self'"]);
  });

  it.each(LOCATIONS)(
    "in s3 mode allows the exact origin the SDK's presigned POST targets (%s)",
    async (_name, s3) => {
      const origin = await presignedOrigin(s3);
      expect(s3UploadOrigin(s3)).toBe(origin);
      const csp = contentSecurityPolicy({ ...base, connectSrc: [s3UploadOrigin(s3)] });
      expect(directive(csp, "connect-src")).toContain(origin);
    },
  );
});

describe("img-src", () => {
  it("allows only our own origin (plus data:/blob:) unless an extra origin is given, e.g. the bucket for console previews", () => {
    const base = { nonce: "n", frameAncestors: ["'self'"], development: false, frameSrc: [] };
    expect(contentSecurityPolicy(base)).toContain("img-src 'self' data: blob:;");
    expect(
      contentSecurityPolicy({ ...base, imgSrc: ["https://docs.s3.eu-west-1.amazonaws.com"] }),
    ).toContain("img-src 'self' data: blob: https://docs.s3.eu-west-1.amazonaws.com;");
  });
});

describe("headers of what the proxy does not see (next.config.ts)", () => {
  async function rules(phase: string) {
    const config = (await import("@/next.config")).default(phase);
    return (await config.headers!()) as {
      source: string;
      headers: { key: string; value: string }[];
    }[];
  }
  const get = (rule: { headers: { key: string; value: string }[] }, key: string) =>
    rule.headers.filter((h) => h.key === key).map((h) => h.value);

  it("gives static assets, icons and the local storage route nosniff, a CSP that runs nothing and HSTS", async () => {
    const list = await rules("phase-production-server");
    for (const source of [
      "/_next/static/:path*",
      "/:file(favicon.ico|icon.svg)",
      "/api/uploads/local/:path*",
    ]) {
      const rule = list.find((r) => r.source === source)!;
      expect(get(rule, "X-Content-Type-Options")).toEqual(["nosniff"]);
      expect(get(rule, "Content-Security-Policy")).toEqual([
        "default-src 'none'; frame-ancestors 'none'; sandbox",
      ]);
      expect(get(rule, "Strict-Transport-Security")).toEqual([
        "max-age=63072000; includeSubDomains",
      ]);
    }
    const storage = list.find((r) => r.source === "/api/uploads/local/:path*")!;
    expect(get(storage, "Cross-Origin-Resource-Policy")).toEqual(["same-origin"]);
  });

  it("sends no HSTS from the dev server (plain http on localhost)", async () => {
    const list = await rules("phase-development-server");
    expect(list.flatMap((r) => get(r, "Strict-Transport-Security"))).toEqual([]);
  });
});
