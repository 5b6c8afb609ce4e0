import type { PolicyRule } from "../rule";

/** AVD-AWS-0040 (in part): nodes and in-VPC clients reach the API privately. */
export const eksPrivateEndpoint: PolicyRule = {
  id: "KF_EKS_PRIVATE_ENDPOINT / AVD-AWS-0040",
  title: "EKS private endpoint on",
  fix: "set vpc_config.endpoint_private_access = true",
  appliesTo: ["aws_eks_cluster"],
  check: ({ config }) =>
    (config.vpc_config as { endpoint_private_access?: boolean } | undefined)?.endpoint_private_access === true
      ? []
      : ["endpoint_private_access is not true"],
};
