import type { PolicyRule } from "../rule";

/** CKV_AWS_79 / NIST R5-EC2IMDSv2Enabled / AVD-AWS-0130: IMDSv1 off. */
export const launchTemplateImdsv2: PolicyRule = {
  id: "CKV_AWS_79 / R5-EC2IMDSv2Enabled / AVD-AWS-0130",
  title: "Launch templates require IMDSv2",
  fix: 'set metadata_options.http_tokens = "required"',
  appliesTo: ["aws_launch_template"],
  check: ({ config }) =>
    (config.metadata_options as { http_tokens?: string } | undefined)?.http_tokens === "required"
      ? []
      : ['http_tokens is not "required"'],
};
