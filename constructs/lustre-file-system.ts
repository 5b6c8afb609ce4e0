import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FsxDataRepositoryAssociation } from "@cdktf/provider-aws/lib/fsx-data-repository-association";
import { FsxLustreFileSystem } from "@cdktf/provider-aws/lib/fsx-lustre-file-system";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

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
  /** Security group of the clients (the cluster's nodes). */
  readonly clientSecurityGroupId: string;
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
}

/**
 * FSx for Lustre linked to S3. PERSISTENT_2 is encrypted with its own rotating KMS key and linked
 * through a data repository association that imports and exports new, changed and deleted
 * objects automatically; SCRATCH_2 (which cannot take a customer key) uses import/export paths.
 * Lustre traffic is allowed between the file system and the cluster's nodes only.
 */
export class LustreFileSystem extends Construct {
  readonly fileSystem: FsxLustreFileSystem;
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
    LUSTRE_PORT_RANGES.forEach((range, i) => {
      new VpcSecurityGroupIngressRule(this, `from-nodes-${i}`, {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: props.clientSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: range.from,
        toPort: range.to,
        description: "Lustre from the cluster's nodes",
      });
      new VpcSecurityGroupIngressRule(this, `from-self-${i}`, {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: range.from,
        toPort: range.to,
        description: "Lustre between file servers",
      });
      // LNet connects in both directions, so the nodes accept the servers' connections too.
      new VpcSecurityGroupIngressRule(this, `to-nodes-${i}`, {
        securityGroupId: props.clientSecurityGroupId,
        referencedSecurityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: range.from,
        toPort: range.to,
        description: "Lustre from FSx",
      });
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
      this.key = new KmsKey(this, "key", {
        description: `Encrypts FSx for Lustre file system ${props.name}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        lifecycle: { preventDestroy: props.preventDestroy ?? true },
      });
    }
    const s3Path = `s3://${props.bucketName}/${props.s3Prefix}`.replace(/\/$/, "");
    this.fileSystem = new FsxLustreFileSystem(this, "file-system", {
      deploymentType: props.deploymentType,
      storageType: "SSD",
      storageCapacity: props.storageCapacityGiB,
      subnetIds: [props.subnetId],
      securityGroupIds: [this.securityGroup.id],
      dataCompressionType: "LZ4",
      logConfiguration,
      ...(persistent
        ? {
            perUnitStorageThroughput: props.throughputPerTiB,
            kmsKeyId: this.key!.arn,
            metadataConfiguration: { mode: "AUTOMATIC" },
            automaticBackupRetentionDays: 7,
            skipFinalBackup: false,
          }
        : {
            importPath: s3Path,
            exportPath: `s3://${props.bucketName}/${props.exportPrefix}`.replace(/\/$/, ""),
            autoImportPolicy: "NEW_CHANGED_DELETED",
          }),
      tags: { Name: props.name },
      // The file system holds the team's working data; replacing it loses what was not exported.
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    if (persistent) {
      this.association = new FsxDataRepositoryAssociation(this, "s3-link", {
        fileSystemId: this.fileSystem.id,
        fileSystemPath: "/",
        dataRepositoryPath: s3Path,
        batchImportMetaDataOnCreate: true,
        s3: {
          autoImportPolicy: { events: ["NEW", "CHANGED", "DELETED"] },
          autoExportPolicy: { events: ["NEW", "CHANGED", "DELETED"] },
        },
      });
    }
  }
}
