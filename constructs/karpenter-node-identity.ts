import { Ec2Tag } from "@cdktf/provider-aws/lib/ec2-tag";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { NodeRole } from "./node-role";

export interface KarpenterNodeIdentityProps {
  readonly clusterName: string;
  readonly partition: string;
  /** The cluster security group, tagged for Karpenter's security group discovery. */
  readonly clusterSecurityGroupId: string;
  /**
   * Resources the access entry waits for (the cluster).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** The tag Karpenter's EC2NodeClass selects subnets and security groups by. */
export const KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery";

/**
 * What Karpenter-launched nodes need from the cluster side: their own IAM role (managed node
 * groups' role already has an access entry EKS made), an EC2_LINUX access entry so they can
 * join, and the discovery tag on the cluster security group.
 */
export class KarpenterNodeIdentity extends Construct {
  readonly role: NodeRole;

  constructor(scope: Construct, id: string, props: KarpenterNodeIdentityProps) {
    super(scope, id);
    this.role = new NodeRole(this, "role", { name: `${props.clusterName}-karpenter-node`, partition: props.partition });
    new EksAccessEntry(this, "access-entry", {
      clusterName: props.clusterName,
      principalArn: this.role.role.arn,
      type: "EC2_LINUX",
      dependsOn: props.dependsOn,
    });
    new Ec2Tag(this, "security-group-discovery", {
      resourceId: props.clusterSecurityGroupId,
      key: KARPENTER_DISCOVERY_TAG,
      value: props.clusterName,
    });
  }
}
