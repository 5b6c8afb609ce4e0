import { TerraformOutput, Testing } from "cdktf";
import type { Construct } from "constructs";
import type { Config } from "../config/schema";
import { AuthStack } from "../stacks/auth-stack";
import { BaseStack } from "../stacks/base-stack";
import {
  buildApp,
  configWith,
  dataSources,
  defaultConfig,
  referencedAddress,
  resource,
  resources,
  synth,
} from "./helpers";
import { applyThenPlan, describeWithTerraform } from "./terraform-eval";

type Body = Record<string, unknown>;

function authOf(config?: Config) {
  const { stages, json } = buildApp(config);
  return json(stages.auth);
}
const withAuth = (change: (a: Config["auth"]) => Config["auth"]) => configWith((c) => ({ ...c, auth: change(c.auth) }));

const auth = authOf();
const pool = resource(auth, "aws_cognito_user_pool", "user-pool");
const client = resource(auth, "aws_cognito_user_pool_client", "kubeflow-client");
const google = resource(auth, "aws_cognito_identity_provider", "google");

describe("auth stack: user pool", () => {
  it("uses email as the username and lets only admins create users", () => {
    expect(pool.username_attributes).toEqual(["email"]);
    expect(pool.admin_create_user_config).toEqual({ allow_admin_create_user_only: true });
  });

  it("meets cdk-nag AwsSolutions-COG1: length >= 8 with upper, lower, digit and symbol", () => {
    const policy = pool.password_policy as Body;
    expect(Number(policy.minimum_length)).toBeGreaterThanOrEqual(8);
    expect(policy).toMatchObject({
      require_uppercase: true,
      require_lowercase: true,
      require_numbers: true,
      require_symbols: true,
    });
  });

  it("requires MFA for native users by default, configurable", () => {
    expect(pool.mfa_configuration).toBe("ON");
    expect(pool.software_token_mfa_configuration).toEqual({ enabled: true });
    const optional = resource(
      authOf(withAuth((a) => ({ ...a, mfa: "optional" }))),
      "aws_cognito_user_pool",
      "user-pool",
    );
    expect(optional.mfa_configuration).toBe("OPTIONAL");
  });

  it("is protected from deletion and enforces threat protection on the Plus plan", () => {
    expect(pool.deletion_protection).toBe("ACTIVE");
    expect(pool.user_pool_tier).toBe("PLUS");
    expect(pool.user_pool_add_ons).toEqual({ advanced_security_mode: "ENFORCED" });
    const essentials = resource(
      authOf(withAuth((a) => ({ ...a, featurePlan: "essentials" }))),
      "aws_cognito_user_pool",
      "user-pool",
    );
    expect(essentials.user_pool_tier).toBe("ESSENTIALS");
    expect(essentials).not.toHaveProperty("user_pool_add_ons");
  });
});

describe("auth stack: Google federation", () => {
  it("reads Google's client id and secret from the configured Secrets Manager secret, never a literal", () => {
    const details = google.provider_details as Record<string, string>;
    const [[versionId, version]] = dataSources(auth, "aws_secretsmanager_secret_version");
    expect(version.secret_id).toBe("kubeflow/google-oauth");
    for (const key of ["client_id", "client_secret"]) {
      expect(details[key]).toMatch(
        new RegExp(`^\\$\\{jsondecode\\(data\\.aws_secretsmanager_secret_version\\.${versionId}\\.secret_string\\)`),
      );
    }
    expect(details.authorize_scopes).toBe("openid email profile");
  });

  it("maps email, email_verified, name and the Google subject as username", () => {
    expect(google).toMatchObject({ provider_name: "Google", provider_type: "Google" });
    expect(google.attribute_mapping).toEqual({
      email: "email",
      email_verified: "email_verified",
      name: "name",
      username: "sub",
    });
  });
});

