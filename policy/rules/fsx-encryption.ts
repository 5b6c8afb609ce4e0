import type { PolicyRule } from "../rule";

/** CKV_AWS_190: FSx for Lustre encrypted with a customer-managed key. */
export const fsxEncryption: PolicyRule = {
  id: "CKV_AWS_190",
  title: "FSx for Lustre file systems use a customer-managed KMS key",
  fix: "use deploymentType PERSISTENT_2 (SCRATCH types cannot take a customer key) with kms_key_id",
  appliesTo: ["aws_fsx_lustre_file_system"],
  check: ({ config }) =>
    config.kms_key_id ? [] : [`no kms_key_id (deployment type ${String(config.deployment_type)})`],
};
