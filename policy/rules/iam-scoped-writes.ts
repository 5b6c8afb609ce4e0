import { isReadOnly, statementsOf, type PolicyRule } from "../rule";

/** CKV_AWS_355 / CKV_AWS_290 / AwsSolutions-IAM5 (resources): writes on "*" must be conditioned. */
export const iamScopedWrites: PolicyRule = {
  id: "CKV_AWS_355 / CKV_AWS_290 / AwsSolutions-IAM5",
  title: 'Write actions on resource "*" carry a condition (tag, service, request)',
  fix: "scope the resources to ARNs, or add a condition such as aws:ResourceTag/<ownership tag>",
  appliesTo: ["data.aws_iam_policy_document"],
  check: (r) =>
    statementsOf(r)
      .filter(
        (s) =>
          s.effect !== "Deny" && !s.principals && (s.resources ?? []).includes("*") && (s.condition ?? []).length === 0,
      )
      .flatMap((s) => {
        const writes = (s.actions ?? []).filter(
          (a) => !isReadOnly(a) && a !== "sts:AssumeRole" && a !== "sts:TagSession",
        );
        return writes.length > 0
          ? [`statement ${s.sid ?? "(no sid)"} allows ${writes.join(", ")} on "*" without a condition`]
          : [];
      }),
};
