/**
 * The parameters of our Kubeflow overlay and the files generated from them at install time.
 * The kubeflow stack publishes the parameters as a ConfigMap; the install script reads that
 * ConfigMap (or `render` a --params file) and calls `overlayFiles` to fill in the overlay, which
 * `kubectl kustomize` then builds over the committed render of the pinned release.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { Config } from "../config/schema";
import {
  KUBEFLOW_COMPONENTS,
  readRenderSources,
  selectRenderFiles,
  UNAVAILABLE_COMPONENTS,
  type KubeflowComponent,
} from "./kubeflow-components";
import { INGRESS_GROUP_NAME, INGRESS_NAME, INGRESS_NAMESPACE } from "./kubeflow";
import { parseImageReference } from "./image-ref";
import { sha256 } from "./provenance";
import { BUSYBOX_IMAGE } from "./versions";

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
  /** Host of the Cognito login pages (prefix or custom domain), for logging out of Cognito too. */
  readonly loginHost: string;
  /** The Kubeflow components installed besides the platform core (config `kubeflow.components`). */
  readonly components: readonly KubeflowComponent[];
}

/** Namespace and name of the ConfigMap the kubeflow stack writes the parameters to. */
export const INSTALL_PARAMS_CONFIGMAP = { namespace: "kube-system", name: "kubeflow-install-params" } as const;
/** Namespace and name of the Secret the kubeflow stack writes the app client's credentials to. */
export const OIDC_CLIENT_SECRET = { namespace: "kube-system", name: "kubeflow-oidc-client" } as const;
/** The Secret oauth2-proxy reads (created by the install step from OIDC_CLIENT_SECRET plus a cookie secret). */
export const OAUTH2_PROXY_SECRET = { namespace: "oauth2-proxy", name: "oauth2-proxy-credentials" } as const;
/** The Secret the kubeflow stack writes this install's generated credentials to (sensitive in state). */
export const CREDENTIALS_SECRET = { namespace: "kube-system", name: "kubeflow-credentials" } as const;

/** The generated credentials, by key in CREDENTIALS_SECRET. */
export const CREDENTIAL_KEYS = {
  kfpMysqlPassword: "kfp-mysql-root-password",
  katibMysqlPassword: "katib-mysql-root-password",
  artifactStoreAccessKey: "artifact-store-access-key",
  artifactStoreSecretKey: "artifact-store-secret-key",
} as const;

export type KubeflowCredentials = Readonly<Record<keyof typeof CREDENTIAL_KEYS, string>>;

/**
 * The Secrets upstream ships with published defaults (KFP's MySQL: root with an empty password;
 * Katib's MySQL: root/"test"; the artifact store: minio/minio123), under the names and keys their
 * consumers read (kubeflow/community-distribution 26.03): mysql-secret (ml-pipeline api-server, cache-server,
 * metadata-grpc), katib-mysql-secrets (katib-mysql, katib-db-manager), mlpipeline-minio-artifact
 * (SeaweedFS itself, ml-pipeline api-server and UI, and the pipelines profile controller, which
 * uses it as SeaweedFS's admin to create each profile namespace's own access key). The overlay deletes upstream's; the install step applies
 * these with this install's credentials.
 */
/** The component whose workloads read each Secret of credentialSecrets (KFP's database and artifact store, Katib's database). */
export const CREDENTIAL_SECRET_COMPONENT: Readonly<Record<string, KubeflowComponent>> = {
  "kubeflow/mysql-secret": "pipelines",
  "kubeflow/katib-mysql-secrets": "katib",
  "kubeflow/mlpipeline-minio-artifact": "pipelines",
};

/** The Secrets a selection needs: a component's credentials only with the component. */
export function secretsOfComponents(secrets: readonly object[], components: readonly KubeflowComponent[]): object[] {
  return secrets.filter((s) => {
    const m = (s as { metadata?: { namespace?: string; name?: string } }).metadata;
    const owner = CREDENTIAL_SECRET_COMPONENT[`${m?.namespace}/${m?.name}`];
    return owner === undefined || components.includes(owner);
  });
}

