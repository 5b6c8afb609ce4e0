import type { PolicyRule } from "../rule";

/** CKV_AWS_38 / CKV_AWS_39 / AwsSolutions-EKS1: a public API endpoint only for listed networks. */
export const eksPublicEndpoint: PolicyRule = {
  id: "CKV_AWS_39 / CKV_AWS_38 / AwsSolutions-EKS1",
  title: "EKS public endpoint off, or limited to listed CIDRs (never 0.0.0.0/0)",
  fix: "set cluster.endpointPublicAccessCidrs to your office/VPN ranges, or [] for a private endpoint",
  appliesTo: ["aws_eks_cluster"],
  check: ({ config }) => {
    const vpc = (config.vpc_config ?? {}) as { endpoint_public_access?: boolean; public_access_cidrs?: string[] };
    if (vpc.endpoint_public_access === false) return [];
    const cidrs = vpc.public_access_cidrs ?? [];
    if (cidrs.length === 0) return ["the public endpoint is open to every address (no public_access_cidrs)"];
    return cidrs.filter((c) => c === "0.0.0.0/0").map(() => "public_access_cidrs contains 0.0.0.0/0");
  },
};
