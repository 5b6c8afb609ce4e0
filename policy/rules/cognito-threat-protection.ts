import type { PolicyRule } from "../rule";

/** AwsSolutions-COG8 / COG3: threat protection enforced (Plus plan). */
export const cognitoThreatProtection: PolicyRule = {
  id: "AwsSolutions-COG8 / AwsSolutions-COG3",
  title: "Cognito threat protection enforced (Plus plan)",
  fix: "set auth.featurePlan: plus (advanced_security_mode ENFORCED), or record an exception in policy.exceptions",
  appliesTo: ["aws_cognito_user_pool"],
  check: ({ config }) => {
    const mode = (config.user_pool_add_ons as { advanced_security_mode?: string } | undefined)?.advanced_security_mode;
    return config.user_pool_tier === "PLUS" && mode === "ENFORCED"
      ? []
      : [`tier ${String(config.user_pool_tier)}, threat protection ${mode ?? "off"}`];
  },
};
