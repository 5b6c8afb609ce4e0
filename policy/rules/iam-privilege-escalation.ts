import { statementsOf, type PolicyRule } from "../rule";

/** Actions that let a principal raise its own permissions when granted on any resource. */
export const ESCALATION_ACTIONS = [
  "iam:PassRole",
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:AttachRolePolicy",
  "iam:AttachUserPolicy",
  "iam:AttachGroupPolicy",
  "iam:PutRolePolicy",
  "iam:PutUserPolicy",
  "iam:PutGroupPolicy",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:UpdateAssumeRolePolicy",
  "iam:AddUserToGroup",
];

/** CKV_AWS_286 / CKV_AWS_289: no privilege escalation paths. */
export const iamPrivilegeEscalation: PolicyRule = {
  id: "CKV_AWS_286 / CKV_AWS_289",
  title: "No IAM permission-management action on unscoped resources",
  fix: "scope such actions to specific role ARNs (e.g. a service-linked role path) or drop them",
  appliesTo: ["data.aws_iam_policy_document"],
  check: (r) =>
    statementsOf(r)
      .filter(
        (s) =>
          s.effect !== "Deny" &&
          (s.resources ?? []).some((res) => res === "*" || /:(role|user|group|policy)\/\*$/.test(res)),
      )
      .flatMap((s) =>
        (s.actions ?? [])
          .filter((a) => ESCALATION_ACTIONS.includes(a))
          .map((a) => `statement ${s.sid ?? "(no sid)"} allows ${a} on any principal`),
      ),
};
