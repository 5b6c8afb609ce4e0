import { ofType, refersTo, statementsOf, type PolicyRule } from "../rule";

/** AwsSolutions-S10 / R5-S3BucketSSLRequestsOnly: a bucket policy denying plain HTTP. */
export const s3TlsOnly: PolicyRule = {
  id: "AwsSolutions-S10 / R5-S3BucketSSLRequestsOnly",
  title: "Every S3 bucket's policy denies requests without TLS",
  fix: "add a bucket policy statement: Deny s3:* when aws:SecureTransport is false",
  appliesTo: ["aws_s3_bucket"],
  check: (bucket, stack) => {
    const policy = ofType(stack, "aws_s3_bucket_policy").find((p) =>
      refersTo(p.config.bucket, "aws_s3_bucket", bucket.name),
    );
    if (!policy) return ["no bucket policy"];
    const doc = stack.resources.find(
      (d) =>
        d.type === "data.aws_iam_policy_document" &&
        refersTo(policy.config.policy, "data.aws_iam_policy_document", d.name),
    );
    const denies = doc
      ? statementsOf(doc).some(
          (s) =>
            s.effect === "Deny" &&
            (s.condition ?? []).some((c) => c.variable === "aws:SecureTransport" && c.values.includes("false")),
        )
      : false;
    return denies ? [] : ["the bucket policy does not deny aws:SecureTransport = false"];
  },
};
