import type { PolicyRule } from "../rule";

/** CKV_AWS_100: no SSH access to nodes (use SSM Session Manager). */
export const eksNodeGroupNoSsh: PolicyRule = {
  id: "CKV_AWS_100",
  title: "Node groups allow no SSH (remote_access)",
  fix: "remove remote_access; reach nodes with SSM Session Manager",
  appliesTo: ["aws_eks_node_group"],
  check: ({ config }) => (config.remote_access ? ["remote_access (SSH) is configured"] : []),
};
