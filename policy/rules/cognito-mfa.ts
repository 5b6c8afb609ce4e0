import type { PolicyRule } from "../rule";

/** AwsSolutions-COG2: MFA required for users with a password. */
export const cognitoMfa: PolicyRule = {
  id: "AwsSolutions-COG2",
  title: "Cognito requires MFA",
  fix: 'set auth.mfa: required (mfa_configuration "ON")',
  appliesTo: ["aws_cognito_user_pool"],
  check: ({ config }) =>
    config.mfa_configuration === "ON" ? [] : [`mfa_configuration is ${String(config.mfa_configuration ?? "OFF")}`],
};
