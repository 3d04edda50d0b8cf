/**
 * The origin a browser posts documents to in s3 mode, for the CSP's connect-src: with
 * STORAGE_DRIVER=s3 the upload screen sends the file straight to the bucket (presigned POST), and
 * a CSP of `connect-src 'self'` would block exactly that request. Kept apart from s3.ts so the
 * proxy, which runs on every request, does not load the AWS SDK.
 *
 * Mirrors where @aws-sdk/s3-presigned-post points the form (checked against the SDK in
 * tests/lib/http/security-headers.test.ts): path style (forced, or a bucket name that is no
 * valid host label over https) posts to the endpoint itself, otherwise to `<bucket>.<endpoint
 * host>`. Without S3_ENDPOINT the endpoint is AWS's regional one.
 */
export type S3Location = {
  bucket: string;
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
};

/** Bucket names the SDK puts in the host name (dots only over plain http, as TLS would fail). */
function virtualHostable(bucket: string, protocol: string): boolean {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) return false;
  if (/\.\.|^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return false;
  return protocol === "http:" || !bucket.includes(".");
}

export function s3UploadOrigin(s3: S3Location): string {
  const suffix = s3.region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  const endpoint = new URL(s3.endpoint ?? `https://s3.${s3.region}.${suffix}`);
  if (s3.forcePathStyle || !virtualHostable(s3.bucket, endpoint.protocol)) return endpoint.origin;
  return `${endpoint.protocol}//${s3.bucket}.${endpoint.host}`;
}
