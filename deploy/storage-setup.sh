#!/bin/sh
# compose.yaml's storage-setup: a private bucket, an access key for the app limited to it, and
# the lifecycle rule the presigned uploads need. Idempotent: safe to run on every `up`.
set -eu
until mc alias set store http://minio:9000 minio-admin "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1; do
  sleep 1
done
mc mb --ignore-existing store/kyc-documents
mc anonymous set none store/kyc-documents
cat > /tmp/kyc-app.json <<'POLICY'
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::kyc-documents", "arn:aws:s3:::kyc-documents/*"]
  }]
}
POLICY
mc admin policy create store kyc-app /tmp/kyc-app.json 2>/dev/null || true
mc admin user add store kyc-app "$MINIO_APP_SECRET"
mc admin policy attach store kyc-app --user kyc-app 2>/dev/null || true
# No expiry rule on documents: how long they are kept is a retention decision (AML), made by the
# app, never by object age. A presigned POST that completes but is never confirmed is deleted by
# the app's housekeeping; interrupted multipart uploads are dropped by MinIO itself (its
# `api stale_uploads_expiry`, 24 h by default).
echo "storage-setup: bucket kyc-documents ready"
