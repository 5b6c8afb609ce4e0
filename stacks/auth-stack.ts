import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { Construct } from "constructs";
import { CognitoLogin } from "../constructs/cognito-login";
import { DnsValidatedCertificate } from "../constructs/dns-validated-certificate";
import { BaseStack, type BaseStackProps } from "./base-stack";

/** What the kubeflow stack needs for login and TLS. cdktf passes these as sensitive remote-state outputs. */
export interface AuthStackOutputs {
  readonly issuerUrl: string;
  readonly clientId: string;
  /** Secret: sensitive in state and outputs, never written to a file. */
  readonly clientSecret: string;
  readonly userPoolId: string;
  readonly userPoolArn: string;
  /** Host name of the login pages. */
  readonly loginHost: string;
  /** Certificate for the Kubeflow host, issued and validated. */
  readonly certificateArn: string;
  readonly allowedEmailDomains: readonly string[];
}

/**
 * Stage 03: a Cognito user pool federating Google for Kubeflow's oauth2-proxy, and the TLS
 * certificate for the Kubeflow host.
 *
 * No placeholder DNS record is created. The original needed one only for ALB-side Cognito
 * authentication; here the Kubeflow host's record belongs to the dns stack alone, and the
 * certificate is validated through its own CNAME records.
 */
export class AuthStack extends BaseStack {
  readonly outputs: AuthStackOutputs;
  readonly login: CognitoLogin;
  readonly certificate: DnsValidatedCertificate;

  constructor(scope: Construct, id: string, props: BaseStackProps) {
    super(scope, id, props);
    const { auth, domain } = props.config;
    const zone = new DataAwsRoute53Zone(this, "zone", { name: domain.hostedZone, privateZone: false });

    this.certificate = new DnsValidatedCertificate(this, "kubeflow-certificate", {
      domainName: domain.kubeflowHost,
      zoneId: zone.zoneId,
    });

    let cognitoDomain: { prefix: string } | { custom: string; certificateArn: string };
    if (auth.cognitoDomain.custom !== undefined) {
      // Cognito serves custom domains through CloudFront, which only takes us-east-1 certificates.
      const loginCertificate = new DnsValidatedCertificate(this, "login-certificate", {
        domainName: auth.cognitoDomain.custom,
        zoneId: zone.zoneId,
        region: "us-east-1",
      });
      cognitoDomain = { custom: auth.cognitoDomain.custom, certificateArn: loginCertificate.certificateArn };
    } else {
      cognitoDomain = { prefix: auth.cognitoDomain.prefix! };
    }

    this.login = new CognitoLogin(this, "login", {
      name: `${props.config.project}-${props.config.environment}`,
      region: props.config.region,
      appHost: domain.kubeflowHost,
      googleOAuthSecretName: auth.googleOAuthSecretName,
      mfa: auth.mfa,
      allowNativeUsers: auth.allowNativeUsers,
      featurePlan: auth.featurePlan,
      domain: cognitoDomain,
      deletionProtection: props.config.protection.preventDestroy,
    });

    if (auth.cognitoDomain.custom !== undefined) {
      new Route53Record(this, "login-domain-alias", {
        zoneId: zone.zoneId,
        name: auth.cognitoDomain.custom,
        type: "A",
        alias: {
          name: this.login.domain.cloudfrontDistribution,
          zoneId: this.login.domain.cloudfrontDistributionZoneId,
          evaluateTargetHealth: false,
        },
      });
    }

    this.outputs = {
      issuerUrl: this.login.issuerUrl,
      clientId: this.login.client.id,
      clientSecret: this.login.client.clientSecret,
      userPoolId: this.login.userPool.id,
      userPoolArn: this.login.userPool.arn,
      loginHost: this.login.loginHost,
      certificateArn: this.certificate.certificateArn,
      allowedEmailDomains: auth.allowedEmailDomains,
    };
  }
}
