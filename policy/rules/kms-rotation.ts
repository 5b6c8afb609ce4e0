import type { PolicyRule } from "../rule";

/** CKV_AWS_7 / AwsSolutions-KMS5: customer keys rotate yearly. */
export const kmsRotation: PolicyRule = {
  id: "CKV_AWS_7 / AwsSolutions-KMS5",
  title: "KMS keys rotate automatically",
  fix: "set enable_key_rotation = true",
  appliesTo: ["aws_kms_key"],
  check: ({ config }) => (config.enable_key_rotation === true ? [] : ["enable_key_rotation is not true"]),
};
