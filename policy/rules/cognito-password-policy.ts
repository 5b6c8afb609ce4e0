import type { PolicyRule } from "../rule";

/** AwsSolutions-COG1: at least 8 characters with upper, lower, digit and symbol. */
export const cognitoPasswordPolicy: PolicyRule = {
  id: "AwsSolutions-COG1",
  title: "Cognito passwords: 8+ characters with upper, lower, digit and symbol",
  fix: "set password_policy { minimum_length >= 8, require_uppercase/lowercase/numbers/symbols = true }",
  appliesTo: ["aws_cognito_user_pool"],
  check: ({ config }) => {
    const p = (config.password_policy ?? {}) as Record<string, unknown>;
    const problems = Number(p.minimum_length ?? 8) >= 8 ? [] : [`minimum_length ${String(p.minimum_length)} < 8`];
    for (const k of ["require_uppercase", "require_lowercase", "require_numbers", "require_symbols"])
      if (p[k] !== true) problems.push(`${k} is not true`);
    return problems;
  },
};
