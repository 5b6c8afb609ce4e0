import { readFileSync } from "node:fs";
import { AWS_LOAD_BALANCER_CONTROLLER_POLICY_FILE } from "../lib/aws-load-balancer-controller-policy";
import { LBC_CLUSTER_TAG } from "../lib/kubeflow";
import { KARPENTER_CLOUDFORMATION_FILE } from "../lib/karpenter-policy";
import {
  KARPENTER_NODEPOOL_TAG,
  cleanUpCluster,
  CleanupError,
  clusterExists,
  controllerSecurityGroups,
  karpenterInstances,
  kubeflowLoadBalancers,
  provisionedVolumes,
  type CleanupOptions,
} from "../scripts/cluster-cleanup";
import { paramsToConfigMapData } from "../lib/kubeflow-overlay";
import type { CommandResult, Runner } from "../scripts/kubeflow-install";
import { inventoryManifest } from "../scripts/kubeflow-inventory";
import { TEST_PARAMS } from "./fixtures/kubeflow-params";

const ok = (stdout: unknown = ""): CommandResult => ({
  status: 0,
  stdout: typeof stdout === "string" ? stdout : JSON.stringify(stdout),
  stderr: "",
});
const where = { clusterName: "kubeflow", region: "us-west-2" };
const tags = (cluster: string, stack: string) => [
  { Key: "elbv2.k8s.aws/cluster", Value: cluster },
  { Key: "ingress.k8s.aws/stack", Value: stack },
];

function options(over: Partial<CleanupOptions> = {}): CleanupOptions & { lines: string[]; clock: { t: number } } {
  const lines: string[] = [];
  const clock = { t: 0 };
  return {
    ...where,
    karpenter: false,
    timeoutSeconds: 60,
    pollSeconds: 15,
    log: (l) => lines.push(l),
    sleep: async (s) => void (clock.t += s * 1000),
    now: () => clock.t,
    lines,
    clock,
    ...over,
  };
}

