/**
 * The system nodes' sizing: Kubernetes' rule for a pod's requests, the Istio sidecar the injector adds,
 * what a node allocates by EKS AL2023's rules, what the platform puts on the system nodes, and the
 * cost report's section on it. Expected values are worked out by hand in the comments.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { Config } from "../config/schema";
import { SYSTEM_INSTANCE_TYPES } from "../lib/instance-types";
import { renderDir } from "../lib/kubeflow-release";
import {
  readRequestsSummary,
  summarizeRequests,
  type BuiltObject,
  type WorkloadRequests,
} from "../lib/kubeflow-requests";
import {
  eniMaxPods,
  kubeReservedCpuMillicores,
  kubeReservedMemoryMiB,
  nodeAllocatable,
  nodeGroupMaxPods,
} from "../lib/node-capacity";
import { containerRequests, cpuMillicores, memoryBytes, podRequests } from "../lib/pod-requests";
import { checkFit, fittingConfigs, KUBE_PROXY_ALLOWANCE, systemDemand, systemWorkloads } from "../lib/system-requests";
import { PRICE_TABLE } from "../lib/price-table";
import { costReport, tablePrices } from "../scripts/cost";
import { parseConfig } from "../config/load";

const MI = 2 ** 20;
// The shipped config, read without building the app (helpers.ts loads every stack and provider).
const defaultConfig = () =>
  parseConfig(readFileSync(path.join(__dirname, "..", "config", "default.yaml"), "utf8"), "default.yaml");

describe("a pod's requests, by Kubernetes' rules", () => {
  it("reads CPU and memory quantities as the scheduler does", () => {
    expect([cpuMillicores("250m"), cpuMillicores("1"), cpuMillicores("0.5"), cpuMillicores(2)]).toEqual([
      250, 1000, 500, 2000,
    ]);
    expect([memoryBytes("128Mi"), memoryBytes("1Gi"), memoryBytes("500M"), memoryBytes(1024)]).toEqual([
      128 * MI,
      1024 * MI,
      500_000_000,
      1024,
    ]);
    expect(() => cpuMillicores("lots")).toThrow(/not a CPU quantity/);
  });

  it("takes a limit where a container sets no request, and counts a container that asks for nothing", () => {
    expect(containerRequests({ resources: { limits: { cpu: "500m", memory: "128Mi" } } })).toEqual({
      cpuMillicores: 500,
      memoryBytes: 128 * MI,
      requestsNothing: false,
    });
    expect(
      containerRequests({ resources: { requests: { cpu: "100m" }, limits: { cpu: "1", memory: "64Mi" } } }),
    ).toEqual({ cpuMillicores: 100, memoryBytes: 64 * MI, requestsNothing: false });
    expect(containerRequests({})).toEqual({ cpuMillicores: 0, memoryBytes: 0, requestsNothing: true });
  });

  it("sums containers and sidecars, and takes the larger of that and the peak of an init container", () => {
    const r = (cpu: string, memory: string) => ({ resources: { requests: { cpu, memory } } });
    // Containers 100m/64Mi; one init container 300m/32Mi: max(100, 300) = 300m, max(64, 32) = 64Mi.
    expect(podRequests({ containers: [r("100m", "64Mi")], initContainers: [r("300m", "32Mi")] })).toEqual({
      cpuMillicores: 300,
      memoryBytes: 64 * MI,
    });
    // A sidecar (restartPolicy Always, 50m/16Mi) runs for the pod's life: containers 100m + 50m = 150m and
    // 64 + 16 = 80Mi; the init container after it peaks at 200m + 50m = 250m and 8 + 16 = 24Mi: 250m, 80Mi.
    expect(
      podRequests({
        containers: [r("100m", "64Mi")],
        initContainers: [{ ...r("50m", "16Mi"), restartPolicy: "Always" }, r("200m", "8Mi")],
      }),
    ).toEqual({ cpuMillicores: 250, memoryBytes: 80 * MI });
  });
});

describe("the requests summary of a build", () => {
  // The real injector (its values and its webhook's selectors) from the committed render.
  const render = (file: string) => parse(readFileSync(path.join(renderDir("26.03"), file), "utf8")) as BuiltObject;
  const injector = [
    render("configmap-istio-system-istio-sidecar-injector.yaml"),
    render("mutatingwebhookconfiguration-istio-sidecar-injector.yaml"),
  ];
  const namespace = (name: string, labels: Record<string, string>): BuiltObject => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels },
  });
  const deployment = (
    ns: string,
    name: string,
    container: object,
    meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
    spec: object = {},
  ): BuiltObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: { template: { metadata: meta, spec: { containers: [container], ...spec } } },
  });
  const req = (cpu?: string, memory?: string) => ({
    resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } },
  });
  const objects: BuiltObject[] = [
    ...injector,
    namespace("mesh", { "istio-injection": "enabled" }),
    namespace("plain", {}),
    deployment("mesh", "a", req("100m", "100Mi")),
    deployment(
      "mesh",
      "b",
      { resources: { limits: { cpu: "200m", memory: "64Mi" } } },
      {
        labels: { "sidecar.istio.io/inject": "false" },
      },
    ),
    deployment("mesh", "c", {}, { annotations: { "sidecar.istio.io/inject": "false" } }),
    deployment("plain", "d", {}, { labels: { "sidecar.istio.io/inject": "true" } }),
    deployment("plain", "e", {}, { annotations: { "sidecar.istio.io/inject": "true" } }),
    deployment("mesh", "f", req("20m"), {}, { hostNetwork: true }),
    deployment("mesh", "g", req("100m"), {
      annotations: { "sidecar.istio.io/proxyCPU": "50m", "sidecar.istio.io/proxyMemory": "64Mi" },
    }),
    deployment("mesh", "h", req("5m", "8Mi")),
    {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "h", namespace: "mesh" },
      spec: { scaleTargetRef: { kind: "Deployment", name: "h" }, minReplicas: 3 },
    },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace: "kube-system" },
      spec: {
        template: {
          metadata: { labels: { "sidecar.istio.io/inject": "true" } },
          spec: { containers: [req("20m", "30Mi")] },
        },
      },
    },
  ];
  const owner = (o: BuiltObject) => (o.metadata.name === "h" ? "notebooks" : "core");
  const summary = summarizeRequests("26.03", objects, owner, "injector.yaml");
  const byName = new Map(
    Object.values(summary.components).flatMap((c) => [...c!.workloads, ...c!.daemonSets].map((w) => [w.name, w])),
  );
  const pod = (name: string) => {
    const w = byName.get(name) as WorkloadRequests;
    return [w.pods, w.cpuMillicoresPerPod, w.memoryMiBPerPod, w.istioSidecar, w.containersRequestingNothingPerPod];
  };

  it("reads the sidecar's requests from the injector's values", () => {
    expect(summary.istioSidecar).toEqual({
      cpuMillicores: 10,
      memoryMiB: 40,
      from: "injector.yaml: values global.proxy.resources.requests",
    });
  });

  it("adds the sidecar where the webhook selects the pod and Istio injects it", () => {
    // [pods, CPU per pod, MiB per pod, sidecar, containers asking nothing]
    expect(pod("a")).toEqual([1, 110, 140, true, 0]); // 100m + 10m, 100 + 40 MiB: an injected namespace
    expect(pod("b")).toEqual([1, 200, 64, false, 0]); // the label opts out; its limits stand in for requests
    expect(pod("c")).toEqual([1, 0, 0, false, 1]); // the annotation opts out once the webhook is called
    expect(pod("d")).toEqual([1, 10, 40, true, 1]); // the label opts in where the namespace does not
    expect(pod("e")).toEqual([1, 0, 0, false, 1]); // no webhook selects an annotation alone
    expect(pod("f")).toEqual([1, 20, 0, false, 0]); // host network: never injected
    expect(pod("g")).toEqual([1, 150, 64, true, 0]); // the pod's proxyCPU/proxyMemory replace the defaults
    expect(pod("h")).toEqual([3, 15, 48, true, 0]); // its autoscaler's minReplicas 3 over 1 replica
    expect(pod("agent")).toEqual([1, 20, 30, false, 0]); // kube-system is never injected
    expect(summary.components.notebooks?.workloads.map((w) => w.name)).toEqual(["h"]);
    expect(summary.components.core?.daemonSets.map((w) => w.name)).toEqual(["agent"]);
  });

  it("refuses a kind whose pods it does not count, and a workload no component owns", () => {
    const job: BuiltObject = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "once", namespace: "plain" } };
    expect(() => summarizeRequests("26.03", [...objects, job], owner, "x")).toThrow(
      /Job plain\/once: the requests summary does not count this kind's pods/,
    );
    expect(() => summarizeRequests("26.03", objects, () => undefined, "x")).toThrow(
      /Deployment mesh\/a is in no component of the render/,
    );
  });
});

describe("what a system node allocates (EKS AL2023, nodeadm's defaults)", () => {
  it("reserves CPU by core: 6% of the first, 1% of the second, 0.5% of the next two, 0.25% above", () => {
    expect([1, 2, 4, 8].map(kubeReservedCpuMillicores)).toEqual([60, 70, 80, 90]); // 60; +10; +5+5; +4000 x 0.25%
    expect(kubeReservedMemoryMiB(29)).toBe(574); // 11 x 29 + 255
  });

  it("matches Karpenter's generated instance-type page for the same types", () => {
    // aws/karpenter-provider-aws v1.14.1 website/content/en/docs/reference/instance-types.md:16642-16645,
    // 19506-19509, 17524-17527.
    expect(nodeAllocatable(SYSTEM_INSTANCE_TYPES["m6a.large"])).toEqual({
      cpuMillicores: 1930,
      memoryMiB: 6903,
      pods: 29,
    });
    expect(nodeAllocatable(SYSTEM_INSTANCE_TYPES["m7i.xlarge"])).toEqual({
      cpuMillicores: 3920,
      memoryMiB: 14162,
      pods: 58,
    });
    expect(nodeAllocatable(SYSTEM_INSTANCE_TYPES["m6i.2xlarge"])).toEqual({
      cpuMillicores: 7910,
      memoryMiB: 29317,
      pods: 58,
    });
  });

  it("gives a managed group the smallest max pods of its types, at most 110 below 30 vCPUs", () => {
    expect(nodeGroupMaxPods([SYSTEM_INSTANCE_TYPES["m6a.large"], SYSTEM_INSTANCE_TYPES["m6i.xlarge"]])).toBe(29);
    const big = { vcpus: 16, memoryMiB: 65536, maxEnis: 8, ipv4PerEni: 30 };
    expect(eniMaxPods(big)).toBe(234); // 8 x 29 + 2
    expect(nodeGroupMaxPods([big])).toBe(110);
    // kube-reserved memory still follows nodeadm's own 234: 65536 - 4916 - (11 x 234 + 255) - 100 = 57691.
    expect(nodeAllocatable(big, 110).memoryMiB).toBe(57691);
  });
});

describe("what the platform puts on the system nodes", () => {
  const summary = readRequestsSummary();
  const defaults = defaultConfig();
  const demand = (config: Config) => systemDemand(systemWorkloads(config, summary));

  it("sums the default components, the add-ons and EKS's add-ons, and the agents on each node", () => {
    const d = demand(defaults);
    // Kubeflow 35 pods 1582m 6526 MiB (core 620m/2256, notebooks 90/496, pipelines 862/3734, katib 10/40);
    // cluster-autoscaler 1 x 100m/600Mi; load balancer controller 2 x 100m/128Mi; Headlamp 1 x nothing;
    // CoreDNS 2 x 100m/70Mi; EBS CSI controller 2 x (5 x 10m/40Mi + 10m/32Mi = 60m/232Mi).
    // Pods 35 + 1 + 2 + 1 + 2 + 2 = 43; CPU 1582 + 100 + 200 + 200 + 120 = 2202m;
    // memory 6526 + 600 + 256 + 140 + 464 = 7986 MiB.
    expect([d.cluster.pods, d.cluster.cpuMillicores, d.cluster.memoryMiB]).toEqual([43, 2202, 7986]);
    // istio-cni-node 100m/100Mi, aws-node 2 x 25m, kube-proxy 100m/128Mi (allowance), Pod Identity agent
    // nothing, ebs-csi-node 10m/40Mi + 2 x 10m/32Mi, fsx-csi-node 2 x 10m/32Mi + 10m/40Mi:
    // 6 pods, 100 + 50 + 100 + 0 + 30 + 30 = 310m, 100 + 128 + 104 + 104 = 436 MiB.
    expect([d.perNode.pods, d.perNode.cpuMillicores, d.perNode.memoryMiB]).toEqual([6, 310, 436]);
    expect(d.unknowns.map((w) => w.name)).toEqual(["kube-proxy", "coredns"]);
  });

  it("holds the allowance for kube-proxy above every per-node agent that publishes its requests", () => {
    const variants = [defaults, { ...defaults, autoscaler: "karpenter" as const }];
    const agents = variants.flatMap((c) => systemWorkloads(c, summary).filter((w) => w.perNode && !w.unknown));
    expect(agents.length).toBeGreaterThanOrEqual(5);
    for (const a of agents) {
      expect(a.cpuMillicoresPerPod).toBeLessThanOrEqual(cpuMillicores(KUBE_PROXY_ALLOWANCE.cpu));
      expect(a.memoryMiBPerPod * MI).toBeLessThanOrEqual(memoryBytes(KUBE_PROXY_ALLOWANCE.memory));
    }
  });

  it("fits the default on its 2 x m6a.large, and names each resource one node lacks", () => {
    const d = demand(defaults);
    const two = checkFit(d, defaults.nodeGroups.system.instanceTypes, 2);
    // 2 x (1930 - 310) = 3240m, 2 x (6903 - 436) = 12934 MiB, 2 x (29 - 6) = 46 pods: all hold.
    expect(two).toMatchObject({
      capacity: { free: { cpuMillicores: 3240, memoryMiB: 12934, pods: 46 } },
      problems: [],
    });
    expect(checkFit(d, ["m6a.large"], 1)).toMatchObject({
      problems: [
        "CPU: 2202m CPU requested, 1620m CPU free",
        "memory: 7986 MiB requested, 6467 MiB free",
        "pods: 43 to run, room for 23",
      ],
    });
  });

  it("lists the configurations that fit at two nodes or more, cheapest first", () => {
    const west = PRICE_TABLE["us-west-2"].onDemandHourly;
    // 2 x m6a.large at 0.0864 = 0.1728/h.
    expect(fittingConfigs(demand(defaults), west)[0]).toEqual({ instanceType: "m6a.large", count: 2, hourly: 0.1728 });
    // Karpenter: 2 x 1000m/1Gi instead of cluster-autoscaler's 100m/600Mi: 44 pods, 4102m, 9434 MiB.
    // 2 x m6a.large leave 3240m: too little; 3 leave 4860m, 19401 MiB, 69 pods at 3 x 0.0864 = 0.2592/h,
    // below 2 x m6a.xlarge at 0.3456/h.
    const karpenter: Config = { ...defaults, autoscaler: "karpenter" };
    const k = demand(karpenter);
    expect([k.cluster.pods, k.cluster.cpuMillicores, k.cluster.memoryMiB]).toEqual([44, 4102, 9434]);
    const [cheapest, next] = fittingConfigs(k, west);
    expect(cheapest.instanceType).toBe("m6a.large");
    expect(cheapest.count).toBe(3);
    expect(cheapest.hourly).toBeCloseTo(0.2592, 10);
    expect(next.instanceType).toBe("m6i.large");
  });

  it("is printed by npm run cost with the cheapest fit and its price", () => {
    const report = costReport(defaults, tablePrices("us-west-2"));
    expect(report).toContain("| total, spread over the nodes | 43 | 2202m | 7986 MiB | 25 |");
    expect(report).toContain("| per-node agents, on each node | 6 | 310m | 436 MiB | 1 |");
    expect(report).toContain("| m6a.large | 2 | $0.1728 | $126.14 |"); // 0.1728 x 730 = 126.144
    expect(report.some((l) => l.startsWith("Cheapest that holds it: 2 x m6a.large, $126.14 a month"))).toBe(true);
    expect(report.some((l) => l.includes("they hold it, with 1038m CPU, 4948 MiB and 3 pods to spare"))).toBe(true);
  });
});
