import { ofType, type PolicyRule } from "../rule";

/** EKS best practices: access entries, not the deprecated aws-auth ConfigMap. */
export const eksAccessEntries: PolicyRule = {
  id: "KF_EKS_ACCESS_ENTRIES",
  title: "EKS authentication by access entries only (no aws-auth ConfigMap)",
  fix: 'set access_config.authentication_mode = "API" and grant access with aws_eks_access_entry',
  appliesTo: ["aws_eks_cluster"],
  check: ({ config }, stack) => {
    const problems: string[] = [];
    const mode = (config.access_config as { authentication_mode?: string } | undefined)?.authentication_mode;
    if (mode !== "API") problems.push(`authentication_mode is ${mode ?? "unset (CONFIG_MAP)"}`);
    for (const cm of [...ofType(stack, "kubernetes_config_map"), ...ofType(stack, "kubernetes_config_map_v1")]) {
      if ((cm.config.metadata as { name?: string } | undefined)?.name === "aws-auth")
        problems.push(`${cm.address} manages aws-auth`);
    }
    return problems;
  },
};
