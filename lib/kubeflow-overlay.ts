/**
 * The parameters of our Kubeflow overlay and the files generated from them at install time.
 * The kubeflow stack publishes the parameters as a ConfigMap; the install script reads that
 * ConfigMap and calls `overlayFiles` to fill in the overlay before `kubectl kustomize`.
 */
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { INGRESS_GROUP_NAME, INGRESS_NAME, INGRESS_NAMESPACE } from "./kubeflow";

export interface KubeflowInstallParams {
  /** Upstream release tag. */
  readonly manifestsVersion: string;
  /** Host users open Kubeflow at. */
  readonly host: string;
  /** OIDC issuer (the Cognito user pool). */
  readonly issuerUrl: string;
  /** Cognito app client id (not a secret: it appears in every login redirect). */
  readonly clientId: string;
  /** ACM certificate for the host. */
  readonly certificateArn: string;
  readonly ingressScheme: "internet-facing" | "internal";
  /** Email domains allowed in; empty means any. */
  readonly allowedEmailDomains: readonly string[];
  readonly cullingEnabled: boolean;
  readonly cullIdleMinutes: number;
  readonly cullCheckPeriodMinutes: number;
  readonly profileName: string;
  readonly profileOwner: string;
  /** The VPC's range: where the ALB's nodes connect to the ingress gateway from. */
  readonly vpcCidr: string;
}

/** Namespace and name of the ConfigMap the kubeflow stack writes the parameters to. */
export const INSTALL_PARAMS_CONFIGMAP = { namespace: "kube-system", name: "kubeflow-install-params" } as const;
/** Namespace and name of the Secret the kubeflow stack writes the app client's credentials to. */
export const OIDC_CLIENT_SECRET = { namespace: "kube-system", name: "kubeflow-oidc-client" } as const;
/** The Secret oauth2-proxy reads (created by the install step from OIDC_CLIENT_SECRET plus a cookie secret). */
export const OAUTH2_PROXY_SECRET = { namespace: "oauth2-proxy", name: "oauth2-proxy-credentials" } as const;

/** The ALB's TLS policy: TLS 1.3, and TLS 1.2 restricted to forward-secret AEAD ciphers. */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
/**
 * Istio ingress gateway: Service port 80 to the pods' 8080; readiness on 15021 (kubeflow/manifests
 * common/istio/istio-install/base/install.yaml, Service istio-ingressgateway, at 26.03).
 */
export const GATEWAY = {
  service: "istio-ingressgateway",
  selector: { app: "istio-ingressgateway" },
  port: 80,
  targetPort: 8080,
  healthPort: "15021",
  healthPath: "/healthz/ready",
} as const;

const KEYS: Record<keyof KubeflowInstallParams, string> = {
  manifestsVersion: "manifests-version",
  host: "host",
  issuerUrl: "issuer-url",
  clientId: "client-id",
  certificateArn: "certificate-arn",
  ingressScheme: "ingress-scheme",
  allowedEmailDomains: "allowed-email-domains",
  cullingEnabled: "culling-enabled",
  cullIdleMinutes: "cull-idle-minutes",
  cullCheckPeriodMinutes: "cull-check-period-minutes",
  profileName: "profile-name",
  profileOwner: "profile-owner",
  vpcCidr: "vpc-cidr",
};

/** ConfigMap data for the parameters (values may be Terraform tokens). */
export function paramsToConfigMapData(p: KubeflowInstallParams): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [field, key] of Object.entries(KEYS) as [keyof KubeflowInstallParams, string][]) {
    const value = p[field];
    data[key] = Array.isArray(value) ? value.join(",") : String(value);
  }
  return data;
}

