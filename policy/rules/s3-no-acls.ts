import { ofType, refersTo, type PolicyRule } from "../rule";

/** CKV2_AWS_65 / AwsSolutions-S1-adjacent: ACLs disabled (BucketOwnerEnforced), no ACL resources. */
export const s3NoAcls: PolicyRule = {
  id: "CKV2_AWS_65",
  title: "Every S3 bucket disables ACLs (BucketOwnerEnforced)",
  fix: 'add aws_s3_bucket_ownership_controls with object_ownership "BucketOwnerEnforced" and drop aws_s3_bucket_acl',
  appliesTo: ["aws_s3_bucket"],
  check: (bucket, stack) => {
    const problems: string[] = [];
    const owner = ofType(stack, "aws_s3_bucket_ownership_controls").find((o) =>
      refersTo(o.config.bucket, "aws_s3_bucket", bucket.name),
    );
    if ((owner?.config.rule as { object_ownership?: string } | undefined)?.object_ownership !== "BucketOwnerEnforced") {
      problems.push("object ownership is not BucketOwnerEnforced");
    }
    if (ofType(stack, "aws_s3_bucket_acl").some((a) => refersTo(a.config.bucket, "aws_s3_bucket", bucket.name)))
      problems.push("an ACL is set");
    return problems;
  },
};
