import { parse } from "yaml";
import { UPSTREAM } from "../lib/versions";
import { buildApp, configWith, resource, resources } from "./helpers";

const { stages, json } = buildApp();
const dashboard = json(stages.dashboard);

describe("dashboard stack", () => {
  const [[, release]] = resources(dashboard, "helm_release");
  const values = parse((release.values as string[])[0]) as Record<string, unknown>;

  it("installs Headlamp from its pinned chart without the chart's cluster-admin binding", () => {
    expect(release).toMatchObject({
      repository: "https://kubernetes-sigs.github.io/headlamp/",
      chart: "headlamp",
      version: UPSTREAM.headlamp.version,
      atomic: true,
    });
    expect(values.clusterRoleBinding).toEqual({ create: false });
    const bindings = resources(dashboard, "kubernetes_cluster_role_binding_v1").map(([, b]) => b);
    expect(bindings).toHaveLength(1);
    expect(JSON.stringify(dashboard)).not.toContain("cluster-admin");
  });

  it("binds a dedicated viewer service account to the read-only view role", () => {
    const binding = resource(dashboard, "kubernetes_cluster_role_binding_v1", "viewer-binding");
    expect(binding.role_ref).toEqual({ api_group: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" });
    expect(binding.subject).toEqual([
      { kind: "ServiceAccount", name: expect.stringContaining("kubernetes_service_account_v1"), namespace: "headlamp" },
    ]);
    expect(resource(dashboard, "kubernetes_service_account_v1", "viewer")).toMatchObject({
      metadata: { name: "dashboard-viewer", namespace: expect.stringContaining("kubernetes_namespace_v1") },
      automount_service_account_token: false,
    });
  });

  it("is not exposed: ClusterIP service, no ingress", () => {
    expect(values.service).toEqual({ type: "ClusterIP", port: 80 });
    expect(values.ingress).toEqual({ enabled: false });
  });

  it("can be turned off", () => {
    const off = buildApp(configWith((c) => ({ ...c, dashboard: { enabled: false } })));
    expect(resources(off.json(off.stages.dashboard), "helm_release")).toEqual([]);
  });
});
