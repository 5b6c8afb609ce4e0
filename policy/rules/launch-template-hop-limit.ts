import type { PolicyRule } from "../rule";

/** CKV_AWS_341: pods on the pod network cannot reach the node's instance role. */
export const launchTemplateHopLimit: PolicyRule = {
  id: "CKV_AWS_341",
  title: "Launch templates set an IMDS hop limit of 1",
  fix: "set metadata_options.http_put_response_hop_limit = 1 (give pods AWS access through Pod Identity)",
  appliesTo: ["aws_launch_template"],
  check: ({ config }) => {
    const limit = (config.metadata_options as { http_put_response_hop_limit?: number } | undefined)
      ?.http_put_response_hop_limit;
    return limit === 1
      ? []
      : [`http_put_response_hop_limit is ${limit ?? "unset (default 1 only with IMDSv2 defaults)"}`];
  },
};
