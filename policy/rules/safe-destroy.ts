import type { PolicyRule } from "../rule";

/** Ours: stateful resources survive an accidental destroy. */
export const safeDestroy: PolicyRule = {
  id: "KF_SAFE_DESTROY",
  title: "Buckets, KMS keys, FSx file systems and user pools are protected from destroy",
  fix: "keep protection.preventDestroy: true (set it false, deploy, then destroy to remove them on purpose)",
  appliesTo: ["aws_s3_bucket", "aws_kms_key", "aws_fsx_lustre_file_system", "aws_cognito_user_pool"],
  check: ({ type, config }) => {
    if (type === "aws_cognito_user_pool")
      return config.deletion_protection === "ACTIVE" ? [] : ["deletion_protection is not ACTIVE"];
    const protectedByLifecycle =
      (config.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy === true;
    return protectedByLifecycle ? [] : ["no lifecycle.prevent_destroy"];
  },
};
