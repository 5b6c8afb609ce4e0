import type { PolicyRule } from "../rule";

/** Ours: node settings (IMDS, disks) are only enforceable through a launch template we own. */
export const eksNodeGroupLaunchTemplate: PolicyRule = {
  id: "KF_EKS_NODEGROUP_LAUNCH_TEMPLATE",
  title: "Every node group uses a launch template of this project",
  fix: "create node groups with the ManagedNodeGroup construct",
  appliesTo: ["aws_eks_node_group"],
  check: ({ config }) =>
    String((config.launch_template as { id?: string } | undefined)?.id ?? "").includes("aws_launch_template.")
      ? []
      : ["the node group has no launch template from this stack"],
};
