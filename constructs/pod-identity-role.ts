import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";

export interface PodIdentityRoleProps {
  /** IAM role name. */
  readonly roleName: string;
  readonly clusterName: string;
  /** The one namespace and service account allowed to use the role. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Account id of the cluster (a Terraform expression is fine). */
  readonly accountId: string;
  /** What the workload may do. */
  readonly statements: DataAwsIamPolicyDocumentStatement[];
  /**
   * AWS managed policies attached besides the statements (ARNs).
   * @default - none
   */
  readonly managedPolicyArns?: readonly string[];
}

/**
 * An IAM role for one Kubernetes service account through EKS Pod Identity. The association binds
 * it to the service account, and the trust policy independently insists on the session tags EKS
 * sets (cluster, namespace, service account), so the role is useless to anything else.
 */
export class PodIdentityRole extends Construct {
  readonly role: IamRole;
  readonly association: EksPodIdentityAssociation;
  readonly permissions: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole", "sts:TagSession"],
          principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] },
            { test: "StringEquals", variable: "aws:RequestTag/eks-cluster-name", values: [props.clusterName] },
            { test: "StringEquals", variable: "aws:RequestTag/kubernetes-namespace", values: [props.namespace] },
            {
              test: "StringEquals",
              variable: "aws:RequestTag/kubernetes-service-account",
              values: [props.serviceAccount],
            },
          ],
        },
      ],
    });
    this.role = new IamRole(this, "role", { name: props.roleName, assumeRolePolicy: trust.json });
    this.permissions = new DataAwsIamPolicyDocument(this, "permissions", { statement: props.statements });
    new IamRolePolicy(this, "policy", { name: "permissions", role: this.role.id, policy: this.permissions.json });
    (props.managedPolicyArns ?? []).forEach((policyArn, i) => {
      new IamRolePolicyAttachment(this, `managed-policy-${i}`, { role: this.role.name, policyArn });
    });
    this.association = new EksPodIdentityAssociation(this, "association", {
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.arn,
    });
  }
}
