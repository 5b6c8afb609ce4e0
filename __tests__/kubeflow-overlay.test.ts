/**
 * The overlay, built with kubectl kustomize over the committed render of the real release
 * (kustomize-out/kubeflow/<version>/, kubeflow/community-distribution 26.03 with its remote bases), parsed once
 * for the whole file. Every claim about what the install applies is checked on these objects.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { checkDeployedImages, KUBEFLOW_IMAGES_ENTRY, kubeflowImages } from "../conformance/images";
import { normalizeImageReference } from "../lib/image-ref";
import { LB_CONTROLLER_NAMESPACE } from "../constructs/aws-load-balancer-controller";
import { DEFAULT_CLASS_NAME } from "../constructs/default-storage-class";
import { KARPENTER_NAMESPACE } from "../constructs/karpenter";
import { INGRESS_GROUP_NAME } from "../lib/kubeflow";
import {
  ALB_SSL_POLICY,
  CONFIG_HASH_ANNOTATION,
  CREDENTIAL_KEYS,
  credentialSecrets,
  kubeflowIngress,
  logoutUrl,
  overlayFiles,
  type KubeflowCredentials,
  type KubeflowInstallParams,
} from "../lib/kubeflow-overlay";
import { renderDir } from "../lib/kubeflow-release";
import {
  allowsIngress,
  controlPlane,
  inCidr,
  KUBELET,
  selects,
  type Cluster,
  type NetworkPolicy,
  type Pod,
  type Source,
} from "../lib/network-policy";
import { buildOverlay, documentsOf, placeholderSecrets } from "../scripts/kubeflow-install";
import { requestsBuildParams, requestsSummaryOf } from "../scripts/generate";
import { REQUESTS_SUMMARY_FILE, type KubeflowRequestsSummary } from "../lib/kubeflow-requests";
import { TEST_PARAMS } from "./fixtures/kubeflow-params";
import { cachingKustomize } from "./kustomize-cache";

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
};
interface Container {
  name: string;
  image?: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { secretRef?: { name: string } }[];
  ports?: { containerPort: number; name?: string }[];
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; initContainers?: Container[]; volumes?: { secret?: { secretName: string } }[] };
}

const VERSION = TEST_PARAMS.manifestsVersion;
/** Parses everything but the CRDs' schemas (80% of the bytes, and nothing here looks inside them). */
const parseAll = (text: string): Obj[] =>
  documentsOf(text).map((d) =>
    d.kind === "CustomResourceDefinition"
      ? { apiVersion: "apiextensions.k8s.io/v1", kind: d.kind, metadata: { name: d.name } }
      : (parse(d.text) as Obj),
  );

/** The render itself, in its kustomization's order. */
const upstream = parseAll(
  readFileSync(path.join(renderDir(VERSION), "kustomization.yaml"), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("  - "))
    .map((l) => readFileSync(path.join(renderDir(VERSION), l.slice(4)), "utf8"))
    .join("---\n"),
);
// The real build, remembered by its inputs (kubeflow-install.test.ts builds the same one).
const built = buildOverlay(TEST_PARAMS, cachingKustomize());
const objects = parseAll(built);
const find = (kind: string, name: string | RegExp, namespace?: string) =>
  objects.filter(
    (o) =>
      o.kind === kind &&
      (typeof name === "string" ? o.metadata.name === name : name.test(o.metadata.name)) &&
      (namespace === undefined || o.metadata.namespace === namespace),
  );
