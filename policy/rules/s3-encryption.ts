import { ofType, refersTo, type PolicyRule } from "../rule";

/** CKV_AWS_145 / CKV_AWS_19 / R5-S3DefaultEncryptionKMS: default encryption with KMS. */
export const s3Encryption: PolicyRule = {
  id: "CKV_AWS_145 / CKV_AWS_19 / R5-S3DefaultEncryptionKMS",
  title: "Every S3 bucket encrypts by default with KMS",
  fix: 'add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm "aws:kms"',
  appliesTo: ["aws_s3_bucket"],
  check: (bucket, stack) => {
    const sse = ofType(stack, "aws_s3_bucket_server_side_encryption_configuration").find((s) =>
      refersTo(s.config.bucket, "aws_s3_bucket", bucket.name),
    );
    const rules =
      (sse?.config.rule as { apply_server_side_encryption_by_default?: { sse_algorithm?: string } }[] | undefined) ??
      [];
    return rules.some((r) => r.apply_server_side_encryption_by_default?.sse_algorithm?.startsWith("aws:kms"))
      ? []
      : ["no KMS default encryption"];
  },
};