/** Parameters from the ConfigMap's data; throws naming the missing key. */
export function paramsFromConfigMapData(data: Record<string, string | undefined>): KubeflowInstallParams {
  const get = (field: keyof KubeflowInstallParams): string => {
    const value = data[KEYS[field]];
    if (value === undefined) {
      throw new Error(
        `ConfigMap ${INSTALL_PARAMS_CONFIGMAP.namespace}/${INSTALL_PARAMS_CONFIGMAP.name} has no key "${KEYS[field]}"; deploy the kubeflow stack again`,
      );
    }
    return value;
  };
  const scheme = get("ingressScheme");
  if (scheme !== "internet-facing" && scheme !== "internal") throw new Error(`invalid ingress scheme "${scheme}"`);
  const int = (field: keyof KubeflowInstallParams) => {
    const n = Number(get(field));
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`"${KEYS[field]}" must be a positive integer, got "${get(field)}"`);
    return n;
  };
  return {
    manifestsVersion: get("manifestsVersion"),
    host: get("host"),
    issuerUrl: get("issuerUrl"),
    clientId: get("clientId"),
    certificateArn: get("certificateArn"),
    ingressScheme: scheme,
    allowedEmailDomains: get("allowedEmailDomains")
      .split(",")
      .map((d) => d.trim())
      .filter((d) => d.length > 0),
    cullingEnabled: get("cullingEnabled") === "true",
    cullIdleMinutes: int("cullIdleMinutes"),
    cullCheckPeriodMinutes: int("cullCheckPeriodMinutes"),
    profileName: get("profileName"),
    profileOwner: get("profileOwner"),
    vpcCidr: get("vpcCidr"),
  };
}

/** oauth2-proxy's configuration: OIDC against the Cognito pool, secure cookies, no Dex. */
export function oauth2ProxyConfig(p: KubeflowInstallParams): string {
  const quote = (s: string) => JSON.stringify(s);
  const list = (items: readonly string[]) => `[ ${items.map(quote).join(", ")} ]`;
  const domains = p.allowedEmailDomains.length > 0 ? p.allowedEmailDomains : ["*"];
  return [
    "# Generated by the Kubeflow install step from the auth stack's outputs.",
    'provider = "oidc"',
    `oidc_issuer_url = ${quote(p.issuerUrl)}`,
    'scope = "openid email profile"',
    `email_domains = ${list(domains)}`,
    // Cognito sets email_verified for Google users through the attribute mapping.
    "insecure_oidc_allow_unverified_email = false",
    'upstreams = [ "static://200" ]',
    'api_routes = [ "/api/", "/apis/", "^/ml_metadata" ]',
    "skip_provider_button = true",
    "set_authorization_header = true",
    "set_xauthrequest = true",
    'cookie_name = "oauth2_proxy_kubeflow"',
    "cookie_secure = true",
    'cookie_samesite = "lax"',
    // Refresh before Cognito's one-hour ID token expires; a session lasts as long as the
    // app client's 12-hour refresh token.
    'cookie_refresh = "50m"',
    'cookie_expire = "12h"',
    'code_challenge_method = "S256"',
    `redirect_url = ${quote(`https://${p.host}/oauth2/callback`)}`,
    "relative_redirect_url = false",
    "",
  ].join("\n");
}

/** Istio verifies the Cognito ID token on every request and passes its email on as kubeflow-userid. */
export function cognitoRequestAuthentication(p: KubeflowInstallParams): object {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "RequestAuthentication",
    metadata: { name: "cognito-jwt", namespace: "istio-system" },
    spec: {
      selector: { matchLabels: { app: "istio-ingressgateway" } },
      jwtRules: [
        {
          issuer: p.issuerUrl,
          jwksUri: `${p.issuerUrl}/.well-known/jwks.json`,
          audiences: [p.clientId],
          forwardOriginalToken: true,
          fromHeaders: [{ name: "Authorization", prefix: "Bearer " }],
          outputClaimToHeaders: [{ header: "kubeflow-userid", claim: "email" }],
        },
      ],
    },
  };
}

