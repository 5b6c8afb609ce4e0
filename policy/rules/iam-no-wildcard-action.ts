import { statementsOf, type PolicyRule } from "../rule";

/** CKV_AWS_63 / AwsSolutions-IAM5 (actions): no wildcard actions in grants. */
export const iamNoWildcardAction: PolicyRule = {
  id: "CKV_AWS_63 / AwsSolutions-IAM5",
  title: 'No IAM grant uses a wildcard action ("*", "service:*", "service:Put*")',
  fix: "name each action",
  appliesTo: ["data.aws_iam_policy_document"],
  check: (r) =>
    statementsOf(r)
      .filter((s) => s.effect !== "Deny")
      .flatMap((s) =>
        (s.actions ?? []).filter((a) => a.includes("*")).map((a) => `statement ${s.sid ?? "(no sid)"} allows "${a}"`),
      ),
};
