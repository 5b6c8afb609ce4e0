import { statementsOf, type PolicyRule } from "../rule";

/** EKS best practices: a workload role trusts one service account, not a cluster or an account. */
export const iamScopedTrust: PolicyRule = {
  id: "KF_IAM_TRUST_SCOPED",
  title: "Role trust policies name a service, or one Kubernetes service account",
  fix: "trust pods.eks.amazonaws.com with conditions on aws:RequestTag/kubernetes-namespace and kubernetes-service-account (PodIdentityRole)",
  appliesTo: ["data.aws_iam_policy_document"],
  check: (r) =>
    statementsOf(r)
      .filter((s) => s.effect !== "Deny" && (s.actions ?? []).some((a) => a.startsWith("sts:AssumeRole")))
      .flatMap((s) => {
        const problems: string[] = [];
        const conditions = (s.condition ?? []).map((c) => c.variable);
        for (const p of s.principals ?? []) {
          if (p.identifiers.includes("*")) problems.push(`statement ${s.sid ?? "(no sid)"} trusts any principal`);
          if (p.type === "Service" && p.identifiers.includes("pods.eks.amazonaws.com")) {
            for (const tag of ["aws:RequestTag/kubernetes-namespace", "aws:RequestTag/kubernetes-service-account"]) {
              if (!conditions.includes(tag)) problems.push(`Pod Identity trust without a ${tag} condition`);
            }
          }
          if (p.type === "Federated" && !conditions.some((v) => v.endsWith(":sub"))) {
            problems.push("web identity trust without a :sub condition naming the service account");
          }
        }
        return problems;
      }),
};
