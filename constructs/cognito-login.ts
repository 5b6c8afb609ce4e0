import { CognitoIdentityProvider } from "@cdktf/provider-aws/lib/cognito-identity-provider";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { Fn } from "cdktf";
import { Construct } from "constructs";

export type MfaSetting = "required" | "optional" | "off";

export interface CognitoLoginProps {
  /** User pool name. */
  readonly name: string;
  readonly region: string;
  /** Host users open Kubeflow at; the app client's callback and logout URLs are built from it. */
  readonly appHost: string;
  /** Secrets Manager secret with the Google OAuth client as {"client_id", "client_secret"}. */
  readonly googleOAuthSecretName: string;
  /**
   * MFA for users with a Cognito password.
   * @default "required"
   */
  readonly mfa?: MfaSetting;
  /**
   * Let users created in the pool itself sign in, besides Google users.
   * @default true
   */
  readonly allowNativeUsers?: boolean;
  /**
   * "plus" turns on threat protection (enforced); "essentials" has none.
   * @default "plus"
   */
  readonly featurePlan?: "essentials" | "plus";
  /** Exactly one of: a Cognito prefix domain, or a custom domain with its us-east-1 certificate ARN. */
  readonly domain: { readonly prefix: string } | { readonly custom: string; readonly certificateArn: string };
  /**
   * Turn on the pool's deletion protection.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The provider_details keys Cognito adds to a Google identity provider on its own (its endpoints for
 * Google), beyond the three we set. Provider 6.25.0 does not suppress them, so without ignoring them
 * every plan would show their removal and every apply would repeat (the suppression came later,
 * hashicorp/terraform-provider-aws PR #48121, which lists these six). Ignoring them by key leaves
 * client_id, client_secret and authorize_scopes managed: a rotated Google secret still applies.
 */
export const COGNITO_GOOGLE_COMPUTED_DETAILS = [
  "attributes_url",
  "attributes_url_add_attributes",
  "authorize_url",
  "oidc_issuer",
  "token_request_method",
  "token_url",
] as const;

/** Path oauth2-proxy receives the authorization code on. */
export const OAUTH2_CALLBACK_PATH = "/oauth2/callback";
/** Scopes both Google and the app client use: an ID token with email and name. */
export const OIDC_SCOPES = ["openid", "email", "profile"];

/**
 * A Cognito user pool that federates Google for a web app's OIDC client (Kubeflow's
 * oauth2-proxy): admin-created users only, strong passwords and MFA for native users, Google's
 * client credentials read from Secrets Manager at apply time.
 */
export class CognitoLogin extends Construct {
  readonly userPool: CognitoUserPool;
  readonly google: CognitoIdentityProvider;
  readonly client: CognitoUserPoolClient;
  readonly domain: CognitoUserPoolDomain;
  /** OIDC issuer of the pool's tokens. */
  readonly issuerUrl: string;
  /** Host name of the login pages (prefix or custom domain). */
  readonly loginHost: string;

  constructor(scope: Construct, id: string, props: CognitoLoginProps) {
    super(scope, id);
    const plan = props.featurePlan ?? "plus";
    const mfa = props.mfa ?? "required";

    this.userPool = new CognitoUserPool(this, "user-pool", {
      name: props.name,
      userPoolTier: plan.toUpperCase(),
      usernameAttributes: ["email"],
      usernameConfiguration: { caseSensitive: false },
      autoVerifiedAttributes: ["email"],
      // Nobody signs themselves up: users come from Google (federation) or an admin.
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      passwordPolicy: {
        minimumLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 3,
        passwordHistorySize: 5,
      },
      mfaConfiguration: { required: "ON", optional: "OPTIONAL", off: "OFF" }[mfa],
      softwareTokenMfaConfiguration: mfa === "off" ? undefined : { enabled: true },
      accountRecoverySetting: { recoveryMechanism: [{ name: "verified_email", priority: 1 }] },
      userPoolAddOns: plan === "plus" ? { advancedSecurityMode: "ENFORCED" } : undefined,
      deletionProtection: (props.deletionProtection ?? true) ? "ACTIVE" : "INACTIVE",
    });

    const googleSecret = new DataAwsSecretsmanagerSecretVersion(this, "google-oauth-secret", {
      secretId: props.googleOAuthSecretName,
    });
    const secret = Fn.jsondecode(googleSecret.secretString);
    this.google = new CognitoIdentityProvider(this, "google", {
      userPoolId: this.userPool.id,
      providerName: "Google",
      providerType: "Google",
      providerDetails: {
        client_id: Fn.lookup(secret, "client_id"),
        client_secret: Fn.lookup(secret, "client_secret"),
        authorize_scopes: OIDC_SCOPES.join(" "),
      },
      attributeMapping: {
        email: "email",
        // Without it Cognito marks every Google email unverified, and oauth2-proxy refuses it.
        email_verified: "email_verified",
        name: "name",
        username: "sub",
      },
      lifecycle: { ignoreChanges: COGNITO_GOOGLE_COMPUTED_DETAILS.map((key) => `provider_details["${key}"]`) },
    });

    const appUrl = `https://${props.appHost}`;
    this.client = new CognitoUserPoolClient(this, "kubeflow-client", {
      name: `${props.name}-kubeflow`,
      userPoolId: this.userPool.id,
      generateSecret: true,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ["code"],
      allowedOauthScopes: OIDC_SCOPES,
      callbackUrls: [`${appUrl}${OAUTH2_CALLBACK_PATH}`],
      logoutUrls: [`${appUrl}/`],
      supportedIdentityProviders: props.allowNativeUsers === false ? ["Google"] : ["Google", "COGNITO"],
      explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      // oauth2-proxy refreshes its session cookie with the refresh token before the one-hour
      // ID token expires; a working day later the user signs in again (usually a silent
      // redirect through Google).
      idTokenValidity: 60,
      accessTokenValidity: 60,
      refreshTokenValidity: 12,
      tokenValidityUnits: [{ idToken: "minutes", accessToken: "minutes", refreshToken: "hours" }],
      enableTokenRevocation: true,
      preventUserExistenceErrors: "ENABLED",
      dependsOn: [this.google],
    });

    if ("prefix" in props.domain) {
      this.domain = new CognitoUserPoolDomain(this, "domain", {
        domain: props.domain.prefix,
        userPoolId: this.userPool.id,
      });
      this.loginHost = `${props.domain.prefix}.auth.${props.region}.amazoncognito.com`;
    } else {
      this.domain = new CognitoUserPoolDomain(this, "domain", {
        domain: props.domain.custom,
        certificateArn: props.domain.certificateArn,
        userPoolId: this.userPool.id,
      });
      this.loginHost = props.domain.custom;
    }
    this.issuerUrl = `https://${this.userPool.endpoint}`;
  }
}