describe("auth stack: the Google provider's plan is stable", () => {
  // What Cognito stores for a Google provider: ours plus the six it adds (provider PR #48121).
  const COGNITO_ADDS = [
    "attributes_url",
    "attributes_url_add_attributes",
    "authorize_url",
    "oidc_issuer",
    "token_request_method",
    "token_url",
  ];
  const ignored = (google.lifecycle as { ignore_changes: string[] }).ignore_changes;

  it("ignores exactly the details Cognito adds, and keeps the client id, secret and scopes managed", () => {
    expect(ignored).toEqual(COGNITO_ADDS.map((k) => `provider_details["${k}"]`));
    expect(Object.keys(google.provider_details as Body).sort()).toEqual([
      "authorize_scopes",
      "client_id",
      "client_secret",
    ]);
  });

  describeWithTerraform("planned by terraform against what Cognito returns", () => {
    // A terraform_data stand-in whose input is the provider_details map: its configuration is ours,
    // its state what Cognito returns (ours plus the six), and the same ignore_changes.
    const ours = { client_id: "id", client_secret: "secret", authorize_scopes: "openid email profile" };
    const returned = { ...ours, ...Object.fromEntries(COGNITO_ADDS.map((k) => [k, `cognito-${k}`])) };
    const standIn = (details: Record<string, string>, ignore: string[]) => ({
      resource: {
        terraform_data: {
          google: {
            input: `\${tomap(${JSON.stringify(details)
              .replace(/"([a-z_]+)":/g, "$1 = ")
              .replace(/^\{/, "{")
              .replace(/,/g, ", ")})}`,
            lifecycle: { ignore_changes: ignore.map((i) => i.replace(/^provider_details/, "input")) },
          },
        },
      },
    });

    it("plans no change after Cognito has added its details", () => {
      const plan = applyThenPlan(standIn(returned, []), standIn(ours, ignored));
      expect(plan.output).toContain("No changes.");
      expect(plan.exitCode).toBe(0);
      // Without the ignore list, every plan would remove them.
      expect(applyThenPlan(standIn(returned, []), standIn(ours, [])).exitCode).toBe(2);
    });

    it("still plans a rotated client secret", () => {
      const plan = applyThenPlan(standIn(returned, []), standIn({ ...ours, client_secret: "rotated" }, ignored));
      expect(plan.exitCode).toBe(2);
      expect(plan.output).toMatch(/client_secret\s+= "secret" -> "rotated"/);
      // Only the secret changes in the details: Cognito's six and the other two stay as they are.
      expect(plan.output).toMatch(
        /~ input\s+= \{\s+~ client_secret\s+= "secret" -> "rotated"\s+# \(8 unchanged attributes hidden\)\s+\}/,
      );
    });
  });
});

describe("auth stack: app client for oauth2-proxy", () => {
  it("uses the authorization-code flow with a secret and OIDC scopes", () => {
    expect(client).toMatchObject({
      generate_secret: true,
      allowed_oauth_flows: ["code"],
      allowed_oauth_flows_user_pool_client: true,
      allowed_oauth_scopes: ["openid", "email", "profile"],
    });
  });

  it("builds callback and logout URLs from the configured Kubeflow host", () => {
    expect(client.callback_urls).toEqual(["https://kubeflow.example.com/oauth2/callback"]);
    expect(client.logout_urls).toEqual(["https://kubeflow.example.com/"]);
    const moved = authOf(configWith((c) => ({ ...c, domain: { ...c.domain, kubeflowHost: "ml.team.example.com" } })));
    expect(resource(moved, "aws_cognito_user_pool_client", "kubeflow-client").callback_urls).toEqual([
      "https://ml.team.example.com/oauth2/callback",
    ]);
  });

  it("offers Google, plus native users only when configured", () => {
    expect(client.supported_identity_providers).toEqual(["Google", "COGNITO"]);
    const googleOnly = authOf(withAuth((a) => ({ ...a, allowNativeUsers: false })));
    expect(
      resource(googleOnly, "aws_cognito_user_pool_client", "kubeflow-client").supported_identity_providers,
    ).toEqual(["Google"]);
    expect(client.depends_on).toContain(
      `aws_cognito_identity_provider.${resources(auth, "aws_cognito_identity_provider")[0][0]}`,
    );
  });

  it("keeps ID tokens short and refresh tokens to a working day", () => {
    expect(client).toMatchObject({ id_token_validity: 60, access_token_validity: 60, refresh_token_validity: 12 });
    expect(client.token_validity_units).toEqual([
      { id_token: "minutes", access_token: "minutes", refresh_token: "hours" },
    ]);
  });
});

describe("auth stack: domains and certificate", () => {
  it("uses a Cognito prefix domain by default", () => {
    expect(resource(auth, "aws_cognito_user_pool_domain", "domain")).toMatchObject({ domain: "example-kubeflow-dev" });
    expect(resources(auth, "aws_acm_certificate")).toHaveLength(1);
  });

  it("validates the Kubeflow host's certificate through DNS in the configured zone", () => {
    const [[zoneId, zone]] = dataSources(auth, "aws_route53_zone");
    expect(zone).toEqual({ name: "example.com", private_zone: false });
    const [[certId, cert]] = resources(auth, "aws_acm_certificate");
    expect(cert).toMatchObject({ domain_name: "kubeflow.example.com", validation_method: "DNS" });
    const [[recordsId, records]] = resources(auth, "aws_route53_record");
    expect(records.zone_id).toBe(`\${data.aws_route53_zone.${zoneId}.zone_id}`);
    expect(String(records.for_each)).toContain(`aws_acm_certificate.${certId}.domain_validation_options`);
    const validation = resource(auth, "aws_acm_certificate_validation", "kubeflow-certificate");
    expect(referencedAddress(validation.certificate_arn)).toBe(`aws_acm_certificate.${certId}`);
    expect(String(validation.validation_record_fqdns)).toContain(`aws_route53_record.${recordsId}`);
  });

  it("creates no record for the Kubeflow host itself: the dns stack owns it", () => {
    for (const [, r] of resources(auth, "aws_route53_record")) {
      expect(r.name).not.toBe("kubeflow.example.com");
      expect(r).not.toHaveProperty("allow_overwrite");
    }
  });

  it("supports a custom login domain with a us-east-1 certificate and an alias record", () => {
    const custom = authOf(withAuth((a) => ({ ...a, cognitoDomain: { custom: "auth.example.com" } })));
    const certs = resources(custom, "aws_acm_certificate").map(([, c]) => c);
    expect(certs).toContainEqual(expect.objectContaining({ domain_name: "auth.example.com", region: "us-east-1" }));
    const domain = resource(custom, "aws_cognito_user_pool_domain", "domain");
    expect(domain.domain).toBe("auth.example.com");
    expect(String(domain.certificate_arn)).toMatch(/aws_acm_certificate_validation\.login-certificate/);
    expect(resource(custom, "aws_route53_record", "login-domain-alias")).toMatchObject({
      name: "auth.example.com",
      type: "A",
      alias: { evaluate_target_health: false },
    });
  });
});

describe("auth stack: outputs", () => {
  it("hands the kubeflow stack typed values, with the client secret sensitive", () => {
    class Consumer extends BaseStack {
      constructor(scope: Construct, from: AuthStack) {
        super(scope, "consumer", { config: defaultConfig() });
        new TerraformOutput(this, "secret", { value: from.outputs.clientSecret, sensitive: true });
        new TerraformOutput(this, "issuer", { value: from.outputs.issuerUrl });
      }
    }
    const app = Testing.app();
    const producer = new AuthStack(app, "auth", { config: defaultConfig() });
    new Consumer(app, producer);
    const outputs = synth(producer).output ?? {};
    const secretOutput = Object.values(outputs).find((o) => String(o.value).includes("client_secret"));
    expect(secretOutput).toMatchObject({ sensitive: true });
    expect(Object.values(outputs).map((o) => String(o.value))).toContainEqual(
      expect.stringMatching(/^\$\{aws_cognito_user_pool\.[^.]+\.endpoint\}$/),
    );
  });
});
