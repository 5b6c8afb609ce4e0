import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";

export interface NodeRoleProps {
  /** IAM role name. */
  readonly name: string;
  /** AWS partition, e.g. "aws" (a Terraform expression is fine). */
  readonly partition: string;
}

/** AWS-managed policies a worker node needs: join the cluster, pull images, run the VPC CNI, be reachable by SSM instead of SSH. */
export const NODE_MANAGED_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonEKS_CNI_Policy",
  "AmazonSSMManagedInstanceCore",
] as const;

/** The IAM role of every managed node group's instances. */
export class NodeRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: NodeRoleProps) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }],
        },
      ],
    });
    this.role = new IamRole(this, "role", { name: props.name, assumeRolePolicy: trust.json });
    for (const policy of NODE_MANAGED_POLICIES) {
      new IamRolePolicyAttachment(this, policy, {
        role: this.role.name,
        policyArn: `arn:${props.partition}:iam::aws:policy/${policy}`,
      });
    }
  }
}
