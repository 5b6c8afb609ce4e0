import { buildApp, resource, resources } from "./helpers";

describe("bootstrap stack", () => {
  const { stages, json } = buildApp();
  const j = json(stages.bootstrap);

  it("keeps its own state locally, since the bucket it creates does not exist yet", () => {
    expect(j.terraform.backend).toEqual({ local: { path: "../../../bootstrap.tfstate" } });
  });

  it("creates the configured state bucket, protected from destroy", () => {
    const bucket = resource(j, "aws_s3_bucket", "bucket");
    expect(bucket).toMatchObject({
      bucket: "example-kubeflow-tfstate",
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("versions, encrypts with a rotating KMS key, blocks public access and ACLs, and allows TLS only", () => {
    expect(resource(j, "aws_s3_bucket_versioning", "versioning").versioning_configuration).toEqual({
      status: "Enabled",
    });
    const sse = resource(j, "aws_s3_bucket_server_side_encryption_configuration", "encryption").rule as Record<
      string,
      unknown
    >[];
    expect(sse[0]).toMatchObject({
      apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" },
      bucket_key_enabled: true,
    });
    expect(resource(j, "aws_kms_key", "key")).toMatchObject({
      enable_key_rotation: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(resource(j, "aws_s3_bucket_public_access_block", "public-access-block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resource(j, "aws_s3_bucket_ownership_controls", "ownership").rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
    const [[, policy]] = Object.entries(j.data?.aws_iam_policy_document ?? {});
    expect(policy.statement).toEqual([
      expect.objectContaining({
        effect: "Deny",
        actions: ["s3:*"],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      }),
    ]);
    expect(resources(j, "aws_s3_bucket_policy")).toHaveLength(1);
  });
});