export function credentialSecrets(c: KubeflowCredentials): object[] {
  const secret = (name: string, stringData: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "kubeflow", labels: { "app.kubernetes.io/part-of": "kubeflow" } },
    type: "Opaque",
    stringData,
  });
  return [
    secret("mysql-secret", { username: "root", password: c.kfpMysqlPassword }),
    secret("katib-mysql-secrets", { MYSQL_ROOT_PASSWORD: c.katibMysqlPassword }),
    secret("mlpipeline-minio-artifact", { accesskey: c.artifactStoreAccessKey, secretkey: c.artifactStoreSecretKey }),
  ];
}

/** The ALB's TLS policy: TLS 1.3, and TLS 1.2 restricted to forward-secret AEAD ciphers. */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
/**
 * Istio ingress gateway: Service port 80 to the pods' 8080; readiness on 15021 (kubeflow/community-distribution
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
  loginHost: "login-host",
  components: "components",
};

/** The params that exist only after deploy; `render` without --params marks them as placeholders. */
export const DEPLOY_TIME_PARAMS = ["issuerUrl", "clientId", "certificateArn", "vpcCidr", "loginHost"] as const;

/** A clearly marked stand-in for a value only a deployed stack knows. */
export function placeholder(param: (typeof DEPLOY_TIME_PARAMS)[number]): string {
  return `PLACEHOLDER-${KEYS[param]}-set-it-with---params`;
}

/** The ConfigMap key of each param, for --params files (the same keys as the ConfigMap). */
export const PARAM_KEYS: Readonly<Record<keyof KubeflowInstallParams, string>> = KEYS;

/** What only a deployed stack knows (the auth stack's Cognito outputs, the eks stack's VPC). */
export type DeployTimeParams = Pick<KubeflowInstallParams, (typeof DEPLOY_TIME_PARAMS)[number]>;

/** The parameters from the config, plus the deploy-time values (tokens in the stack, files or placeholders in `render`). */
export function paramsFromConfig(config: Config, deployTime: DeployTimeParams): KubeflowInstallParams {
  return {
    manifestsVersion: config.kubeflow.manifestsVersion,
    host: config.domain.kubeflowHost,
    ingressScheme: config.kubeflow.ingressScheme,
    allowedEmailDomains: config.auth.allowedEmailDomains,
    cullingEnabled: config.kubeflow.culling.enabled,
    cullIdleMinutes: config.kubeflow.culling.idleMinutes,
    cullCheckPeriodMinutes: config.kubeflow.culling.checkPeriodMinutes,
    profileName: config.kubeflow.profile.name,
    profileOwner: config.kubeflow.profile.owner,
    components: config.kubeflow.components,
    ...deployTime,
  };
}

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
    loginHost: get("loginHost"),
    components: componentList(get("components"), get("manifestsVersion")),
  };
}

/** The comma-separated components of the ConfigMap; throws naming an unknown one. */
function componentList(value: string, version: string): KubeflowComponent[] {
  const list = value
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  for (const c of list)
    if (!(KUBEFLOW_COMPONENTS as readonly string[]).includes(c))
      throw new Error(
        `"${KEYS.components}" names an unknown component "${c}" (known: ${KUBEFLOW_COMPONENTS.join(", ")})`,
      );
  for (const c of list as KubeflowComponent[]) {
    const why = UNAVAILABLE_COMPONENTS[version]?.[c];
    if (why)
      throw new Error(`"${KEYS.components}" names ${c}, which cannot be installed with Kubeflow ${version}: ${why}`);
  }
  return list as KubeflowComponent[];
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
    // After /oauth2/sign_out, only the Cognito login host may be the redirect (the Cognito logout).
    `whitelist_domains = ${list([p.loginHost])}`,
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
          // As upstream's own issuers do: a request's kubeflow-groups header is always the token's,
          // never one the client sent (Cognito's groups claim, absent for a user in no group).
          outputClaimToHeaders: [
            { header: "kubeflow-userid", claim: "email" },
            { header: "kubeflow-groups", claim: "cognito:groups" },
          ],
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

/**
 * Where the dashboard's logout sends the browser: oauth2-proxy's sign-out (its cookie goes), then
 * Cognito's /logout with the app client and a logout URI the client allows (the Kubeflow host, see
 * CognitoLogin), which ends the Cognito session too; Cognito then sends the user back to Kubeflow,
 * which starts a fresh login.
 */
export function logoutUrl(p: KubeflowInstallParams): string {
  const cognitoLogout =
    `https://${p.loginHost}/logout?client_id=${encodeURIComponent(p.clientId)}` +
    `&logout_uri=${encodeURIComponent(`https://${p.host}/`)}`;
  return `/oauth2/sign_out?rd=${encodeURIComponent(cognitoLogout)}`;
}

/** The pod-template annotation that carries a hash of the configuration a Deployment reads at start. */
export const CONFIG_HASH_ANNOTATION = "kubeflow-eks/config-sha256";

/**
 * A patch that stamps a Deployment's pod template with a hash of the configuration it reads at
 * start. The render's ConfigMaps keep their names when patched, so without it a changed setting
 * (allowed domains, culling) would reach the ConfigMap but not the running pods; with it, a new
 * hash rolls the Deployment.
 */
function rolloutOnChange(name: string, namespace: string, config: unknown): object {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: { template: { metadata: { annotations: { [CONFIG_HASH_ANNOTATION]: sha256(JSON.stringify(config)) } } } },
  };
}