const one = (kind: string, name: string | RegExp, namespace?: string) => {
  const found = find(kind, name, namespace);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${String(name)}, found ${found.length}`);
  return found[0];
};
const template = (o: Obj) => (o.spec as { template: PodTemplate }).template;
const workloads = objects.filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind));
const containersOf = (o: Obj) => [...template(o).spec.containers, ...(template(o).spec.initContainers ?? [])];
const credentials: KubeflowCredentials = {
  kfpMysqlPassword: "kfp-test-password",
  katibMysqlPassword: "katib-test-password",
  artifactStoreAccessKey: "access-test",
  artifactStoreSecretKey: "secret-test",
};

describe(`Kubeflow overlay over the real render of ${VERSION}`, () => {
  it("builds on every object of the release, removing only what it replaces", () => {
    expect(upstream).toHaveLength(675);
    const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    const [before, after] = [new Set(upstream.map(key)), new Set(objects.map(key))];
    // JobSet and Kubeflow Trainer (JobSet's image is a staging one): every object of theirs goes,
    // told apart here by name and API group, not by the overlay's own patterns.
    const jobSetOrTrainer = (o: Obj) => /jobset|trainer/.test(o.metadata.name) || o.kind === "ClusterTrainingRuntime";
    const removedJobSetOrTrainer = upstream.filter((o) => jobSetOrTrainer(o) && !after.has(key(o))).map(key);
    // Trainer is not selectable with 26.03 (lib/kubeflow-components.ts): the 39 objects example's
    // ../applications/trainer/overlays renders (sources.json) go, and the 2 NetworkPolicies of
    // ../common/kubeflow-namespace/base that select only its pods (jobset-webhook, trainer-webhook).
    expect(upstream.filter(jobSetOrTrainer)).toHaveLength(41);
    expect(removedJobSetOrTrainer).toHaveLength(41);
    expect(removedJobSetOrTrainer).toEqual(
      expect.arrayContaining([
        "Deployment/kubeflow-system/jobset-controller-manager",
        "Deployment/kubeflow-system/kubeflow-trainer-controller-manager",
        "MutatingWebhookConfiguration//jobset-mutating-webhook-configuration",
        "ValidatingWebhookConfiguration//jobset-validating-webhook-configuration",
        "ValidatingWebhookConfiguration//validator.trainer.kubeflow.org",
        "CustomResourceDefinition//jobsets.jobset.x-k8s.io",
        "CustomResourceDefinition//trainjobs.trainer.kubeflow.org",
        "ClusterTrainingRuntime/kubeflow-system/torch-distributed",
      ]),
    );
    // The rest: Dex (Cognito replaces it), Trainer's namespace (nothing else lives there) with its
    // policy, the example user's profile, and the Secrets holding published defaults.
    expect(
      upstream
        .filter((o) => !jobSetOrTrainer(o))
        .map(key)
        .filter((k) => !after.has(k)),
    ).toEqual([
      "Namespace//auth",
      "Namespace//kubeflow-system",
      "CustomResourceDefinition//authcodes.dex.coreos.com",
      "ServiceAccount/auth/dex",
      "NetworkPolicy/auth/allow-istio-and-oauth2-proxy",
      "NetworkPolicy/auth/default-allow-same-namespace-auth",
      "NetworkPolicy/kubeflow-system/default-allow-same-namespace-kubeflow-system",
      "ClusterRole//dex",
      "ClusterRoleBinding//dex",
      "ConfigMap/auth/dex",
      "Secret/auth/dex-oidc-client",
      "Secret/auth/dex-passwords",
      "Secret/kubeflow/katib-mysql-secrets",
      "Secret/kubeflow/mlpipeline-minio-artifact",
      "Secret/kubeflow/mysql-secret",
      expect.stringMatching(/^Secret\/oauth2-proxy\/oauth2-proxy-[a-z0-9]{10}$/),
      "Service/auth/dex",
      "Deployment/auth/dex",
      "Profile//kubeflow-user-example-com",
      "VirtualService/auth/dex",
      "RequestAuthentication/istio-system/dex-jwt",
    ]);
    expect(objects.map(key).filter((k) => !before.has(k))).toEqual([
      "Profile//data-science",
      "Ingress/istio-system/kubeflow",
      "NetworkPolicy/istio-system/allow-load-balancer-to-ingress-gateway",
      "NetworkPolicy/kubeflow/llmisvc-webhook",
      "RequestAuthentication/istio-system/cognito-jwt",
    ]);
  });

  it("applies every upstream CRD but Dex's, JobSet's and Trainer's exactly as rendered (kustomize does not rebuild them)", () => {
    const renderedCrds = readdirSync(renderDir(VERSION))
      .filter((f) => f.startsWith("customresourcedefinition-"))
      .map((f) => readFileSync(path.join(renderDir(VERSION), f), "utf8"));
    const builtCrds = documentsOf(built)
      .filter((d) => d.kind === "CustomResourceDefinition")
      .map((d) => d.text);
    // One of Dex's, one of JobSet's, three of Trainer's.
    expect(builtCrds).toHaveLength(renderedCrds.length - 5);
    for (const crd of builtCrds) expect(renderedCrds).toContain(crd);
    expect(builtCrds.filter((c) => /dex\.coreos\.com|jobset\.x-k8s\.io|trainer\.kubeflow\.org/.test(c))).toEqual([]);
  });

  describe("images", () => {
    const images = kubeflowImages(objects);
    const found = (where: RegExp) =>
      images.filter((i) => where.test(i.where)).map((i) => `${i.where}: ${normalizeImageReference(i.reference)}`);

    it("runs only release images, each recorded by PROVENANCE entry kubeflow", () => {
      const result = checkDeployedImages(images, { entries: [KUBEFLOW_IMAGES_ENTRY] });
      expect(result.findings.map((f) => `${f.where}: ${f.message}`)).toEqual([]);
      expect(result.unproven).toEqual([]);
      expect(images.filter((i) => i.problem !== undefined)).toEqual([]);
      // Counted by their references, not by the check: 50 in pod specs, 45 more from the rest (the
      // sidecars run proxyv2:1.28.0, which the gateways already run, not upstream's 1.29.0).
      expect(new Set(images.map((i) => normalizeImageReference(i.reference))).size).toBe(95);
    });

    it("pins what upstream leaves at latest or ahead of its control plane", () => {
      const data = (kind: string, namespace: string, name: string) =>
        objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name) as
          (Obj & { data: Record<string, string> }) | undefined;
      // KFP's cache image: upstream names ghcr.io/containerd/busybox with no tag; the fsx stack's busybox instead.
      expect(data("ConfigMap", "kubeflow", "pipeline-install-config")?.data.cacheImage).toBe(
        "public.ecr.aws/docker/library/busybox:1.37.0",
      );
      // KServe's ART explainer at the KServe release (upstream: latest).
      expect(JSON.parse(data("ConfigMap", "kubeflow", "inferenceservice-config")!.data.explainers)).toEqual({
        art: { image: "kserve/art-explainer", defaultImageVersion: "v0.16.0" },
      });
      // Sidecars at istiod's version (upstream's injector: 1.29.0).
      const values = JSON.parse(data("ConfigMap", "istio-system", "istio-sidecar-injector")!.data.values);
      expect(values.global.tag).toBe("1.28.0");
      expect(values.global.hub).toBe("gcr.io/istio-release");
    });

    it("finds the images that run from fields other than a workload's containers", () => {
      expect(found(/^(ClusterServingRuntime\/\/kserve-sklearnserver|ClusterStorageContainer|Image\/)/)).toEqual([
        "Image/knative-serving/queue-proxy spec.image: gcr.io/knative-releases/knative.dev/serving/cmd/queue@sha256:40957d3ced3b185b7a78bbd771be69b0a13137dcbee5ff7f82ae738b56037d9c",
        "ClusterServingRuntime//kserve-sklearnserver spec.containers[name=kserve-container].image: docker.io/kserve/sklearnserver:v0.16.0",
        "ClusterStorageContainer//default spec.container.image: docker.io/kserve/storage-initializer:v0.16.0",
      ]);
      expect(found(/^ConfigMap\/kubeflow\/inferenceservice-config data\[(agent|router|storageInitializer)\]/)).toEqual([
        "ConfigMap/kubeflow/inferenceservice-config data[agent] image: docker.io/kserve/agent:v0.16.0",
        "ConfigMap/kubeflow/inferenceservice-config data[router] image: docker.io/kserve/router:v0.16.0",
        "ConfigMap/kubeflow/inferenceservice-config data[storageInitializer] image: docker.io/kserve/storage-initializer:v0.16.0",
      ]);
      expect(
        found(/^ConfigMap\/kubeflow\/katib-config .*(metricsCollectors\[0\]|suggestions\[0\]|earlyStoppings)/),
      ).toEqual([
        "ConfigMap/kubeflow/katib-config data[katib-config.yaml] runtime.metricsCollectors[0].image: ghcr.io/kubeflow/katib/file-metrics-collector:v0.19.0",
        "ConfigMap/kubeflow/katib-config data[katib-config.yaml] runtime.suggestions[0].image: ghcr.io/kubeflow/katib/suggestion-hyperopt:v0.19.0",
        "ConfigMap/kubeflow/katib-config data[katib-config.yaml] runtime.earlyStoppings[0].image: ghcr.io/kubeflow/katib/earlystopping-medianstop:v0.19.0",
      ]);
      // The notebook images users are offered run when they pick them.
      expect(
        found(/^ConfigMap\/kubeflow\/jupyter-web-app-config-[a-z0-9]+ .*options/).map((w) => w.split(": ")[1]),
      ).toEqual([
        "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0",
        "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-full:v1.10.0",
        "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.10.0",
        "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-gaudi-full:v1.10.0",
        "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-tensorflow-full:v1.10.0",
        "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-tensorflow-cuda-full:v1.10.0",
        "ghcr.io/kubeflow/kubeflow/notebook-servers/codeserver-python:v1.10.0",
        "ghcr.io/kubeflow/kubeflow/notebook-servers/rstudio-tidyverse:v1.10.0",
      ]);
      expect(found(/(args|env)\[/)).toEqual([
        "Deployment/cert-manager/cert-manager spec.template.spec.containers[name=cert-manager-controller].args[3] (--acme-http01-solver-image): quay.io/jetstack/cert-manager-acmesolver:v1.19.4",
        "Deployment/kubeflow/ml-pipeline spec.template.spec.containers[name=ml-pipeline-api-server].env[name=V2_DRIVER_IMAGE].value: ghcr.io/kubeflow/kfp-driver:2.16.0",
        "Deployment/kubeflow/ml-pipeline spec.template.spec.containers[name=ml-pipeline-api-server].env[name=V2_LAUNCHER_IMAGE].value: ghcr.io/kubeflow/kfp-launcher:2.16.0",
        "Deployment/kubeflow/volumes-web-app-deployment spec.template.spec.containers[name=volumes-web-app].env[name=VOLUME_VIEWER_IMAGE].value: docker.io/filebrowser/filebrowser:v2.25.0",
        "Deployment/kubeflow/workflow-controller spec.template.spec.containers[name=workflow-controller].args[3]: quay.io/argoproj/argoexec:v3.7.3",
      ]);
    });

    it("resolves the images programs compose: Istio's sidecar (istiod's 1.28.0, not the injector's 1.29.0), the PVC viewer, KFP's artifact fetcher", () => {
      expect([
        ...new Set(found(/\(.*(ProxyImage|VOLUME_VIEWER_IMAGE|FRONTEND_IMAGE)/).map((w) => w.replace(/ line \d+/, ""))),
      ]).toEqual([
        "ConfigMap/istio-system/istio-sidecar-injector data[config] templates.sidecar (Istio's ProxyImage: global.hub/global.proxy.image:global.tag of data[values]): gcr.io/istio-release/proxyv2:1.28.0",
        "ConfigMap/istio-system/istio-sidecar-injector data[config] templates.gateway (Istio's ProxyImage: global.hub/global.proxy.image:global.tag of data[values]): gcr.io/istio-release/proxyv2:1.28.0",
        "ConfigMap/istio-system/istio-sidecar-injector data[config] templates.grpc-agent (Istio's ProxyImage: global.hub/global.proxy.image:global.tag of data[values]): gcr.io/istio-release/proxyv2:1.28.0",
        "ConfigMap/istio-system/istio-sidecar-injector data[config] templates.waypoint (Istio's ProxyImage: global.hub/global.proxy.image:global.tag of data[values]): gcr.io/istio-release/proxyv2:1.28.0",
        "ConfigMap/istio-system/istio-sidecar-injector data[config] templates.kube-gateway (Istio's ProxyImage: global.hub/global.proxy.image:global.tag of data[values]): gcr.io/istio-release/proxyv2:1.28.0",
        expect.stringMatching(
          /^ConfigMap\/kubeflow\/kubeflow-pipelines-profile-controller-code-[a-z0-9]+ data\[sync\.py\] \(FRONTEND_IMAGE .*\): ghcr\.io\/kubeflow\/kfp-frontend:2\.16\.0$/,
        ),
        expect.stringMatching(
          /^ConfigMap\/kubeflow\/volumes-web-app-viewer-spec-[a-z0-9]+ data\[viewer-spec\.yaml\] podSpec\.containers\[name=main\]\.image \(VOLUME_VIEWER_IMAGE .*\): docker\.io\/filebrowser\/filebrowser:v2\.25\.0$/,
        ),
      ]);
      expect(found(/^Deployment\/istio-system\/istiod /)).toEqual([
        "Deployment/istio-system/istiod spec.template.spec.containers[name=discovery].image: gcr.io/istio-release/pilot:1.28.0",
      ]);
    });

    it("the render alone would run 26.03's JobSet from its staging registry, which the check names", () => {
      const messages = checkDeployedImages(kubeflowImages(upstream)).findings.map((f) => `${f.where}: ${f.message}`);
      expect(messages).toEqual([
        expect.stringMatching(
          /^ConfigMap\/kubeflow\/inferenceservice-config data\[explainers\] art\.image .*: kserve\/art-explainer:latest names no release/,
        ),
        expect.stringMatching(
          /^ConfigMap\/kubeflow\/pipeline-install-config data\[cacheImage\] .*: ghcr\.io\/containerd\/busybox names no release/,
        ),
        expect.stringMatching(
          /^Deployment\/kubeflow-system\/jobset-controller-manager spec\.template\.spec\.containers\[name=manager\]\.image \(PROVENANCE entry "kubeflow"\): us-central1-docker\.pkg\.dev\/k8s-staging-images\/jobset\/jobset:v0\.10\.1 comes from /,
        ),
      ]);
    });
  });

  describe("every patch lands", () => {
    const cfgMap = one("ConfigMap", /^oauth2-proxy-[a-z0-9]{10}$/, "oauth2-proxy");
    const cfg = (cfgMap.data as Record<string, string>)["oauth2_proxy.cfg"];

    it("removes Dex entirely, with its default client secret and static password", () => {
      expect(upstream.filter((o) => o.metadata.namespace === "auth").length).toBeGreaterThan(3);
      expect(objects.filter((o) => o.metadata.namespace === "auth")).toEqual([]);
      expect(find("Namespace", "auth")).toEqual([]);
      expect(objects.filter((o) => /dex/.test(o.metadata.name))).toEqual([]);
      expect(find("RequestAuthentication", "dex-jwt")).toEqual([]);
    });

    it("replaces the default user profile with the team's", () => {
      expect(upstream.filter((o) => o.kind === "Profile").map((o) => o.metadata.name)).toEqual([
        "kubeflow-user-example-com",
      ]);
      expect(objects.filter((o) => o.kind === "Profile")).toEqual([
        {
          apiVersion: "kubeflow.org/v1",
          kind: "Profile",
          metadata: { name: "data-science" },
          spec: { owner: { kind: "User", name: "lead@example.com" } },
        },
      ]);
    });

    it("points oauth2-proxy at the Cognito issuer with the configured host, secure cookies and allowed domains", () => {
      expect(cfg).toContain(`oidc_issuer_url = "${TEST_PARAMS.issuerUrl}"`);
      expect(cfg).toContain('redirect_url = "https://ml.team.example.com/oauth2/callback"');
      expect(cfg).toContain("cookie_secure = true");
      expect(cfg).toContain('email_domains = [ "example.com", "example.org" ]');
      expect(cfg).not.toMatch(/dex/i);
      // The render's ConfigMap is patched in place: its consumer still names the same hashed ConfigMap.
      const deployment = one("Deployment", "oauth2-proxy", "oauth2-proxy");
      expect(JSON.stringify(template(deployment))).toContain(cfgMap.metadata.name);
      expect(one("ConfigMap", /^oauth2-proxy-parameters-/, "oauth2-proxy").data).toMatchObject({
        FORCE_HTTPS: "true",
        ALLOW_SELF_SIGNED_ISSUER: "false",
      });
    });

    it("makes oauth2-proxy read its credentials from the Secret the install step creates", () => {
      const env = containersOf(one("Deployment", "oauth2-proxy", "oauth2-proxy"))[0].env!;
      for (const name of ["OAUTH2_PROXY_CLIENT_ID", "OAUTH2_PROXY_CLIENT_SECRET", "OAUTH2_PROXY_COOKIE_SECRET"]) {
        expect(env.find((e) => e.name === name)?.valueFrom?.secretKeyRef?.name).toBe("oauth2-proxy-credentials");
      }
    });

    it("turns notebook culling on with the configured idle time and check period", () => {
      expect(one("ConfigMap", /^notebook-controller-config-/, "kubeflow").data).toMatchObject({
        ENABLE_CULLING: "true",
        CULL_IDLE_TIME: "45",
        IDLENESS_CHECK_PERIOD: "3",
      });
    });

    it("rolls oauth2-proxy and the notebook controller when their configuration changes (the ConfigMaps keep their names)", () => {
      const hashOf = (name: string, namespace: string) =>
        template(one("Deployment", name, namespace)).metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
      const files = (p: KubeflowInstallParams) =>
        Object.fromEntries(Object.entries(overlayFiles(p)).map(([f, text]) => [f, parse(text) as Obj]));
      const stamp = (o: Obj) =>
        (o.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations[
          CONFIG_HASH_ANNOTATION
        ];
      const base = files(TEST_PARAMS);
      // The built objects carry the hashes the generated patches hold.
      expect(hashOf("oauth2-proxy", "oauth2-proxy")).toBe(stamp(base["patches/oauth2-proxy-rollout.yaml"]));
      expect(hashOf("notebook-controller-deployment", "kubeflow")).toBe(
        stamp(base["patches/notebook-controller-rollout.yaml"]),
      );
      expect(stamp(base["patches/oauth2-proxy-rollout.yaml"])).toMatch(/^[0-9a-f]{64}$/);
      // A changed setting changes only its consumer's hash.
      const domains = files({ ...TEST_PARAMS, allowedEmailDomains: ["example.org"] });
      expect(stamp(domains["patches/oauth2-proxy-rollout.yaml"])).not.toBe(
        stamp(base["patches/oauth2-proxy-rollout.yaml"]),
      );
      expect(stamp(domains["patches/notebook-controller-rollout.yaml"])).toBe(
        stamp(base["patches/notebook-controller-rollout.yaml"]),
      );
      const culling = files({ ...TEST_PARAMS, cullIdleMinutes: 90 });
      expect(stamp(culling["patches/notebook-controller-rollout.yaml"])).not.toBe(
        stamp(base["patches/notebook-controller-rollout.yaml"]),
      );
    });

    it("gives both MySQL servers a root password from the install's Secrets, never an empty one", () => {
      const envOf = (name: string) => containersOf(one("Deployment", name, "kubeflow"))[0].env!;
      expect(envOf("mysql")).toContainEqual({
        name: "MYSQL_ROOT_PASSWORD",
        valueFrom: { secretKeyRef: { name: "mysql-secret", key: "password" } },
      });
      expect(envOf("katib-mysql")).toContainEqual({
        name: "MYSQL_ROOT_PASSWORD",
        valueFrom: { secretKeyRef: { name: "katib-mysql-secrets", key: "MYSQL_ROOT_PASSWORD" } },
      });
      expect(built).not.toContain("MYSQL_ALLOW_EMPTY_PASSWORD");
    });

    it("sends the dashboard's logout through Cognito's /logout with the app client and an allowed logout URI", () => {
      const env = containersOf(one("Deployment", "centraldashboard", "kubeflow"))[0].env!;
      expect(env.find((e) => e.name === "LOGOUT_URL")?.value).toBe(logoutUrl(TEST_PARAMS));
      const rd = new URL(`https://x${logoutUrl(TEST_PARAMS)}`).searchParams.get("rd")!;
      const cognito = new URL(rd);
      expect(cognito.origin).toBe("https://login.team.example.com");
      expect(cognito.pathname).toBe("/logout");
      expect(cognito.searchParams.get("client_id")).toBe(TEST_PARAMS.clientId);
      expect(cognito.searchParams.get("logout_uri")).toBe("https://ml.team.example.com/");
      // oauth2-proxy only redirects after sign-out to a whitelisted domain.
      expect(cfg).toContain('whitelist_domains = [ "login.team.example.com" ]');
    });

    it("puts an HTTPS-only, hardened ALB Ingress in front of the Istio gateway", () => {
      const ingress = one("Ingress", "kubeflow", "istio-system");
      expect(ingress.metadata.annotations).toEqual({
        "alb.ingress.kubernetes.io/group.name": INGRESS_GROUP_NAME,
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/backend-protocol": "HTTP",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": TEST_PARAMS.certificateArn,
        "alb.ingress.kubernetes.io/ssl-policy": ALB_SSL_POLICY,
        "alb.ingress.kubernetes.io/load-balancer-attributes": "routing.http.drop_invalid_header_fields.enabled=true",
        "alb.ingress.kubernetes.io/healthcheck-port": "15021",
        "alb.ingress.kubernetes.io/healthcheck-path": "/healthz/ready",
      });
      const rule = (ingress.spec as { rules: { host: string; http: { paths: { backend: unknown }[] } }[] }).rules[0];
      expect(rule.host).toBe("ml.team.example.com");
      expect(rule.http.paths[0].backend).toEqual({ service: { name: "istio-ingressgateway", port: { number: 80 } } });
      const gateway = one("Service", "istio-ingressgateway", "istio-system").spec as {
        ports: { port: number; targetPort: number }[];
      };
      expect(gateway.ports.find((p) => p.port === 80)!.targetPort).toBe(8080);
      const internal = kubeflowIngress({ ...TEST_PARAMS, ingressScheme: "internal" }) as Obj;
      expect(internal.metadata.annotations!["alb.ingress.kubernetes.io/scheme"]).toBe("internal");
    });
  });

  it("gives every claim a class the cluster has: none (the default) or the default class by name", () => {
    const claims = objects.filter((o) => o.kind === "PersistentVolumeClaim");
    expect(claims.map((c) => `${c.metadata.namespace}/${c.metadata.name}`).sort()).toEqual([
      "kubeflow/katib-mysql",
      "kubeflow/mysql-pv-claim",
      "kubeflow/seaweedfs-pvc",
    ]);
    for (const c of claims) {
      const cls = (c.spec as { storageClassName?: string }).storageClassName;
      expect([undefined, DEFAULT_CLASS_NAME]).toContain(cls);
    }
    // StatefulSets' claim templates too.
    for (const s of objects.filter((o) => o.kind === "StatefulSet")) {
      for (const t of (s.spec as { volumeClaimTemplates?: { spec: { storageClassName?: string } }[] })
        .volumeClaimTemplates ?? [])
        expect([undefined, DEFAULT_CLASS_NAME]).toContain(t.spec.storageClassName);
    }
  });

  describe("credentials", () => {
    const upstreamSecrets = upstream.filter((o) => o.kind === "Secret");
    const valuesOf = (s: Obj) => [
      ...Object.values((s.data as Record<string, string> | undefined) ?? {}).map((v) =>
        Buffer.from(v, "base64").toString("utf8"),
      ),
      ...Object.values((s.stringData as Record<string, string> | undefined) ?? {}),
    ];
    const publishedValues = upstreamSecrets.flatMap(valuesOf).filter((v) => v.length > 0);

    it("upstream ships the defaults this removes (so the test below can fail)", () => {
      expect(publishedValues).toEqual(expect.arrayContaining(["test", "minio", "minio123"]));
      const kfp = upstreamSecrets.find((s) => s.metadata.name === "mysql-secret")!;
      expect({ ...(kfp.data as object), ...(kfp.stringData as object) }).toMatchObject({
        password: expect.stringMatching(/^$/),
      });
      expect(upstream.filter((o) => /MYSQL_ALLOW_EMPTY_PASSWORD/.test(JSON.stringify(o)))).toHaveLength(2);
    });

    it("keeps no upstream default credential, in Secrets or in env literals", () => {
      const survivors = objects.filter((o) => o.kind === "Secret");
      // What is left are certificate Secrets the webhooks fill at runtime: no data at all.
      for (const s of survivors) expect(valuesOf(s)).toEqual([]);
      for (const w of workloads) {
        for (const c of containersOf(w)) {
          for (const e of c.env ?? []) {
            if (e.value === undefined) continue;
            expect({
              where: `${w.metadata.name}/${c.name}/${e.name}`,
              value: publishedValues.includes(e.value),
            }).toEqual({
              where: `${w.metadata.name}/${c.name}/${e.name}`,
              value: false,
            });
          }
        }
      }
    });

    it("wires this install's credentials into every consumer upstream has, by name and key", () => {
      const ours = credentialSecrets(credentials) as {
        metadata: { name: string; namespace: string };
        stringData: Record<string, string>;
      }[];
      const secretsInCluster = new Map<string, Set<string>>();
      for (const s of ours)
        secretsInCluster.set(`${s.metadata.namespace}/${s.metadata.name}`, new Set(Object.keys(s.stringData)));
      for (const s of placeholderSecrets() as typeof ours)
        secretsInCluster.set(`${s.metadata.namespace}/${s.metadata.name}`, new Set(Object.keys(s.stringData)));
      for (const s of objects.filter((o) => o.kind === "Secret"))
        secretsInCluster.set(
          `${s.metadata.namespace}/${s.metadata.name}`,
          new Set(Object.keys((s.data as object) ?? {})),
        );
      const consumers = new Set<string>();
      for (const w of workloads) {
        for (const c of containersOf(w)) {
          for (const e of c.env ?? []) {
            const ref = e.valueFrom?.secretKeyRef;
            if (!ref) continue;
            const keys = secretsInCluster.get(`${w.metadata.namespace}/${ref.name}`);
            expect({ consumer: `${w.metadata.name}/${e.name}`, key: keys?.has(ref.key) ?? false }).toEqual({
              consumer: `${w.metadata.name}/${e.name}`,
              key: true,
            });
            if (ours.some((s) => s.metadata.name === ref.name)) consumers.add(w.metadata.name);
          }
          for (const from of c.envFrom ?? []) {
            if (from.secretRef && ours.some((s) => s.metadata.name === from.secretRef!.name))
              consumers.add(w.metadata.name);
          }
        }
      }
      expect([...consumers].sort()).toEqual([
        "cache-server",
        "katib-db-manager",
        "katib-mysql",
        "kubeflow-pipelines-profile-controller",
        "metadata-grpc-deployment",
        "ml-pipeline",
        "ml-pipeline-ui",
        "mysql",
        "seaweedfs",
      ]);
      expect(Object.values(CREDENTIAL_KEYS)).toHaveLength(4);
    });
  });

  describe("identity headers", () => {
    const ra = one("RequestAuthentication", "cognito-jwt", "istio-system");
    const rules = (
      ra.spec as {
        jwtRules: { issuer: string; audiences: string[]; outputClaimToHeaders: { header: string; claim: string }[] }[];
      }
    ).jwtRules;

    it("sets kubeflow-userid from the Cognito token's email", () => {
      expect(rules).toEqual([
        expect.objectContaining({
          issuer: TEST_PARAMS.issuerUrl,
          jwksUri: `${TEST_PARAMS.issuerUrl}/.well-known/jwks.json`,
          audiences: [TEST_PARAMS.clientId],
        }),
      ]);
      expect(rules[0].outputClaimToHeaders).toContainEqual({ header: "kubeflow-userid", claim: "email" });
      expect(find("AuthorizationPolicy", "istio-ingressgateway-require-jwt", "istio-system")).toHaveLength(1);
    });

    it("sets kubeflow-groups from the token (Cognito's groups claim), so a header the client sends never survives", () => {
      expect(rules[0].outputClaimToHeaders).toContainEqual({ header: "kubeflow-groups", claim: "cognito:groups" });
      // No other issuer is left that could set either header (Dex's mapped groups from its own tokens).
      const all = objects.filter((o) => o.kind === "RequestAuthentication");
      expect(all.map((o) => o.metadata.name)).toEqual(["cognito-jwt"]);
    });
  });

  describe("NetworkPolicies, upstream's and ours, with enforcement on", () => {
    const policies = objects.filter((o) => o.kind === "NetworkPolicy") as unknown as NetworkPolicy[];
    const profileLabels = parse(
      (one("ConfigMap", /^namespace-labels-data-/, "kubeflow").data as Record<string, string>)["namespace-labels.yaml"],
    ) as Record<string, string>;
    const namespaces: Cluster["namespaces"] = Object.fromEntries([
      ...objects.filter((o) => o.kind === "Namespace").map((o) => [o.metadata.name, o.metadata.labels ?? {}]),
      // The team's namespace, labelled as the profile controller labels every profile namespace.
      [TEST_PARAMS.profileName, profileLabels],
    ]);
    const cluster: Cluster = { policies, namespaces };
    const podOf = (kind: string, name: string, namespace: string, ip = "10.42.1.20"): Pod => {
      const w = one(kind, name, namespace);
      const ports = Object.fromEntries(
        containersOf(w).flatMap((c) => (c.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort])),
      );
      return { namespace, labels: template(w).metadata?.labels ?? {}, ip, namedPorts: ports };
    };
    const gateway = podOf("Deployment", "istio-ingressgateway", "istio-system");
    const notebook: Pod = {
      namespace: TEST_PARAMS.profileName,
      labels: { app: "my-notebook", "notebook-name": "my-notebook" },
      ip: "10.42.3.7",
    };

    it("counts upstream's policies (minus Dex's) and ours", () => {
      expect(upstream.filter((o) => o.kind === "NetworkPolicy")).toHaveLength(40);
      expect(policies.map((p) => p.metadata.name)).toContain("allow-load-balancer-to-ingress-gateway");
    });

    it("lets the load balancer (an address in the VPC) reach the ingress gateway on traffic and health-check ports only", () => {
      const alb = { ip: "10.42.250.9" };
      expect(allowsIngress(cluster, alb, gateway, 8080)).toBe(true);
      expect(allowsIngress(cluster, alb, gateway, 15021)).toBe(true);
      expect(allowsIngress(cluster, alb, gateway, 15000)).toBe(false);
      expect(allowsIngress(cluster, { ip: "203.0.113.5" }, gateway, 8080)).toBe(false);
      // Without our policy, upstream's alone would drop the ALB: the reason it exists.
      const upstreamOnly: Cluster = {
        ...cluster,
        policies: policies.filter((p) => p.metadata.name !== "allow-load-balancer-to-ingress-gateway"),
      };
      expect(allowsIngress(upstreamOnly, alb, gateway, 8080)).toBe(false);
    });

    it("keeps a user namespace away from Katib's and KFP's MySQL, while their own services reach them", () => {
      const katibMysql = podOf("Deployment", "katib-mysql", "kubeflow");
      const kfpMysql = podOf("Deployment", "mysql", "kubeflow");
      expect(allowsIngress(cluster, { pod: notebook }, katibMysql, 3306)).toBe(false);
      expect(allowsIngress(cluster, { pod: notebook }, kfpMysql, 3306)).toBe(false);
      expect(
        allowsIngress(cluster, { pod: podOf("Deployment", "katib-db-manager", "kubeflow") }, katibMysql, 3306),
      ).toBe(true);
      expect(allowsIngress(cluster, { pod: podOf("Deployment", "ml-pipeline", "kubeflow") }, kfpMysql, 3306)).toBe(
        true,
      );
      // Katib's metrics collectors in user namespaces still reach the db-manager, by upstream's policy.
      expect(allowsIngress(cluster, { pod: notebook }, podOf("Deployment", "katib-db-manager", "kubeflow"), 6789)).toBe(
        true,
      );
    });

    describe("admission webhooks and probes: the callers that are not pods", () => {
      // The API server calls webhooks from network interfaces EKS places somewhere in the VPC (the
      // range the install is given, TEST_PARAMS.vpcCidr here), never from a pod; the kubelet probes
      // from its node's own address. See lib/network-policy.ts for how the VPC CNI treats both.
      const apiServer = controlPlane(TEST_PARAMS.vpcCidr);
      const anotherNode = { ip: "10.42.7.7" };
      interface Webhook {
        config: string;
        name: string;
        failurePolicy?: string;
        clientConfig: { url?: string; service?: { namespace: string; name: string; port?: number } };
      }
      interface ServicePort {
        port: number;
        protocol?: string;
        targetPort?: number | string;
      }
      /** Admission webhooks, and CRDs' conversion webhooks (the API server calls both). */
      const webhooksIn = (objs: Obj[]): Webhook[] =>
        objs.flatMap((o): Webhook[] => {
          if (["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"].includes(o.kind))
            return ((o.webhooks as Omit<Webhook, "config">[] | undefined) ?? []).map((w) => ({
              ...w,
              config: `${o.kind} ${o.metadata.name}, failurePolicy ${w.failurePolicy ?? "Fail"}`,
            }));
          const conversion = (o.spec as { conversion?: { strategy: string; webhook?: Pick<Webhook, "clientConfig"> } })
            ?.conversion;
          if (o.kind === "CustomResourceDefinition" && conversion?.strategy === "Webhook")
            return [{ name: "conversion", config: `${o.kind} ${o.metadata.name}`, ...conversion.webhook! }];
          return [];
        });
      // The CRDs are parsed without their schemas above; those with a conversion webhook, whole.
      const applied = [
        ...objects,
        ...documentsOf(built)
          .filter((d) => d.kind === "CustomResourceDefinition" && /^ {4}strategy: Webhook$/m.test(d.text))
          .map((d) => parse(d.text) as Obj),
      ];
      const asPod = (w: Obj): Pod => ({
        namespace: w.metadata.namespace ?? "default",
        labels: template(w).metadata?.labels ?? {},
        namedPorts: Object.fromEntries(
          containersOf(w).flatMap((c) => (c.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort])),
        ),
      });

      /**
       * Every webhook of `objs` that `source` cannot reach under `c`'s policies, named with its
       * Service and the pod port the connection lands on: webhook -> clientConfig.service (port 443
       * unless given) -> the Service's port -> its targetPort (the port itself unless given; a name
       * is looked up in each selected pod's container ports) on every workload its selector matches.
       */
      const closedWebhooks = (objs: Obj[], c: Cluster, source: Source): string[] =>
        webhooksIn(objs).flatMap((w): string[] => {
          // failurePolicy "Defaults to Fail", service port "Default to 443", in admissionregistration.k8s.io/v1
          // and (the port) apiextensions.k8s.io/v1 (upstream/kubernetes-openapi/kubernetes/swagger.json.unprocessed:
          // 107-108, 390, 20708).
          const at = `${w.name} (${w.config})`;
          const ref = w.clientConfig.service;
          if (!ref) return [`${at}: calls ${w.clientConfig.url}, not a Service`];
          const service = `Service ${ref.namespace}/${ref.name}:${ref.port ?? 443}`;
          const svc = objs.find(
            (o) => o.kind === "Service" && o.metadata.namespace === ref.namespace && o.metadata.name === ref.name,
          );
          const spec = svc?.spec as { selector?: Record<string, string>; ports?: ServicePort[] } | undefined;
          const servicePort = spec?.ports?.find((p) => p.port === (ref.port ?? 443));
          if (!spec || !servicePort) return [`${at}: ${service} is not in what we apply`];
          const backends = objs.filter(
            (o) =>
              ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind) &&
              o.metadata.namespace === ref.namespace &&
              spec.selector !== undefined &&
              selects({ matchLabels: spec.selector }, template(o).metadata?.labels ?? {}),
          );
          if (backends.length === 0) return [`${at}: ${service} selects no pod`];
          const target = servicePort.targetPort ?? servicePort.port;
          return backends.flatMap((b) => {
            const pod = asPod(b);
            const port = typeof target === "number" ? target : pod.namedPorts?.[target];
            const where = `${service} -> ${b.kind} ${ref.namespace}/${b.metadata.name}`;
            if (port === undefined) return [`${at}: ${where} has no port named "${target}"`];
            return allowsIngress(c, source, pod, port, servicePort.protocol ?? "TCP")
              ? []
              : [`${at}: ${where} ${servicePort.protocol ?? "TCP"} ${port} is closed`];
          });
        });
      const llmisvc = "llminferenceservice.kserve-webhook-server.validator";
      const llmisvcClosed =
        `${llmisvc} (ValidatingWebhookConfiguration llminferenceservice.serving.kserve.io, failurePolicy Fail): ` +
        "Service kubeflow/llmisvc-webhook-server-service:443 -> Deployment kubeflow/llmisvc-controller-manager TCP 9443 is closed";
      const withPolicies = (change: (p: NetworkPolicy[]) => NetworkPolicy[]): Cluster => ({
        ...cluster,
        policies: change([...policies]),
      });

      it("reaches every webhook of the build from the control plane, on the pod port each lands on", () => {
        const names = webhooksIn(applied).map((w) => w.name);
        expect(names).toEqual(
          expect.arrayContaining([
            llmisvc,
            "webhook.cert-manager.io",
            "object.sidecar-injector.istio.io",
            "webhook.serving.knative.dev",
            "inferenceservice.kserve-webhook-server.pod-mutator",
            "admission-webhook-deployment.kubeflow.org",
            "validator.experiment.katib.kubeflow.org",
          ]),
        );
        expect(webhooksIn(applied).filter((w) => w.name === "conversion")).toEqual([
          expect.objectContaining({ config: "CustomResourceDefinition pvcviewers.kubeflow.org" }),
        ]);
        // Trainer's and JobSet's went with them.
        expect(names.filter((n) => /trainer|jobset/.test(n))).toEqual([]);
        // Only KFP's cache webhook and Istio's validator fail open; every other one (Katib's three,
        // which set no failurePolicy, included) refuses what it matches while it cannot be reached.
        expect(webhooksIn(applied).filter((w) => /failurePolicy Ignore$/.test(w.config))).toEqual([
          expect.objectContaining({ name: "cache-server.kubeflow.svc" }),
          expect.objectContaining({ name: "rev.validation.istio.io" }),
        ]);
        expect(closedWebhooks(applied, cluster, apiServer)).toEqual([]);
      });

      it("finds llmisvc's webhook closed in upstream's policies alone (the reason for ours), and only it", () => {
        const upstreamOnly = withPolicies((ps) => ps.filter((p) => p.metadata.name !== "llmisvc-webhook"));
        expect(closedWebhooks(applied, upstreamOnly, apiServer)).toEqual([llmisvcClosed]);
        // Ours admits the webhook port only: the controller's metrics and health ports stay closed.
        const controller = asPod(one("Deployment", "llmisvc-controller-manager", "kubeflow"));
        expect(allowsIngress(cluster, apiServer, controller, 9443)).toBe(true);
        expect(allowsIngress(cluster, apiServer, controller, 8443)).toBe(false);
        expect(allowsIngress(cluster, apiServer, controller, 8081)).toBe(false);
      });

      it("names the webhook, Service and port a broken policy closes", () => {
        const ours = policies.find((p) => p.metadata.name === "llmisvc-webhook")!;
        const replaced = (ingress: NetworkPolicy["spec"]["ingress"]) =>
          withPolicies((ps) => ps.map((p) => (p === ours ? { ...p, spec: { ...p.spec, ingress } } : p)));
        const port = [{ protocol: "TCP", port: 9443 }];
        expect(TEST_PARAMS.vpcCidr).toBe("10.42.0.0/16"); // the ranges below are written for it
        // The wrong port.
        expect(closedWebhooks(applied, replaced([{ ports: [{ protocol: "TCP", port: 9444 }] }]), apiServer)).toEqual([
          llmisvcClosed,
        ]);
        // From the API server's namespace (kubeflow/community-distribution#3031's idea): it is not a pod there.
        const fromKubeSystem = [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } },
        ];
        expect(closedWebhooks(applied, replaced([{ from: fromKubeSystem, ports: port }]), apiServer)).toEqual([
          llmisvcClosed,
        ]);
        // Part of the VPC, or the VPC minus a subnet: EKS may place its interfaces anywhere in it.
        const fromRange = (cidr: string, except?: string[]) => [{ from: [{ ipBlock: { cidr, except } }], ports: port }];
        expect(closedWebhooks(applied, replaced(fromRange("10.42.0.0/17")), apiServer)).toEqual([llmisvcClosed]);
        expect(closedWebhooks(applied, replaced(fromRange("10.0.0.0/8", ["10.42.64.0/18"])), apiServer)).toEqual([
          llmisvcClosed,
        ]);
        // The whole VPC (or more) is enough.
        expect(closedWebhooks(applied, replaced(fromRange(TEST_PARAMS.vpcCidr)), apiServer)).toEqual([]);
        expect(closedWebhooks(applied, replaced(fromRange("10.0.0.0/8", ["10.43.0.0/16"])), apiServer)).toEqual([]);
        // An upstream policy gone: the PVC viewer's two admission webhooks and its CRD's conversion
        // webhook, all on the Service's named target port (webhook-server, 9443).
        const noPvcViewer = withPolicies((ps) => ps.filter((p) => p.metadata.name !== "pvcviewer-webhook"));
        const pvcViewer =
          ": Service kubeflow/pvcviewer-webhook-service:443 -> Deployment kubeflow/pvcviewer-controller-manager TCP 9443 is closed";
        expect(closedWebhooks(applied, noPvcViewer, apiServer)).toEqual([
          `mpvcviewer.kb.io (MutatingWebhookConfiguration pvcviewer-mutating-webhook-configuration, failurePolicy Fail)${pvcViewer}`,
          `vpvcviewer.kb.io (ValidatingWebhookConfiguration pvcviewer-validating-webhook-configuration, failurePolicy Fail)${pvcViewer}`,
          `conversion (CustomResourceDefinition pvcviewers.kubeflow.org)${pvcViewer}`,
        ]);
      });

      it("with the default components (notebooks, pipelines, katib), every webhook is reachable and none of another component is left", () => {
        const selectionBuilt = buildOverlay(
          { ...TEST_PARAMS, components: ["notebooks", "pipelines", "katib"] },
          cachingKustomize(),
        );
        const selection = [
          ...parseAll(selectionBuilt),
          ...documentsOf(selectionBuilt)
            .filter((d) => d.kind === "CustomResourceDefinition" && /^ {4}strategy: Webhook$/m.test(d.text))
            .map((d) => parse(d.text) as Obj),
        ];
        const selectionPolicies = selection.filter((o) => o.kind === "NetworkPolicy") as unknown as NetworkPolicy[];
        const selectionCluster: Cluster = {
          policies: selectionPolicies,
          namespaces: Object.fromEntries(
            selection.filter((o) => o.kind === "Namespace").map((o) => [o.metadata.name, o.metadata.labels ?? {}]),
          ),
        };
        expect(closedWebhooks(selection, selectionCluster, apiServer)).toEqual([]);
        expect(
          webhooksIn(selection)
            .map((w) => w.name)
            .sort(),
        ).toEqual([
          "admission-webhook-deployment.kubeflow.org",
          "cache-server.kubeflow.svc",
          "conversion",
          "defaulter.experiment.katib.kubeflow.org",
          "mpvcviewer.kb.io",
          "mutator.pod.katib.kubeflow.org",
          "namespace.sidecar-injector.istio.io",
          "object.sidecar-injector.istio.io",
          "rev.namespace.sidecar-injector.istio.io",
          "rev.object.sidecar-injector.istio.io",
          "rev.validation.istio.io",
          "validator.experiment.katib.kubeflow.org",
          "vpvcviewer.kb.io",
          "webhook.cert-manager.io",
          "webhook.cert-manager.io",
        ]);
        // Nothing of KServe, Knative or Spark, by namespace, API group or name; no policy for their pods.
        const others = selection.filter(
          (o) =>
            o.metadata.namespace === "knative-serving" ||
            /serving\.kserve\.io|knative\.dev|sparkoperator/.test(`${o.apiVersion} ${o.metadata.name}`) ||
            /^(kserve|llmisvc|spark|knative|activator|net-istio)/.test(o.metadata.name),
        );
        expect(others.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`)).toEqual([]);
        // The dashboard links only to what is there: no KServe Endpoints.
        const links = JSON.parse(
          (selection.find((o) => o.metadata.name === "centraldashboard-config")!.data as Record<string, string>).links,
        ) as { menuLinks: { link?: string; text: string }[] };
        expect(links.menuLinks.map((l) => l.text)).toEqual([
          "Notebooks",
          "TensorBoards",
          "Volumes",
          "Katib Experiments",
          "Pipelines",
        ]);
        // The full build's dashboard keeps the KServe link.
        const fullLinks = JSON.parse(
          (one("ConfigMap", "centraldashboard-config", "kubeflow").data as Record<string, string>).links,
        ) as { menuLinks: { text: string }[] };
        expect(fullLinks.menuLinks.map((l) => l.text)).toContain("KServe Endpoints");
      });

      it("lets the kubelet reach every readiness, liveness and startup probe, which the agent admits from the pod's own node only", () => {
        const closed: string[] = [];
        let probes = 0;
        for (const w of workloads) {
          const pod = asPod(w);
          for (const c of containersOf(w) as (Container & Record<string, unknown>)[]) {
            for (const kind of ["readinessProbe", "livenessProbe", "startupProbe"]) {
              const probe = c[kind] as
                | {
                    httpGet?: { port: number | string };
                    tcpSocket?: { port: number | string };
                    grpc?: { port: number };
                  }
                | undefined;
              const target = probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
              if (target === undefined) continue; // none, or an exec probe: no connection
              probes++;
              // A probe's named port is one of its own container's ports.
              const port = typeof target === "number" ? target : c.ports?.find((p) => p.name === target)?.containerPort;
              const at = `${w.kind} ${w.metadata.namespace}/${w.metadata.name} ${c.name} ${kind} ${String(target)}`;
              if (port === undefined) closed.push(`${at}: no such port`);
              else if (!allowsIngress(cluster, KUBELET, pod, port)) closed.push(`${at}: closed`);
            }
          }
        }
        expect(probes).toBeGreaterThan(40);
        expect(closed).toEqual([]);
        // Only the kubelet's node is admitted: the same probe port from another node's address (or the
        // control plane) stays closed where a policy isolates the pod.
        const controller = asPod(one("Deployment", "llmisvc-controller-manager", "kubeflow"));
        expect(inCidr(anotherNode.ip, TEST_PARAMS.vpcCidr)).toBe(true);
        expect(allowsIngress(cluster, KUBELET, controller, 8081)).toBe(true);
        expect(allowsIngress(cluster, anotherNode, controller, 8081)).toBe(false);
      });

      it("the Helm charts we install serve webhooks only from kube-system, where nothing we apply has a NetworkPolicy", () => {
        const upstreamDir = path.join(__dirname, "..", "upstream");
        const chart = path.join(upstreamDir, "aws-load-balancer-controller-chart/stable/aws-load-balancer-controller");
        const tpl = (f: string) => readFileSync(path.join(chart, "templates", f), "utf8");
        // Every webhook of the load balancer controller calls its webhook Service in the release's
        // namespace; that Service's 443 lands on the pods' named port webhook-server, 9443 unless
        // webhookBindPort is set (constructs/aws-load-balancer-controller.ts sets neither it nor hostNetwork).
        const webhooks = tpl("webhook.yaml").match(/^- clientConfig:/gm)!.length;
        expect(webhooks).toBeGreaterThan(5);
        expect(tpl("webhook.yaml").match(/^ {6}namespace: \{\{ \$\.Release\.Namespace \}\}$/gm)).toHaveLength(webhooks);
        expect(tpl("service.yaml")).toMatch(/- port: 443\n\s+name: webhook-server\n\s+targetPort: webhook-server\n/);
        expect(tpl("deployment.yaml")).toMatch(
          /- name: webhook-server\n\s+containerPort: \{\{ \.Values\.webhookBindPort \| default 9443 \}\}\n/,
        );
        expect(LB_CONTROLLER_NAMESPACE).toBe("kube-system");
        expect(
          policies.filter((p) => [LB_CONTROLLER_NAMESPACE, KARPENTER_NAMESPACE].includes(p.metadata.namespace!)),
        ).toEqual([]);
        const controllerPod: Pod = {
          namespace: LB_CONTROLLER_NAMESPACE,
          labels: { "app.kubernetes.io/name": "aws-load-balancer-controller" },
          namedPorts: { "webhook-server": 9443 },
        };
        expect(allowsIngress(cluster, apiServer, controllerPod, 9443)).toBe(true);
        // A default-deny policy in kube-system would close it: the check sees that namespace too.
        const denyAll: NetworkPolicy = {
          metadata: { name: "default-deny", namespace: LB_CONTROLLER_NAMESPACE },
          spec: { podSelector: {}, policyTypes: ["Ingress"] },
        };
        expect(allowsIngress({ ...cluster, policies: [...policies, denyAll] }, apiServer, controllerPod, 9443)).toBe(
          false,
        );
        // Karpenter's chart has no webhook at all (its templates name no webhook configuration).
        const karpenter = path.join(upstreamDir, "karpenter-chart/charts/karpenter/templates");
        expect(
          readdirSync(karpenter).filter((f) =>
            /WebhookConfiguration/.test(readFileSync(path.join(karpenter, f), "utf8")),
          ),
        ).toEqual([]);
        expect(readdirSync(karpenter)).toContain("deployment.yaml");
      });
    });
  });
});

describe("the system nodes' requests summary (generated/kubeflow-requests.json)", () => {
  const fresh = requestsSummaryOf(built, VERSION);
  const summary = JSON.parse(fresh) as KubeflowRequestsSummary;

  it("is what npm run generate gives for this build, committed", () => {
    // npm run generate builds with placeholder parameters and the same components; no request depends
    // on the rest (hosts, issuer, profile).
    expect(requestsBuildParams(VERSION).components).toEqual(TEST_PARAMS.components);
    expect(readFileSync(path.join(__dirname, "..", REQUESTS_SUMMARY_FILE), "utf8")).toBe(fresh);
  });

  it("counts each workload's pods with the sidecar Istio adds, under the component that installs it", () => {
    const of = (component: string, name: string) => {
      const c = summary.components[component as keyof typeof summary.components]!;
      const w = [...c.workloads, ...c.daemonSets].find((x) => x.name === name)!;
      return [w.pods, w.cpuMillicoresPerPod, w.memoryMiBPerPod, w.istioSidecar];
    };
    expect(of("core", "istiod")).toEqual([1, 500, 2048, false]); // istio-system: istio-injection=disabled
    expect(of("core", "centraldashboard")).toEqual([1, 10, 40, true]); // requests nothing; the sidecar's 10m/40Mi
    expect(of("core", "oauth2-proxy")).toEqual([2, 0, 0, false]); // 2 replicas, a namespace without injection
    expect(of("core", "istio-cni-node")).toEqual([1, 100, 100, false]); // per node
    expect(of("pipelines", "ml-pipeline")).toEqual([1, 260, 540, true]); // 250m/500Mi + 10m/40Mi
    expect(of("pipelines", "kubeflow-pipelines-profile-controller")).toEqual([1, 0, 0, false]); // inject: "false"
    expect(of("kserve", "activator")).toEqual([1, 310, 100, true]); // its autoscaler's minReplicas 1; 300m/60Mi + sidecar
    // KFP: api-server 250/500, persistence agent 120/500, UI 10/70, visualization 30/500, MySQL 100/800,
    // Argo 100/500, SeaweedFS 32/128, metacontroller 100/256 = 742m, 3254 MiB; 12 of its 15 pods get the
    // sidecar (not the profile controller, metadata-envoy, metacontroller): + 120m, 480 MiB.
    const pipelines = summary.components.pipelines!.workloads;
    expect([
      pipelines.reduce((n, w) => n + w.pods, 0),
      pipelines.reduce((n, w) => n + w.pods * w.cpuMillicoresPerPod, 0),
      pipelines.reduce((n, w) => n + w.pods * w.memoryMiBPerPod, 0),
    ]).toEqual([15, 862, 3734]);
  });
});
