import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * The FSx CSI controller's permissions for dynamic provisioning: the minimal policy of the
 * driver's installation guide (kubernetes-sigs/aws-fsx-csi-driver docs/install.md), with the
 * service-linked role path scoped to this account.
 */
export function fsxCsiControllerStatements(partition: string, accountId: string): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "LinkFileSystemsToS3",
      effect: "Allow",
      actions: ["iam:CreateServiceLinkedRole", "iam:AttachRolePolicy", "iam:PutRolePolicy"],
      resources: [`arn:${partition}:iam::${accountId}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/*`],
    },
    {
      sid: "CreateFsxServiceLinkedRole",
      effect: "Allow",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: ["*"],
      condition: [{ test: "StringLike", variable: "iam:AWSServiceName", values: ["fsx.amazonaws.com"] }],
    },
    {
      sid: "ManageFileSystems",
      effect: "Allow",
      actions: [
        "s3:ListBucket",
        "fsx:CreateFileSystem",
        "fsx:DeleteFileSystem",
        "fsx:DescribeFileSystems",
        "fsx:TagResource",
        "fsx:UpdateFileSystem",
      ],
      resources: ["*"],
    },
  ];
}