/** The Ingress the AWS Load Balancer Controller turns into an HTTPS-only ALB. */
export function kubeflowIngress(p: KubeflowInstallParams): object {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: INGRESS_NAME,
      namespace: INGRESS_NAMESPACE,
      annotations: {
        "alb.ingress.kubernetes.io/group.name": INGRESS_GROUP_NAME,
        "alb.ingress.kubernetes.io/scheme": p.ingressScheme,
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/backend-protocol": "HTTP",
        "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": p.certificateArn,
        "alb.ingress.kubernetes.io/ssl-policy": ALB_SSL_POLICY,
        "alb.ingress.kubernetes.io/load-balancer-attributes": "routing.http.drop_invalid_header_fields.enabled=true",
        "alb.ingress.kubernetes.io/healthcheck-port": GATEWAY.healthPort,
        "alb.ingress.kubernetes.io/healthcheck-path": GATEWAY.healthPath,
      },
    },
    spec: {
      ingressClassName: "alb",
      rules: [
        {
          host: p.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: GATEWAY.service, port: { number: GATEWAY.port } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/**
 * With NetworkPolicies enforced (vpc-cni enableNetworkPolicy), istio-system admits only its own
 * pods and a few named namespaces (upstream's default-allow-same-namespace and friends). The ALB
 * targets the gateway's pods directly (target-type ip) from its nodes' addresses in the VPC, so
 * this admits the VPC's range on the two ports the ALB uses: traffic (8080, the Service's target
 * port) and health checks (15021). NetworkPolicy ports are the pods' ports, not the Service's.
 */
export function loadBalancerNetworkPolicy(p: KubeflowInstallParams): object {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-load-balancer-to-ingress-gateway", namespace: INGRESS_NAMESPACE },
    spec: {
      podSelector: { matchLabels: { ...GATEWAY.selector } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ ipBlock: { cidr: p.vpcCidr } }],
          ports: [
            { protocol: "TCP", port: GATEWAY.targetPort },
            { protocol: "TCP", port: Number(GATEWAY.healthPort) },
          ],
        },
      ],
    },
  };
}

export function teamProfile(p: KubeflowInstallParams): object {
  return {
    apiVersion: "kubeflow.org/v1",
    kind: "Profile",
    metadata: { name: p.profileName },
    spec: { owner: { kind: "User", name: p.profileOwner } },
  };
}

/** The files the overlay's kustomization.yaml expects besides its static ones. */
export function overlayFiles(p: KubeflowInstallParams): Record<string, string> {
  const yaml = (o: object) => stringify(o, { lineWidth: 0 });
  return {
    "oauth2_proxy.cfg": oauth2ProxyConfig(p),
    "cognito-jwt.yaml": yaml(cognitoRequestAuthentication(p)),
    "ingress.yaml": yaml(kubeflowIngress(p)),
    "profile.yaml": yaml(teamProfile(p)),
    "load-balancer-network-policy.yaml": yaml(loadBalancerNetworkPolicy(p)),
    "culling.env": [
      `ENABLE_CULLING=${p.cullingEnabled}`,
      `CULL_IDLE_TIME=${p.cullIdleMinutes}`,
      `IDLENESS_CHECK_PERIOD=${p.cullCheckPeriodMinutes}`,
      "",
    ].join("\n"),
  };
}

/** The overlay as committed (static files). */
export const OVERLAY_SOURCE = path.join(__dirname, "..", "kustomize", "kubeflow");

/**
 * Lays out a buildable overlay in `workDir`: `overlay/` (our files plus the generated ones) next
 * to `upstream/` (a link to the extracted upstream release). Returns the overlay's path, ready
 * for `kubectl kustomize`. Nothing written here is secret.
 */
export function prepareOverlay(workDir: string, upstreamDir: string, params: KubeflowInstallParams): string {
  const overlay = path.join(workDir, "overlay");
  mkdirSync(workDir, { recursive: true });
  cpSync(OVERLAY_SOURCE, overlay, { recursive: true });
  symlinkSync(path.resolve(upstreamDir), path.join(workDir, "upstream"), "dir");
  for (const [name, content] of Object.entries(overlayFiles(params))) writeFileSync(path.join(overlay, name), content);
  return overlay;
}