/** The files the overlay's kustomization.yaml expects besides its static ones. */
export function overlayFiles(p: KubeflowInstallParams): Record<string, string> {
  const yaml = (o: object) => stringify(o, { lineWidth: 0 });
  const oauth2Proxy = { "oauth2_proxy.cfg": oauth2ProxyConfig(p) };
  const kfpCache = { cacheImage: BUSYBOX_IMAGE };
  const culling = {
    ENABLE_CULLING: String(p.cullingEnabled),
    CULL_IDLE_TIME: String(p.cullIdleMinutes),
    IDLENESS_CHECK_PERIOD: String(p.cullCheckPeriodMinutes),
  };
  return {
    "cognito-jwt.yaml": yaml(cognitoRequestAuthentication(p)),
    "ingress.yaml": yaml(kubeflowIngress(p)),
    "profile.yaml": yaml(teamProfile(p)),
    "load-balancer-network-policy.yaml": yaml(loadBalancerNetworkPolicy(p)),
    // The render's generated ConfigMaps carry hash suffixes their consumers already name, so they
    // are patched in place (targets in kustomization.yaml), not regenerated.
    "patches/oauth2-proxy-config.yaml": yaml({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "oauth2-proxy" },
      data: oauth2Proxy,
    }),
    "patches/oauth2-proxy-rollout.yaml": yaml(rolloutOnChange("oauth2-proxy", "oauth2-proxy", oauth2Proxy)),
    "patches/culling.yaml": yaml({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "notebook-controller-config" },
      data: culling,
    }),
    "patches/notebook-controller-rollout.yaml": yaml(
      rolloutOnChange("notebook-controller-deployment", "kubeflow", culling),
    ),
    // KFP's cache webhook swaps a cached step's containers for this image (kubeflow/pipelines 2.16.0
    // backend/src/cache/server/mutation.go:170-176); upstream names ghcr.io/containerd/busybox with no
    // tag, that is `latest`. The cache server reads it at start (env CACHE_IMAGE), hence the rollout.
    "patches/kfp-cache-image.yaml": yaml({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "pipeline-install-config" },
      data: kfpCache,
    }),
    "patches/kfp-cache-rollout.yaml": yaml(rolloutOnChange("cache-server", "kubeflow", kfpCache)),
    "patches/logout.yaml": yaml({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "centraldashboard", namespace: "kubeflow" },
      spec: {
        template: {
          spec: { containers: [{ name: "centraldashboard", env: [{ name: "LOGOUT_URL", value: logoutUrl(p) }] }] },
        },
      },
    }),
  };
}

/** The overlay as committed (static files). */
export const OVERLAY_SOURCE = path.join(__dirname, "..", "kustomize", "kubeflow");

/**
 * Upstream CRDs the install leaves out besides those of components not selected: Dex's (Cognito
 * replaces Dex; the overlay deletes Dex's other objects, kustomize/kubeflow/kustomization.yaml).
 */
export const EXCLUDED_CRDS = /\.dex\.coreos\.com$/;

/** A prepared overlay: the folder to build, and the CRDs that bypass the build. */
export interface PreparedOverlay {
  readonly overlay: string;
  /** The render's CRDs (minus EXCLUDED_CRDS), as rendered. */
  readonly crds: readonly string[];
}

