import type { PolicyRule } from "../rule";

const REQUIRED = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** CKV_AWS_37 / AwsSolutions-EKS2 / AVD-AWS-0038: every control-plane log type enabled. */
export const eksControlPlaneLogging: PolicyRule = {
  id: "CKV_AWS_37 / AwsSolutions-EKS2 / AVD-AWS-0038",
  title: "EKS control-plane logging: api, audit, authenticator, controllerManager, scheduler",
  fix: `set enabled_cluster_log_types = ${JSON.stringify(REQUIRED)}`,
  appliesTo: ["aws_eks_cluster"],
  check: ({ config }) => {
    const enabled = (config.enabled_cluster_log_types as string[] | undefined) ?? [];
    return REQUIRED.filter((t) => !enabled.includes(t)).map((t) => `log type "${t}" is not enabled`);
  },
};
