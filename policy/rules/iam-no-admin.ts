import { statementsOf, type PolicyRule } from "../rule";

/** CKV_AWS_62 / R5-IAMPolicyNoStatementsWithAdminAccess: no "*:*" grants. */
export const iamNoAdmin: PolicyRule = {
  id: "CKV_AWS_62 / R5-IAMPolicyNoStatementsWithAdminAccess",
  title: 'No IAM statement allows action "*" on resource "*"',
  fix: "list the actions the workload needs",
  appliesTo: ["data.aws_iam_policy_document"],
  check: (r) =>
    statementsOf(r)
      .filter((s) => s.effect !== "Deny" && (s.actions ?? []).includes("*") && (s.resources ?? []).includes("*"))
      .map((s) => `statement ${s.sid ?? "(no sid)"} grants *:*`),
};
