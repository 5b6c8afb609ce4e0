/**
 * What `npm run destroy` does in the cluster before any stack goes, because Terraform cannot: the
 * load balancer controller must delete the ALB and its security groups while it still runs (they
 * block the VPC's deletion otherwise), Karpenter's nodes are not Terraform resources, and volumes a
 * CSI driver provisioned outlive the cluster unless their claims are deleted while it runs.
 */
import {
  INGRESS_GROUP_NAME,
  INGRESS_NAME,
  INGRESS_NAMESPACE,
  LBC_CLUSTER_TAG,
  LBC_INGRESS_STACK_TAG,
} from "../lib/kubeflow";
import { InstallError, removeKubeflow, uninstallSteps, type Runner, type WaitOptions } from "./kubeflow-install";

/** Karpenter's instance tags (pkg/utils/utils.go, v1.14.1). */
export const KARPENTER_NODEPOOL_TAG = "karpenter.sh/nodepool";
/** Annotation the external provisioner sets on every volume it provisioned. */
export const PROVISIONED_BY_ANNOTATION = "pv.kubernetes.io/provisioned-by";

/** The waits' timeout applies to each wait on its own. */
export interface CleanupOptions extends WaitOptions {
  readonly clusterName: string;
  readonly region: string;
  readonly karpenter: boolean;
}

export class CleanupError extends Error {}