/** Static overlay resources that serve one component: left out of the build with it. */
export const COMPONENT_RESOURCES: Readonly<Record<string, KubeflowComponent>> = {
  "llmisvc-webhook-network-policy.yaml": "kserve",
};

/** The version tag of the first `image:` in a rendered file; refuses an image pinned by digest alone. */
function renderedImageTag(renderDir: string, file: string): string {
  const image = /^\s+image: (\S+)$/m.exec(readFileSync(path.join(renderDir, file), "utf8"))?.[1];
  const tag = image === undefined ? undefined : parseImageReference(image).tag;
  if (!tag)
    throw new Error(`${file}: its image ${image ?? "(none)"} names no version tag, which the overlay needs here`);
  return tag;
}

/** A rendered ConfigMap's data. */
function renderedData(renderDir: string, file: string): Record<string, string> {
  return (parse(readFileSync(path.join(renderDir, file), "utf8")) as { data: Record<string, string> }).data;
}

/**
 * Patches computed from the render itself, for values upstream leaves wrong:
 * - Istio's sidecar injector names proxy tag 1.29.0 (26.03's
 *   common/istio/istio-install/base/patches/istio-sidecar-injector-patch.yaml) while istiod, the
 *   gateways and the CNI run 1.28.0: every sidecar would be newer than its control plane, which
 *   Istio does not support. Sidecars get istiod's tag.
 * - KServe's ART explainer runs `image:defaultImageVersion` (kserve v0.16.0
 *   pkg/apis/serving/v1beta1/explainer_art.go:88,98), which upstream sets to `latest`, a build of
 *   KServe's master branch. It gets the KServe controller's release tag.
 */
export function renderDerivedPatches(renderDir: string): Record<string, string> {
  const yaml = (o: object) => stringify(o, { lineWidth: 0 });
  const has = (file: string) => existsSync(path.join(renderDir, file));
  // A render without the object (a test's small one) gets a patch that changes nothing.
  const configMapPatch = (name: string, namespace: string, data: Record<string, string> | undefined) =>
    yaml({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, ...(data ? { data } : {}) });
  const injectorFile = "configmap-istio-system-istio-sidecar-injector.yaml";
  let injector: Record<string, string> | undefined;
  if (has(injectorFile)) {
    const values = JSON.parse(renderedData(renderDir, injectorFile).values) as { global: { tag: string } };
    values.global.tag = renderedImageTag(renderDir, "deployment-istio-system-istiod.yaml");
    injector = { values: JSON.stringify(values, null, 2) };
  }
  const kserveFile = "configmap-kubeflow-inferenceservice-config.yaml";
  let kserve: Record<string, string> | undefined;
  if (has(kserveFile)) {
    const explainers = JSON.parse(renderedData(renderDir, kserveFile).explainers) as {
      art: { defaultImageVersion: string };
    };
    explainers.art.defaultImageVersion = renderedImageTag(
      renderDir,
      "deployment-kubeflow-kserve-controller-manager.yaml",
    );
    kserve = { explainers: JSON.stringify(explainers, null, 2) };
  }
  return {
    "patches/istio-sidecar-tag.yaml": configMapPatch("istio-sidecar-injector", "istio-system", injector),
    "patches/kserve-explainer-tag.yaml": configMapPatch("inferenceservice-config", "kubeflow", kserve),
  };
}

/** A VirtualService's HTTP route prefixes. */
function routePrefixes(text: string): string[] {
  const vs = parse(text) as { spec?: { http?: { match?: { uri?: { prefix?: string } }[] }[] } };
  return (vs.spec?.http ?? []).flatMap((h) => (h.match ?? []).flatMap((m) => (m.uri?.prefix ? [m.uri.prefix] : [])));
}

/**
 * The central dashboard's links without those to applications not installed: a link within
 * Kubeflow stays when the VirtualService with the longest prefix matching it (over the whole render)
 * is installed; links out of Kubeflow stay.
 */
