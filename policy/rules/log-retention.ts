import type { PolicyRule } from "../rule";

/** Ours (cf. CKV_AWS_338): logs expire on a schedule, neither kept forever nor lost at once. */
export const logRetention: PolicyRule = {
  id: "KF_LOGS_RETENTION",
  title: "CloudWatch log groups set a retention period",
  fix: "set retention_in_days (cluster.logRetentionDays)",
  appliesTo: ["aws_cloudwatch_log_group"],
  check: ({ config }) =>
    Number(config.retention_in_days ?? 0) > 0 ? [] : ["no retention_in_days: logs are kept forever"],
};
