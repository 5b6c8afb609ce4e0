import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { ALB_SSL_POLICY, kubeflowIngress, prepareOverlay, type KubeflowInstallParams } from "../lib/kubeflow-overlay";
import { TEST_PARAMS } from "./fixtures/kubeflow-params";
import { INGRESS_GROUP_NAME } from "../lib/kubeflow";
import { REPO_ROOT } from "./helpers";

type Obj = {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [k: string]: unknown;
};

const STAND_IN_UPSTREAM = path.join(REPO_ROOT, "__tests__", "fixtures", "kubeflow-upstream");

/** Renders the committed overlay over the stand-in upstream with `kubectl kustomize`. */
function render(params: KubeflowInstallParams): { text: string; objects: Obj[] } {
  const work = mkdtempSync(path.join(tmpdir(), "kf-overlay-test-"));
  try {
    const overlay = prepareOverlay(work, STAND_IN_UPSTREAM, params);
    let text: string;
    try {
      text = execFileSync("kubectl", ["kustomize", overlay], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === "ENOENT") {
        const hint = "kubectl is required to render the Kubeflow overlay in tests; install kubectl (with kustomize v5)";
        throw new Error(hint, { cause: err });
      }
      throw new Error(`kubectl kustomize failed: ${e.stderr ?? e.message}`, { cause: err });
    }
    return { text, objects: parseAllDocuments(text).map((d) => d.toJS() as Obj) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const { text, objects } = render(TEST_PARAMS);
const find = (kind: string, name: string) => objects.filter((o) => o.kind === kind && o.metadata.name.startsWith(name));

describe("Kubeflow overlay (rendered with kubectl kustomize over a stand-in upstream)", () => {
  const cfg = String(
    (
      find("ConfigMap", "oauth2-proxy-").find((c) => "oauth2_proxy.cfg" in (c.data as object))!.data as Record<
        string,
        string
      >
    )["oauth2_proxy.cfg"],
  );

  it("points oauth2-proxy at the Cognito issuer with the configured host, secure cookies and allowed domains", () => {
    expect(cfg).toContain(`oidc_issuer_url = "${TEST_PARAMS.issuerUrl}"`);
    expect(cfg).toContain('redirect_url = "https://ml.team.example.com/oauth2/callback"');
    expect(cfg).toContain("cookie_secure = true");
    expect(cfg).toContain('email_domains = [ "example.com", "example.org" ]');
    expect(cfg).not.toContain("dex");
    const parameters = find("ConfigMap", "oauth2-proxy-parameters")[0].data as Record<string, string>;
    expect(parameters).toMatchObject({ FORCE_HTTPS: "true", ALLOW_SELF_SIGNED_ISSUER: "false" });
  });

  it("keeps none of upstream's published default secrets and installs no Dex", () => {
    expect(text).not.toMatch(/stand-in-upstream-default/);
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(
      objects.filter((o) => o.metadata.namespace === "auth" || (o.kind === "Namespace" && o.metadata.name === "auth")),
    ).toEqual([]);
    expect(objects.filter((o) => o.metadata.name === "dex" || o.metadata.name === "dex-jwt")).toEqual([]);
  });

  it("makes oauth2-proxy read its credentials from the Secret the install step creates", () => {
    const [deployment] = find("Deployment", "oauth2-proxy");
    const env = (
      deployment.spec as {
        template: {
          spec: { containers: { env: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[] }[] };
        };
      }
    ).template.spec.containers[0].env;
    for (const name of ["OAUTH2_PROXY_CLIENT_ID", "OAUTH2_PROXY_CLIENT_SECRET", "OAUTH2_PROXY_COOKIE_SECRET"]) {
      expect(env.find((e) => e.name === name)?.valueFrom?.secretKeyRef?.name).toBe("oauth2-proxy-credentials");
    }
  });

  it("has Istio verify the Cognito token and map its email to kubeflow-userid, keeping upstream's require-JWT policy", () => {
    const [ra] = find("RequestAuthentication", "cognito-jwt");
    expect(ra.metadata.namespace).toBe("istio-system");
    expect((ra.spec as { jwtRules: unknown[] }).jwtRules).toEqual([
      expect.objectContaining({
        issuer: TEST_PARAMS.issuerUrl,
        jwksUri: `${TEST_PARAMS.issuerUrl}/.well-known/jwks.json`,
        audiences: [TEST_PARAMS.clientId],
        outputClaimToHeaders: [{ header: "kubeflow-userid", claim: "email" }],
      }),
    ]);
    expect(find("AuthorizationPolicy", "istio-ingressgateway-require-jwt")).toHaveLength(1);
  });

  it("turns notebook culling on with the configured idle time and check period", () => {
    const [culling] = find("ConfigMap", "notebook-controller-config");
    expect(culling.data).toEqual({ ENABLE_CULLING: "true", CULL_IDLE_TIME: "45", IDLENESS_CHECK_PERIOD: "3" });
    expect(find("ConfigMap", "notebook-controller-config")).toHaveLength(1);
  });

  it("replaces the default user profile with the team's", () => {
    const profiles = objects.filter((o) => o.kind === "Profile");
    expect(profiles).toEqual([
      {
        apiVersion: "kubeflow.org/v1",
        kind: "Profile",
        metadata: { name: "data-science" },
        spec: { owner: { kind: "User", name: "lead@example.com" } },
      },
    ]);
  });

  it("puts an HTTPS-only, hardened ALB Ingress in front of the Istio gateway", () => {
    const [ingress] = find("Ingress", "kubeflow");
    expect(ingress.metadata.namespace).toBe("istio-system");
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
    expect(ALB_SSL_POLICY).toMatch(/^ELBSecurityPolicy-TLS13-/);
    const rule = (ingress.spec as { rules: { host: string; http: { paths: { backend: unknown }[] } }[] }).rules[0];
    expect(rule.host).toBe("ml.team.example.com");
    expect(rule.http.paths[0].backend).toEqual({ service: { name: "istio-ingressgateway", port: { number: 80 } } });
    const [gateway] = find("Service", "istio-ingressgateway");
    expect((gateway.spec as { ports: { port: number }[] }).ports.map((p) => p.port)).toContain(80);
  });

  it("admits the load balancer (the VPC's range) to the ingress gateway's pods on the ports the ALB targets, and nothing else", () => {
    const [policy] = find("NetworkPolicy", "allow-load-balancer-to-ingress-gateway");
    expect(policy.metadata.namespace).toBe("istio-system");
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { app: "istio-ingressgateway" } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ ipBlock: { cidr: "10.42.0.0/16" } }],
          ports: [
            { protocol: "TCP", port: 8080 },
            { protocol: "TCP", port: 15021 },
          ],
        },
      ],
    });
    // The ports are the gateway pods' (NetworkPolicies match pod ports): the Service's target of the
    // Ingress backend port, and the health check port the Ingress names.
    const [gateway] = find("Service", "istio-ingressgateway");
    const ports = gateway.spec as { selector: Record<string, string>; ports: { port: number; targetPort: number }[] };
    expect(ports.selector).toEqual({ app: "istio-ingressgateway" });
    expect(ports.ports.find((p) => p.port === 80)!.targetPort).toBe(8080);
    const [ingress] = find("Ingress", "kubeflow");
    expect(ingress.metadata.annotations!["alb.ingress.kubernetes.io/healthcheck-port"]).toBe("15021");
    expect(ingress.metadata.annotations!["alb.ingress.kubernetes.io/target-type"]).toBe("ip");
  });

  it("follows the configured scheme and lets any email domain in when none is configured", () => {
    const internal = kubeflowIngress({ ...TEST_PARAMS, ingressScheme: "internal" }) as Obj;
    expect(internal.metadata.annotations!["alb.ingress.kubernetes.io/scheme"]).toBe("internal");
    const open = render({ ...TEST_PARAMS, allowedEmailDomains: [], cullingEnabled: false });
    expect(open.text).toContain('email_domains = [ "*" ]');
    expect(open.text).toContain('ENABLE_CULLING: "false"');
  });
});
