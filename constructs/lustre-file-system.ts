import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FsxDataRepositoryAssociation } from "@cdktf/provider-aws/lib/fsx-data-repository-association";
import { FsxLustreFileSystem } from "@cdktf/provider-aws/lib/fsx-lustre-file-system";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { IResolvable, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { protectedKey } from "./protected-key";

/**
 * The Lustre version of the file system: 2.15, the client the EKS AL2023 nodes install
 * (lustre-client from the AL2023 repositories) and the newest the FSx CSI driver documents for
 * current kernels (aws-fsx-csi-driver docs/install.md at v1.9.0, fileSystemTypeVersion "2.15").
 */
export const LUSTRE_VERSION = "2.15";

/** Where FSx's S3 data repository service-linked roles live; one per file system, `_<fs id>` at the end. */
export const FSX_S3_SERVICE_LINKED_ROLE_PATH =
  "aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_";

/**
 * The key policy statement a customer-managed key of an SSE-KMS bucket needs so FSx can import
 * from and export to it: AWS's statement (FSx for Lustre user guide, "Working with server-side
 * encrypted Amazon S3 buckets"), with its wildcard actions spelled out and, instead of one file
 * system's role, every FSx S3 data repository role of the account (AWSServiceRoleForFSxS3Access_*).
 * That keeps the key free of the file system's id: no dependency cycle between key, bucket and file
 * system, and a replaced file system keeps access. The encryption context is the bucket's ARN with
 * S3 Bucket Keys on (as SecureBucket sets), its objects' ARNs without.
 */
export function fsxDataRepositoryKeyStatement(args: {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  readonly bucketName: string;
}): DataAwsIamPolicyDocumentStatement {
  const bucketArn = `arn:${args.partition}:s3:::${args.bucketName}`;
  return {
    sid: "FsxS3DataRepositoryUseOfTheKey",
    effect: "Allow",
    principals: [{ type: "AWS", identifiers: ["*"] }],
    actions: [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:DescribeKey",
    ],
    resources: ["*"],
    condition: [
      {
        test: "ArnLike",
        variable: "aws:PrincipalArn",
        values: [`arn:${args.partition}:iam::${args.accountId}:role/${FSX_S3_SERVICE_LINKED_ROLE_PATH}*`],
      },
      { test: "StringEquals", variable: "kms:CallerAccount", values: [args.accountId] },
      { test: "StringEquals", variable: "kms:ViaService", values: [`s3.${args.region}.amazonaws.com`] },
      { test: "StringLike", variable: "kms:EncryptionContext:aws:s3:arn", values: [bucketArn, `${bucketArn}/*`] },
    ],
  };
}

/** What the S3 link imports and exports automatically (PERSISTENT_2's data repository association). */
export const LINK_EVENTS: readonly ("NEW" | "CHANGED" | "DELETED")[] = ["NEW", "CHANGED", "DELETED"];

/** The S3 path a file system is linked to: the bucket, and the prefix without its trailing "/". */
export function linkedS3Path(bucketName: string, prefix: string): string {
  return `s3://${bucketName}/${prefix}`.replace(/\/$/, "");
}

/** Lustre's ports (FSx for Lustre user guide): 988, and 1018-1023 for LNet. */
export const LUSTRE_PORT_RANGES: readonly { readonly from: number; readonly to: number }[] = [
  { from: 988, to: 988 },
  { from: 1018, to: 1023 },
];

export interface LustreFileSystemProps {
  readonly name: string;
  readonly vpcId: string;
  /** The one subnet (zone) the file system lives in. */
  readonly subnetId: string;
  /**
   * Security group of the clients (the cluster's nodes); Lustre is allowed between it and the file system.
   * @default - no client rules: the file system kept while its cluster is torn down (the cluster's group goes with the cluster)
   */
  readonly clientSecurityGroupId?: string;
  readonly deploymentType: "PERSISTENT_2" | "SCRATCH_2";
  readonly storageCapacityGiB: number;
  /** PERSISTENT_2 only: MB/s per TiB. */
  readonly throughputPerTiB: number;
  /** The linked bucket, e.g. "my-bucket". */
  readonly bucketName: string;
  /** Linked S3 prefix ("" or ending in "/"). */
  readonly s3Prefix: string;
  /** SCRATCH_2 only: export prefix. */
  readonly exportPrefix: string;
  /**
   * Days to keep the file system's logs.
   * @default 90
   */
  readonly logRetentionDays?: number;
  /**
   * Refuse `terraform destroy` of the file system and its key.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * What the S3 link must wait for (the bucket and its encryption, when this stack creates them).
   * @default - none
   */
  readonly dataRepositoryDependsOn?: ITerraformDependable[];
  /**
   * Build the file system and its S3 link. false builds the rest (security group, logs, key) at the
   * same construct paths: what a parked fsx stage keeps (stacks/fsx-parked-stack.ts).
   * @default true
   */
  readonly withFileSystem?: boolean;
  /**
   * Deleting the file system skips the final backup (`skip_final_backup`, in state: the provider's
   * delete reads it from there). PERSISTENT_2 only: the provider sends no backup setting for SCRATCH_*.
   * FSx takes no backups of a file system linked to S3, which this one always is.
   * @default true
   */
  readonly skipFinalBackup?: boolean | IResolvable;
}

/**
 * FSx for Lustre linked to S3. PERSISTENT_2 is encrypted with its own rotating KMS key and linked
 * through a data repository association that imports and exports new, changed and deleted
 * objects automatically; SCRATCH_2 (which cannot take a customer key) uses import/export paths.
 * Lustre traffic is allowed between the file system and the cluster's nodes only.
 */
export class LustreFileSystem extends Construct {
  /** Undefined when built without it (withFileSystem: false). */
  readonly fileSystem?: FsxLustreFileSystem;
  readonly securityGroup: SecurityGroup;
  readonly key?: KmsKey;
  readonly association?: FsxDataRepositoryAssociation;

  constructor(scope: Construct, id: string, props: LustreFileSystemProps) {
    super(scope, id);
    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: `${props.name}-lustre`,
      description: "FSx for Lustre: Lustre traffic from the cluster's nodes and between file servers",
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-lustre` },
    });
    const clients = props.clientSecurityGroupId;
    LUSTRE_PORT_RANGES.forEach((range, i) => {
      if (clients !== undefined) {
        new VpcSecurityGroupIngressRule(this, `from-nodes-${i}`, {
          securityGroupId: this.securityGroup.id,
          referencedSecurityGroupId: clients,
          ipProtocol: "tcp",
          fromPort: range.from,
          toPort: range.to,
          description: "Lustre from the cluster's nodes",
        });
      }
      new VpcSecurityGroupIngressRule(this, `from-self-${i}`, {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: range.from,
        toPort: range.to,
        description: "Lustre between file servers",
      });
      if (clients !== undefined) {
        // LNet connects in both directions, so the nodes accept the servers' connections too.
        new VpcSecurityGroupIngressRule(this, `to-nodes-${i}`, {
          securityGroupId: clients,
          referencedSecurityGroupId: this.securityGroup.id,
          ipProtocol: "tcp",
          fromPort: range.from,
          toPort: range.to,
          description: "Lustre from FSx",
        });
      }
    });
    new VpcSecurityGroupEgressRule(this, "egress", {
      securityGroupId: this.securityGroup.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "-1",
      description: "FSx replies and data repository traffic",
    });

    const logs = new CloudwatchLogGroup(this, "logs", {
      // FSx only writes to groups under /aws/fsx/.
      name: `/aws/fsx/${props.name}`,
      retentionInDays: props.logRetentionDays ?? 90,
    });
    const logConfiguration = { level: "WARN_ERROR", destination: logs.arn };
    const persistent = props.deploymentType === "PERSISTENT_2";
    if (persistent) {
      this.key = protectedKey(this, "key", {
        description: `Encrypts FSx for Lustre file system ${props.name}`,
        preventDestroy: props.preventDestroy,
      });
    }
    if (props.withFileSystem === false) return;
    const s3Path = linkedS3Path(props.bucketName, props.s3Prefix);
    const fileSystem = new FsxLustreFileSystem(this, "file-system", {
      deploymentType: props.deploymentType,
      storageType: "SSD",
      storageCapacity: props.storageCapacityGiB,
      fileSystemTypeVersion: LUSTRE_VERSION,
      subnetIds: [props.subnetId],
      securityGroupIds: [this.securityGroup.id],
      dataCompressionType: "LZ4",
      logConfiguration,
      ...(persistent
        ? {
            perUnitStorageThroughput: props.throughputPerTiB,
            kmsKeyId: this.key!.arn,
            metadataConfiguration: { mode: "AUTOMATIC" },
            // "File system backups aren't supported on file systems that are linked to an Amazon
            // S3 data repository" (FSx for Lustre guide, Using data repositories; CreateBackup:
            // Lustre backups only for file systems "not linked to a data repository"). This one
            // is linked, so no automatic backups and no final backup: its data lives in the bucket.
            automaticBackupRetentionDays: 0,
            skipFinalBackup: props.skipFinalBackup ?? true,
          }
        : {
            importPath: s3Path,
            exportPath: linkedS3Path(props.bucketName, props.exportPrefix),
            autoImportPolicy: "NEW_CHANGED_DELETED",
          }),
      tags: { Name: props.name },
      // The file system holds the team's working data; replacing it loses what was not exported.
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
      // SCRATCH_2 imports at creation: the bucket must be there and readable first.
      dependsOn: persistent ? undefined : props.dataRepositoryDependsOn,
    });
    this.fileSystem = fileSystem;
    if (persistent) {
      this.association = new FsxDataRepositoryAssociation(this, "s3-link", {
        fileSystemId: fileSystem.id,
        fileSystemPath: "/",
        dataRepositoryPath: s3Path,
        // "run an import data repository task to import metadata from the data repository to the file
        // system after the data repository association is created" (FSx API, CreateDataRepositoryAssociation
        // BatchImportMetaDataOnCreate), so a file system created again (npm run fsx -- unpark) lists what
        // is in S3. The provider sends it when set (terraform-provider-aws v6.25.0,
        // resourceDataRepositoryAssociationCreate:40-41).
        batchImportMetaDataOnCreate: true,
        dependsOn: props.dataRepositoryDependsOn,
        s3: {
          autoImportPolicy: { events: [...LINK_EVENTS] },
          autoExportPolicy: { events: [...LINK_EVENTS] },
        },
      });
    }
  }
}