describe("the tags it looks for are upstream's", () => {
  /** Tag keys the vendored policy conditions name (aws:RequestTag/<key>, aws:ResourceTag/<key>). */
  const conditionTagKeys = (text: string) =>
    new Set([...text.matchAll(/aws:(?:Request|Resource)Tag\/([^"]+)"/g)].map((m) => m[1]));

  it("the load balancer controller's cluster tag, in its vendored IAM policy", () => {
    const keys = conditionTagKeys(readFileSync(AWS_LOAD_BALANCER_CONTROLLER_POLICY_FILE, "utf8"));
    expect(keys).toContain(LBC_CLUSTER_TAG);
  });

  it("Karpenter's instance tags, in its vendored CloudFormation policy", () => {
    const keys = conditionTagKeys(readFileSync(KARPENTER_CLOUDFORMATION_FILE, "utf8"));
    expect(keys).toContain(KARPENTER_NODEPOOL_TAG);
    expect(keys).toContain("kubernetes.io/cluster/${ClusterName}");
  });
});

describe("what the cleanup looks for", () => {
  it("Kubeflow's load balancers: this cluster's, of the kubeflow IngressGroup, asking for tags 20 ARNs at a time", () => {
    const arns = Array.from({ length: 23 }, (_v, i) => `arn:lb/${i}`);
    const asked: string[][] = [];
    const run: Runner = (_c, args) => {
      if (args[1] === "describe-load-balancers")
        return ok({ LoadBalancers: arns.map((a) => ({ LoadBalancerArn: a })) });
      const batch = args.slice(args.indexOf("--resource-arns") + 1, args.indexOf("--region"));
      asked.push(batch);
      return ok({
        TagDescriptions: batch.map((a) => ({
          ResourceArn: a,
          Tags:
            a === "arn:lb/3"
              ? tags("kubeflow", "kubeflow")
              : a === "arn:lb/21"
                ? tags("other-cluster", "kubeflow")
                : tags("kubeflow", "team/other-ingress"),
        })),
      });
    };
    expect(kubeflowLoadBalancers(where, run)).toEqual(["arn:lb/3"]);
    expect(asked.map((b) => b.length)).toEqual([20, 3]);
  });

  it("the controller's security groups by its cluster tag, Karpenter's live instances by their tags", () => {
    const seen: string[][] = [];
    const run: Runner = (_c, args) => {
      seen.push([...args]);
      if (args[1] === "describe-security-groups")
        return ok({ SecurityGroups: [{ GroupId: "sg-1" }, { GroupId: "sg-2" }] });
      return ok({ Reservations: [{ Instances: [{ InstanceId: "i-1" }] }, { Instances: [{ InstanceId: "i-2" }] }] });
    };
    expect(controllerSecurityGroups(where, run)).toEqual(["sg-1", "sg-2"]);
    expect(seen[0]).toContain("Name=tag:elbv2.k8s.aws/cluster,Values=kubeflow");
    expect(karpenterInstances(where, run)).toEqual(["i-1", "i-2"]);
    expect(seen[1]).toEqual(
      expect.arrayContaining([
        "Name=tag-key,Values=karpenter.sh/nodepool",
        "Name=tag:kubernetes.io/cluster/kubeflow,Values=owned",
        "Name=instance-state-name,Values=pending,running,shutting-down,stopping,stopped",
      ]),
    );
  });

  it("volumes a driver provisioned and will delete; not the static FSx volume, not Retain ones", () => {
    const pv = (name: string, provisioned: boolean, policy: string) => ({
      metadata: { name, annotations: provisioned ? { "pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com" } : {} },
      spec: { persistentVolumeReclaimPolicy: policy },
    });
    const run: Runner = () =>
      ok({ items: [pv("pvc-1", true, "Delete"), pv("fsx-pv", false, "Retain"), pv("pvc-2", true, "Retain")] });
    expect(provisionedVolumes(run)).toEqual(["pvc-1"]);
  });

  it("tells a gone cluster from a failing call", () => {
    const gone: Runner = () => ({ status: 254, stdout: "", stderr: "An error occurred (ResourceNotFoundException)" });
    expect(clusterExists(where, gone)).toBe(false);
    const denied: Runner = () => ({ status: 254, stdout: "", stderr: "An error occurred (AccessDeniedException)" });
    expect(() => clusterExists(where, denied)).toThrow(/aws eks describe-cluster kubeflow failed: .*AccessDenied/);
    expect(clusterExists(where, () => ok({ cluster: {} }))).toBe(true);
  });
});

describe("the cleanup", () => {
  /** A cluster whose ALB goes after `albPolls` looks, with Kubeflow installed. */
  function cluster(state: { albPolls?: number; sgForever?: boolean; installed?: boolean; inventory?: object } = {}) {
    const calls: string[] = [];
    let albLooks = 0;
    const run: Runner = (command, args) => {
      const a = [command, ...args].join(" ");
      calls.push(a);
      // A small build stands in for the overlay (kubeflow-install.test.ts builds the real one).
      if (command === "kubectl" && args[0] === "kustomize")
        return ok(
          "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubeflow\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: kubeflow\n",
        );
      if (a.startsWith("aws elbv2 describe-load-balancers")) {
        albLooks++;
        return ok({ LoadBalancers: albLooks <= (state.albPolls ?? 0) ? [{ LoadBalancerArn: "arn:lb/kf" }] : [] });
      }
      if (a.startsWith("aws elbv2 describe-tags"))
        return ok({ TagDescriptions: [{ ResourceArn: "arn:lb/kf", Tags: tags("kubeflow", "kubeflow") }] });
      if (a.startsWith("aws ec2 describe-security-groups"))
        return ok({ SecurityGroups: state.sgForever ? [{ GroupId: "sg-backend" }] : [] });
      if (a.startsWith("aws ec2 describe-instances")) return ok({ Reservations: [] });
      if (a.startsWith("kubectl get namespace kubeflow"))
        return state.installed === false ? { status: 1, stdout: "", stderr: "NotFound" } : ok("namespace/kubeflow");
      if (a.includes("get configmap kubeflow-install-inventory")) return state.inventory ? ok(state.inventory) : ok("");
      if (a.includes("get configmap")) return ok({ data: paramsToConfigMapData(TEST_PARAMS) });
      if (a.startsWith("kubectl get persistentvolumes")) return ok({ items: [] });
      return ok();
    };
    return { run, calls };
  }

  it("deletes the Ingress, waits for the ALB and the security groups, uninstalls, then deletes the claims", async () => {
    const { run, calls } = cluster({ albPolls: 2 });
    const o = options();
    await cleanUpCluster(o, run);
    const index = (prefix: string) => calls.findIndex((c) => c.startsWith(prefix));
    expect(index("kubectl -n istio-system delete ingress kubeflow --ignore-not-found --wait=true")).toBe(0);
    expect(calls.filter((c) => c.startsWith("aws elbv2 describe-load-balancers"))).toHaveLength(3);
    expect(o.lines).toContain("waiting for Kubeflow's load balancer to go: arn:lb/kf");
    const order = [
      "aws ec2 describe-security-groups",
      "kubectl delete profiles.kubeflow.org",
      "kubectl delete -f -",
      "kubectl delete persistentvolumeclaims --all --all-namespaces",
      "kubectl get persistentvolumes",
    ].map(index);
    expect(order.every((v, i) => v > 0 && (i === 0 || v > order[i - 1]))).toBe(true);
    expect(calls.some((c) => c.includes("nodepools"))).toBe(false);
  });

  it("also deletes what an earlier install recorded and today's build no longer has, then the inventory", async () => {
    const earlier = inventoryManifest("26.03", [
      { apiVersion: "v1", kind: "ConfigMap", namespace: "kubeflow", name: "c" },
      { apiVersion: "apps/v1", kind: "Deployment", namespace: "kubeflow-system", name: "jobset-controller-manager" },
    ]);
    const { run, calls } = cluster({ inventory: earlier });
    await cleanUpCluster(options(), run);
    const index = (prefix: string) => calls.findIndex((c) => c.startsWith(prefix));
    const leftover = index("kubectl delete Deployment.apps jobset-controller-manager -n kubeflow-system");
    expect(leftover).toBeGreaterThan(index("kubectl delete profiles.kubeflow.org"));
    expect(leftover).toBeLessThan(index("kubectl delete persistentvolumeclaims --all --all-namespaces"));
    expect(index("kubectl -n kube-system delete configmap kubeflow-install-inventory")).toBeGreaterThan(leftover);
  });

  it("in Karpenter mode deletes the NodePools and waits for their instances before the claims", async () => {
    const { run, calls } = cluster({ installed: false });
    await cleanUpCluster(options({ karpenter: true }), run);
    const nodePools = calls.findIndex((c) =>
      c.startsWith("kubectl delete nodepools.karpenter.sh --all --ignore-not-found --wait=true"),
    );
    const instances = calls.findIndex((c) => c.startsWith("aws ec2 describe-instances"));
    const claims = calls.findIndex((c) => c.startsWith("kubectl delete persistentvolumeclaims"));
    expect(nodePools).toBeGreaterThan(0);
    expect(instances).toBeGreaterThan(nodePools);
    expect(claims).toBeGreaterThan(instances);
  });

  it("gives up after the timeout naming what is left and what to do", async () => {
    const { run } = cluster({ sgForever: true });
    await expect(cleanUpCluster(options(), run)).rejects.toThrow(
      new CleanupError(
        "the load balancer controller's security groups still there after 1 minute: sg-backend. Another Ingress or " +
          "LoadBalancer Service still uses them: kubectl get ingress,svc -A | grep -i loadbalancer, delete those, and run destroy again.",
      ),
    );
  });

  it("skips the uninstall when Kubeflow is not there, and still cleans up the rest", async () => {
    const { run, calls } = cluster({ installed: false });
    const o = options();
    await cleanUpCluster(o, run);
    expect(o.lines).toContain("Kubeflow is not installed (no kubeflow namespace): nothing to uninstall");
    expect(calls.some((c) => c.includes("get configmap"))).toBe(false);
    expect(calls.some((c) => c.startsWith("kubectl delete persistentvolumeclaims"))).toBe(true);
  });
});