export function dashboardLinks(
  renderDir: string,
  allFiles: readonly string[],
  installed: ReadonlySet<string>,
): string | undefined {
  const routes = allFiles
    .filter((f) => f.startsWith("virtualservice-"))
    .flatMap((f) => routePrefixes(readFileSync(path.join(renderDir, f), "utf8")).map((prefix) => ({ prefix, f })));
  const reachable = (link: string) => {
    if (!link.startsWith("/")) return true;
    const target = link.split("#")[0];
    const best = routes.filter((r) => target.startsWith(r.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
    return best === undefined || installed.has(best.f);
  };
  interface Link {
    readonly link?: string;
    readonly items?: Link[];
  }
  const keep = (links: Link[] = []): Link[] =>
    links
      .map((l) => (l.items ? { ...l, items: keep(l.items) } : l))
      .filter((l) => (l.items ? l.items.length > 0 : l.link === undefined || reachable(l.link)));
  if (!existsSync(path.join(renderDir, DASHBOARD_CONFIG))) return undefined;
  const links = JSON.parse(renderedData(renderDir, DASHBOARD_CONFIG).links) as Record<string, Link[]>;
  return JSON.stringify(Object.fromEntries(Object.entries(links).map(([k, v]) => [k, keep(v)])), null, 4);
}

const DASHBOARD_CONFIG = "configmap-kubeflow-centraldashboard-config.yaml";
const withLinks = (links: string | undefined) => (links === undefined ? {} : { data: { links } });

/**
 * Lays out a buildable overlay in `workDir`: `overlay/` (our files plus the generated ones) next
 * to `upstream/` (the committed render's objects of the selected components, listed by a
 * kustomization; lib/kubeflow-components.ts). The render's CRDs, 80% of its bytes, are not built:
 * the overlay changes none of them, and kustomize would spend most of its time re-reading their
 * schemas. They are returned as rendered, Dex's and unselected components' excluded, to be applied
 * with the build. Nothing written here is secret.
 */
export function prepareOverlay(workDir: string, renderDir: string, params: KubeflowInstallParams): PreparedOverlay {
  const overlay = path.join(workDir, "overlay");
  const upstream = path.join(workDir, "upstream");
  mkdirSync(upstream, { recursive: true });
  cpSync(OVERLAY_SOURCE, overlay, { recursive: true });
  const left = Object.entries(COMPONENT_RESOURCES)
    .filter(([, c]) => !params.components.includes(c))
    .map(([f]) => f);
  const kustomization = path.join(overlay, "kustomization.yaml");
  writeFileSync(
    kustomization,
    readFileSync(kustomization, "utf8")
      .split("\n")
      .filter((l) => !left.some((f) => new RegExp(`^\\s+- ${f.replace(/\./g, "\\.")}(\\s|$)`).test(l)))
      .join("\n"),
  );
  for (const f of left) rmSync(path.join(overlay, f));
  const all = readFileSync(path.join(renderDir, "kustomization.yaml"), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("  - "))
    .map((l) => l.slice(4));
  const read = (f: string) => readFileSync(path.join(renderDir, f), "utf8");
  const files = selectRenderFiles(params.manifestsVersion, all, readRenderSources(renderDir), params.components, read);
  const generated = {
    ...overlayFiles(params),
    ...renderDerivedPatches(renderDir),
    "patches/dashboard-links.yaml": stringify(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "centraldashboard-config", namespace: "kubeflow" },
        ...withLinks(dashboardLinks(renderDir, all, new Set(files))),
      },
      { lineWidth: 0 },
    ),
  };
  for (const [name, content] of Object.entries(generated)) writeFileSync(path.join(overlay, name), content);
  const crds: string[] = [];
  const built: string[] = [];
  for (const file of files) {
    const text = read(file);
    if (/^kind: CustomResourceDefinition$/m.test(text)) {
      const name = /^metadata:\n(?: {2}.*\n)*? {2}name: (\S+)$/m.exec(text)?.[1];
      if (!name) throw new Error(`${file}: a CRD without metadata.name`);
      if (!EXCLUDED_CRDS.test(name)) crds.push(text);
    } else {
      writeFileSync(path.join(upstream, file), text);
      built.push(file);
    }
  }
  writeFileSync(
    path.join(upstream, "kustomization.yaml"),
    [
      "apiVersion: kustomize.config.k8s.io/v1beta1",
      "kind: Kustomization",
      "resources:",
      ...built.map((f) => `  - ${f}`),
      "",
    ].join("\n"),
  );
  return { overlay, crds };
}
