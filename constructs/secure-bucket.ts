import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA as S3BucketVersioning } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { allowPolicyException } from "../policy/exceptions";
import { protectedKey } from "./protected-key";

export interface SecureBucketProps {
  readonly bucketName: string;
  /** What the bucket holds, for the KMS key's description. */
  readonly purpose: string;
  /**
   * Days to keep superseded object versions.
   * @default 90
   */
  readonly noncurrentVersionDays?: number;
  /**
   * Refuse `terraform destroy` of the bucket and its key.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Grants on the bucket's key beyond the account's own IAM policies (e.g. a service-linked role
   * that reads the bucket). Given, the key gets an explicit policy: KMS's default statement (the
   * account's IAM policies decide) plus these.
   * @default - KMS's default key policy
   */
  readonly keyPolicyStatements?: DataAwsIamPolicyDocumentStatement[];
  /**
   * Let `terraform destroy` delete the bucket with every object version in it. Only a deliberate
   * `npm run destroy -- --delete-data` sets it, by applying it just before the destroy.
   * @default false
   */
  readonly forceDestroy?: boolean;
  /** The account id and partition, needed with keyPolicyStatements. @default - none */
  readonly account?: { readonly id: string; readonly partition: string };
}

/**
 * An S3 bucket for data that must not leak or get lost (Terraform state, the team's data sets):
 * versioned, encrypted with its own rotating KMS key, no public access, no ACLs, TLS only, and
 * protected from `terraform destroy` (the bucket and its key carry `prevent_destroy` unless
 * told otherwise).
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly key: KmsKey;
  readonly encryption: S3BucketServerSideEncryptionConfiguration;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const preventDestroy = props.preventDestroy ?? true;
    this.key = protectedKey(this, "key", {
      description: `Encrypts ${props.purpose} in s3://${props.bucketName}`,
      alias: `alias/${props.bucketName}`,
      policy: props.keyPolicyStatements ? this.keyPolicy(props).json : undefined,
      preventDestroy,
    });

    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy ?? false,
      lifecycle: { preventDestroy },
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketVersioning(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    this.encryption = new S3BucketServerSideEncryptionConfiguration(this, "encryption", {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn },
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-old-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "tls-only", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          actions: ["s3:*"],
          principals: [{ type: "*", identifiers: ["*"] }],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    new S3BucketPolicy(this, "policy", { bucket: this.bucket.id, policy: tlsOnly.json });
  }

  /** KMS's default key statement plus the given grants, as one key policy. */
  private keyPolicy(props: SecureBucketProps): DataAwsIamPolicyDocument {
    if (!props.account) throw new Error(`SecureBucket ${props.bucketName}: keyPolicyStatements need the account`);
    const accountRoot = new DataAwsIamPolicyDocument(this, "key-policy-account", {
      statement: [
        {
          sid: "EnableIamUserPermissions",
          effect: "Allow",
          principals: [{ type: "AWS", identifiers: [`arn:${props.account.partition}:iam::${props.account.id}:root`] }],
          actions: ["kms:*"],
          resources: ["*"],
        },
      ],
    });
    allowPolicyException(
      accountRoot,
      "CKV_AWS_63",
      "KMS's default key policy statement: kms:* for the account root hands the key's access control to the account's IAM policies (AWS KMS, Default key policy)",
    );
    const grants = new DataAwsIamPolicyDocument(this, "key-policy-grants", { statement: props.keyPolicyStatements });
    return new DataAwsIamPolicyDocument(this, "key-policy", {
      sourcePolicyDocuments: [accountRoot.json, grants.json],
    });
  }
}
