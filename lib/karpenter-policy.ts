import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

export interface KarpenterPolicyScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
  readonly nodeRoleArn: string;
  readonly queueArn: string;
}

/**
 * Karpenter's controller permissions, following the getting-started CloudFormation template of
 * Karpenter v1 (aws/karpenter-provider-aws, website/.../getting-started-with-karpenter/
 * cloudformation.yaml): launches and deletions only of resources tagged for this cluster and a
 * NodePool, instance profiles only for this cluster's EC2NodeClasses, PassRole only for the node
 * role, reads limited to the region.
 */
export function karpenterControllerStatements(s: KarpenterPolicyScope): DataAwsIamPolicyDocumentStatement[] {
  const ec2 = (resource: string) => `arn:${s.partition}:ec2:${s.region}:*:${resource}`;
  const owned = {
    test: "StringEquals",
    variable: `aws:ResourceTag/kubernetes.io/cluster/${s.clusterName}`,
    values: ["owned"],
  };
  const requestOwned = {
    test: "StringEquals",
    variable: `aws:RequestTag/kubernetes.io/cluster/${s.clusterName}`,
    values: ["owned"],
  };
  const requestCluster = {
    test: "StringEquals",
    variable: "aws:RequestTag/eks:eks-cluster-name",
    values: [s.clusterName],
  };
  const anyNodePool = { test: "StringLike", variable: "aws:ResourceTag/karpenter.sh/nodepool", values: ["*"] };
  const requestNodePool = { test: "StringLike", variable: "aws:RequestTag/karpenter.sh/nodepool", values: ["*"] };
  const launched = [
    "fleet/*",
    "instance/*",
    "volume/*",
    "network-interface/*",
    "launch-template/*",
    "spot-instances-request/*",
  ].map(ec2);
  const instanceProfiles = `arn:${s.partition}:iam::${s.accountId}:instance-profile/*`;
  const region = (kind: "Resource" | "Request") => ({
    test: "StringEquals",
    variable: `aws:${kind}Tag/topology.kubernetes.io/region`,
    values: [s.region],
  });
  return [
    {
      sid: "AllowScopedEC2InstanceAccessActions",
      effect: "Allow",
      actions: ["ec2:RunInstances", "ec2:CreateFleet"],
      resources: [
        `arn:${s.partition}:ec2:${s.region}::image/*`,
        `arn:${s.partition}:ec2:${s.region}::snapshot/*`,
        ec2("security-group/*"),
        ec2("subnet/*"),
        ec2("capacity-reservation/*"),
      ],
    },
    {
      sid: "AllowScopedEC2LaunchTemplateAccessActions",
      effect: "Allow",
      actions: ["ec2:RunInstances", "ec2:CreateFleet"],
      resources: [ec2("launch-template/*")],
      condition: [owned, anyNodePool],
    },
    {
      sid: "AllowScopedEC2InstanceActionsWithTags",
      effect: "Allow",
      actions: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
      resources: launched,
      condition: [requestOwned, requestCluster, requestNodePool],
    },
    {
      sid: "AllowScopedResourceCreationTagging",
      effect: "Allow",
      actions: ["ec2:CreateTags"],
      resources: launched,
      condition: [
        requestOwned,
        requestCluster,
        {
          test: "StringEquals",
          variable: "ec2:CreateAction",
          values: ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
        },
        requestNodePool,
      ],
    },
    {
      sid: "AllowScopedResourceTagging",
      effect: "Allow",
      actions: ["ec2:CreateTags"],
      resources: [ec2("instance/*")],
      condition: [
        owned,
        anyNodePool,
        { test: "StringEqualsIfExists", variable: "aws:RequestTag/eks:eks-cluster-name", values: [s.clusterName] },
        {
          test: "ForAllValues:StringEquals",
          variable: "aws:TagKeys",
          values: ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"],
        },
      ],
    },
    {
      sid: "AllowScopedDeletion",
      effect: "Allow",
      actions: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
      resources: [ec2("instance/*"), ec2("launch-template/*")],
      condition: [owned, anyNodePool],
    },
    {
      sid: "AllowPassingInstanceRole",
      effect: "Allow",
      actions: ["iam:PassRole"],
      resources: [s.nodeRoleArn],
      condition: [
        {
          test: "StringEquals",
          variable: "iam:PassedToService",
          values: ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"],
        },
      ],
    },
    {
      sid: "AllowScopedInstanceProfileCreationActions",
      effect: "Allow",
      actions: ["iam:CreateInstanceProfile"],
      resources: [instanceProfiles],
      condition: [
        requestOwned,
        requestCluster,
        region("Request"),
        { test: "StringLike", variable: "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass", values: ["*"] },
      ],
    },
    {
      sid: "AllowScopedInstanceProfileTagActions",
      effect: "Allow",
      actions: ["iam:TagInstanceProfile"],
      resources: [instanceProfiles],
      condition: [
        owned,
        region("Resource"),
        requestOwned,
        requestCluster,
        region("Request"),
        { test: "StringLike", variable: "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass", values: ["*"] },
        { test: "StringLike", variable: "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass", values: ["*"] },
      ],
    },
    {
      sid: "AllowScopedInstanceProfileActions",
      effect: "Allow",
      actions: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
      resources: [instanceProfiles],
      condition: [
        owned,
        region("Resource"),
        { test: "StringLike", variable: "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass", values: ["*"] },
      ],
    },
    {
      sid: "AllowInstanceProfileReadActions",
      effect: "Allow",
      actions: ["iam:GetInstanceProfile"],
      resources: [instanceProfiles],
    },
    {
      sid: "AllowUnscopedInstanceProfileListAction",
      effect: "Allow",
      actions: ["iam:ListInstanceProfiles"],
      resources: ["*"],
    },
    {
      sid: "AllowAPIServerEndpointDiscovery",
      effect: "Allow",
      actions: ["eks:DescribeCluster"],
      resources: [`arn:${s.partition}:eks:${s.region}:${s.accountId}:cluster/${s.clusterName}`],
    },
    {
      sid: "AllowInterruptionQueueActions",
      effect: "Allow",
      actions: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
      resources: [s.queueArn],
    },
    {
      sid: "AllowRegionalReadActions",
      effect: "Allow",
      actions: [
        "ec2:DescribeCapacityReservations",
        "ec2:DescribeImages",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceTypeOfferings",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSpotPriceHistory",
        "ec2:DescribeSubnets",
      ],
      resources: ["*"],
      condition: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [s.region] }],
    },
    {
      sid: "AllowSSMReadActions",
      effect: "Allow",
      actions: ["ssm:GetParameter"],
      resources: [`arn:${s.partition}:ssm:${s.region}::parameter/aws/service/*`],
    },
    {
      sid: "AllowPricingReadActions",
      effect: "Allow",
      actions: ["pricing:GetProducts"],
      resources: ["*"],
    },
  ];
}