function json<T>(run: Runner, command: string, args: readonly string[], what: string): T {
  const result = run(command, args);
  if (result.status !== 0) throw new CleanupError(`${what} failed: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout || "null") as T;
}

/** Whether the cluster still exists (an EKS "not found" is false; any other failure is an error). */
export function clusterExists(options: Pick<CleanupOptions, "clusterName" | "region">, run: Runner): boolean {
  const result = run("aws", [
    "eks",
    "describe-cluster",
    "--name",
    options.clusterName,
    "--region",
    options.region,
    "--output",
    "json",
  ]);
  if (result.status === 0) return true;
  if (/ResourceNotFoundException/.test(result.stderr)) return false;
  throw new CleanupError(`aws eks describe-cluster ${options.clusterName} failed: ${result.stderr.trim()}`);
}

/** ARNs of the load balancers the controller made for Kubeflow's IngressGroup in this cluster. */
export function kubeflowLoadBalancers(options: Pick<CleanupOptions, "clusterName" | "region">, run: Runner): string[] {
  const region = ["--region", options.region, "--output", "json"];
  const all = json<{ LoadBalancers?: { LoadBalancerArn: string }[] }>(
    run,
    "aws",
    ["elbv2", "describe-load-balancers", ...region],
    "aws elbv2 describe-load-balancers",
  );
  const arns = (all?.LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn);
  const matching: string[] = [];
  // describe-tags takes at most 20 ARNs.
  for (let i = 0; i < arns.length; i += 20) {
    const tags = json<{ TagDescriptions?: { ResourceArn: string; Tags?: { Key: string; Value: string }[] }[] }>(
      run,
      "aws",
      ["elbv2", "describe-tags", "--resource-arns", ...arns.slice(i, i + 20), ...region],
      "aws elbv2 describe-tags",
    );
    for (const d of tags?.TagDescriptions ?? []) {
      const t = new Map((d.Tags ?? []).map((x) => [x.Key, x.Value]));
      if (t.get(LBC_CLUSTER_TAG) === options.clusterName && t.get(LBC_INGRESS_STACK_TAG) === INGRESS_GROUP_NAME)
        matching.push(d.ResourceArn);
    }
  }
  return matching;
}

/** Security groups the controller made in this cluster (the ALB's own, and the shared backend group). */
export function controllerSecurityGroups(
  options: Pick<CleanupOptions, "clusterName" | "region">,
  run: Runner,
): string[] {
  const result = json<{ SecurityGroups?: { GroupId: string }[] }>(
    run,
    "aws",
    [
      "ec2",
      "describe-security-groups",
      "--filters",
      `Name=tag:${LBC_CLUSTER_TAG},Values=${options.clusterName}`,
      "--region",
      options.region,
      "--output",
      "json",
    ],
    "aws ec2 describe-security-groups",
  );
  return (result?.SecurityGroups ?? []).map((g) => g.GroupId);
}

/** Instances Karpenter launched for this cluster that have not terminated. */
export function karpenterInstances(options: Pick<CleanupOptions, "clusterName" | "region">, run: Runner): string[] {
  const result = json<{ Reservations?: { Instances?: { InstanceId: string }[] }[] }>(
    run,
    "aws",
    [
      "ec2",
      "describe-instances",
      "--filters",
      `Name=tag-key,Values=${KARPENTER_NODEPOOL_TAG}`,
      `Name=tag:kubernetes.io/cluster/${options.clusterName},Values=owned`,
      "Name=instance-state-name,Values=pending,running,shutting-down,stopping,stopped",
      "--region",
      options.region,
      "--output",
      "json",
    ],
    "aws ec2 describe-instances",
  );
  return (result?.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId));
}

/** Volumes a CSI driver provisioned that go when their claim goes (reclaim policy Delete). */
export function provisionedVolumes(run: Runner): string[] {
  const result = json<{
    items?: {
      metadata: { name: string; annotations?: Record<string, string> };
      spec: { persistentVolumeReclaimPolicy?: string };
    }[];
  }>(run, "kubectl", ["get", "persistentvolumes", "-o", "json"], "kubectl get persistentvolumes");
  return (result?.items ?? [])
    .filter(
      (pv) =>
        pv.metadata.annotations?.[PROVISIONED_BY_ANNOTATION] && pv.spec.persistentVolumeReclaimPolicy !== "Retain",
    )
    .map((pv) => pv.metadata.name);
}

async function waitUntilEmpty(
  what: string,
  list: () => string[],
  options: CleanupOptions,
  hint: string,
): Promise<void> {
  const deadline = options.now() + options.timeoutSeconds * 1000;
  for (;;) {
    const left = list();
    if (left.length === 0) return;
    if (options.now() >= deadline) {
      const minutes = Math.round(options.timeoutSeconds / 60);
      throw new CleanupError(
        `${what} still there after ${minutes} minute${minutes === 1 ? "" : "s"}: ${left.join(", ")}. ${hint}`,
      );
    }
    options.log(`waiting for ${what} to go: ${left.join(", ")}`);
    await options.sleep(options.pollSeconds);
  }
}

function kubectl(run: Runner, args: readonly string[], what: string, input?: string): void {
  const result = run("kubectl", args, input);
  if (result.status !== 0) throw new CleanupError(`${what} failed: ${result.stderr.trim()}`);
}

/** Everything in order. Safe to run again: each step finds what is left. */
export async function cleanUpCluster(options: CleanupOptions, run: Runner): Promise<void> {
  const [ingressStep] = uninstallSteps("");
  options.log(ingressStep.description);
  kubectl(run, ingressStep.args, ingressStep.description);
  await waitUntilEmpty(
    "Kubeflow's load balancer",
    () => kubeflowLoadBalancers(options, run),
    options,
    `Check the controller's logs (kubectl -n kube-system logs deploy/aws-load-balancer-controller) and Ingress ${INGRESS_NAMESPACE}/${INGRESS_NAME}'s finalizers.`,
  );
  await waitUntilEmpty(
    "the load balancer controller's security groups",
    () => controllerSecurityGroups(options, run),
    options,
    "Another Ingress or LoadBalancer Service still uses them: kubectl get ingress,svc -A | grep -i loadbalancer, delete those, and run destroy again.",
  );

  const kubeflowPresent = run("kubectl", ["get", "namespace", "kubeflow", "-o", "name"]).status === 0;
  if (kubeflowPresent) {
    // The current build and the install's inventory (what earlier installs applied, e.g. Trainer
    // and JobSet on a 26.03 install made before they were left out) say what to delete.
    try {
      removeKubeflow({ log: options.log }, run);
    } catch (e) {
      if (e instanceof InstallError) throw new CleanupError(`uninstalling Kubeflow failed: ${e.message}`);
      throw e;
    }
  } else options.log("Kubeflow is not installed (no kubeflow namespace): nothing to uninstall");

  if (options.karpenter) {
    options.log("delete Karpenter's NodePools (Karpenter drains and terminates their nodes)");
    kubectl(
      run,
      ["delete", "nodepools.karpenter.sh", "--all", "--ignore-not-found", "--wait=true", "--timeout=15m"],
      "deleting the NodePools",
    );
    await waitUntilEmpty(
      "Karpenter's instances",
      () => karpenterInstances(options, run),
      options,
      "Check Karpenter's logs (kubectl -n kube-system logs deploy/karpenter) and the NodeClaims' finalizers.",
    );
  }

  options.log("delete the remaining volume claims (their CSI driver deletes the volumes it provisioned)");
  kubectl(
    run,
    [
      "delete",
      "persistentvolumeclaims",
      "--all",
      "--all-namespaces",
      "--ignore-not-found",
      "--wait=true",
      "--timeout=10m",
    ],
    "deleting the volume claims",
  );
  await waitUntilEmpty(
    "dynamically provisioned volumes",
    () => provisionedVolumes(run),
    options,
    "A pod still uses their claim, or the CSI controller cannot delete them: kubectl describe pv <name>.",
  );
}
