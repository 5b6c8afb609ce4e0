import type { PolicyRule } from "../rule";

/** Ours: no self sign-up; users come from the identity provider or an admin. */
export const cognitoNoSelfSignup: PolicyRule = {
  id: "KF_COG_NO_SELF_SIGNUP",
  title: "Cognito lets only admins create users",
  fix: "set admin_create_user_config.allow_admin_create_user_only = true",
  appliesTo: ["aws_cognito_user_pool"],
  check: ({ config }) =>
    (config.admin_create_user_config as { allow_admin_create_user_only?: boolean } | undefined)
      ?.allow_admin_create_user_only === true
      ? []
      : ["self sign-up is allowed"],
};
