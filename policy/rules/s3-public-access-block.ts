import { ofType, refersTo, type PolicyRule } from "../rule";

const FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

/** CKV2_AWS_6 / CKV_AWS_53-56 / AwsSolutions-S2: every bucket blocks public access. */
export const s3PublicAccessBlock: PolicyRule = {
  id: "CKV2_AWS_6 / CKV_AWS_53-56 / AwsSolutions-S2",
  title: "Every S3 bucket has a public access block with all four settings on",
  fix: "create buckets with the SecureBucket construct",
  appliesTo: ["aws_s3_bucket"],
  check: (bucket, stack) => {
    const block = ofType(stack, "aws_s3_bucket_public_access_block").find((b) =>
      refersTo(b.config.bucket, "aws_s3_bucket", bucket.name),
    );
    if (!block) return ["no aws_s3_bucket_public_access_block for this bucket"];
    return FLAGS.filter((f) => block.config[f] !== true).map((f) => `${f} is not true`);
  },
};
