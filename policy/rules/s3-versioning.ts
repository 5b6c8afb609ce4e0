import { ofType, refersTo, type PolicyRule } from "../rule";

/** CKV_AWS_21 / R5-S3BucketVersioningEnabled: versioned buckets (recover from a bad write). */
export const s3Versioning: PolicyRule = {
  id: "CKV_AWS_21 / R5-S3BucketVersioningEnabled",
  title: "Every S3 bucket is versioned",
  fix: 'add aws_s3_bucket_versioning with status "Enabled"',
  appliesTo: ["aws_s3_bucket"],
  check: (bucket, stack) => {
    const v = ofType(stack, "aws_s3_bucket_versioning").find((x) =>
      refersTo(x.config.bucket, "aws_s3_bucket", bucket.name),
    );
    return (v?.config.versioning_configuration as { status?: string } | undefined)?.status === "Enabled"
      ? []
      : ["versioning is not enabled"];
  },
};
