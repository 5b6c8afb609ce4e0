/**
 * What each Kubeflow component asks the system nodes for, as `npm run generate` records it in
 * generated/kubeflow-requests.json; synth and `npm run cost` read only that file, never the render.
 *
 * The figures come from the build the install applies (our overlay over the committed render, every
 * component the release can install), each workload attributed to a component as the install does it
 * (sources.json and lib/kubeflow-components.ts, through renderOwners). Per workload: the pod's requests
 * by Kubernetes' rules (lib/pod-requests.ts) times its replicas (a HorizontalPodAutoscaler's
 * minReplicas when larger), DaemonSets per node, plus the Istio sidecar for each pod the injector
 * mutates:
 * - which pods: those a webhook of the MutatingWebhookConfiguration `istio-sidecar-injector` selects
 *   (its namespaceSelector against the namespace's labels, its objectSelector against the pod's), then
 *   Istio's injectRequired (istio/istio 1.28.0, the istiod the render runs, pkg/kube/inject/inject.go:199-291):
 *   never with hostNetwork, never in kube-system, kube-public, kube-node-lease or local-path-storage
 *   (pkg/kube/inject/initializer.go:38-42); the pod's `sidecar.istio.io/inject` label, else the
 *   annotation of that name, "true" or "false", decides; otherwise the injector's neverInjectSelector,
 *   alwaysInjectSelector and policy (the injector ConfigMap's `config`).
 * - what it adds: the template's `resources` (the injector ConfigMap's `config`, templates.sidecar):
 *   the pod's sidecar.istio.io/proxyCPU and proxyMemory annotations, else values.global.proxy.resources,
 *   on the istio-proxy container and on the init container before it (istio-validation with the CNI,
 *   istio-init without). Whether the proxy is a container or a native sidecar, the pod's request grows by
 *   the proxy's: the init container asks no more than the proxy does.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { ResourceOwner } from "./kubeflow-components";
import { selects, type LabelSelector } from "./network-policy";
import {
  containerRequests,
  containersRequestingNothing,
  longRunningContainers,
  MIB,
  podRequests,
  type ContainerSpec,
  type PodSpecLike,
} from "./pod-requests";

/** One workload's pods: requests per pod (the sidecar included), and how many pods. */
export interface WorkloadRequests {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Pods: replicas (Deployment, StatefulSet), or 1 per node (DaemonSet). */
  readonly pods: number;
  readonly cpuMillicoresPerPod: number;
  readonly memoryMiBPerPod: number;
  /** Whether the Istio injector adds its sidecar to the pods. */
  readonly istioSidecar: boolean;
  /** Containers that run for the pod's life, the sidecar included. */
  readonly containersPerPod: number;
  /** Of those, how many request neither CPU nor memory. */
  readonly containersRequestingNothingPerPod: number;
}

export interface ComponentRequests {
  /** Deployments and StatefulSets. */
  readonly workloads: readonly WorkloadRequests[];
  /** DaemonSets: one pod on every node, the system nodes included. */
  readonly daemonSets: readonly WorkloadRequests[];
}

export interface KubeflowRequestsSummary {
  readonly comment: string;
  readonly version: string;
  /** The requests the injector gives a sidecar by default, and where they were read. */
  readonly istioSidecar: { readonly cpuMillicores: number; readonly memoryMiB: number; readonly from: string };
  readonly components: Readonly<Partial<Record<ResourceOwner, ComponentRequests>>>;
}

/** A parsed object of the build (CRDs aside). */
export interface BuiltObject {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [key: string]: unknown;
}

interface PodTemplate {
  readonly metadata?: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: PodSpecLike & { readonly hostNetwork?: boolean };
}

export class KubeflowRequestsError extends Error {}

export const INJECTOR_CONFIGMAP = { namespace: "istio-system", name: "istio-sidecar-injector" } as const;
export const INJECTOR_WEBHOOK = "istio-sidecar-injector";
/** istio 1.28.0 pkg/kube/inject/initializer.go:38-42 (constants.KubeSystemNamespace and the others). */
export const INJECTION_IGNORED_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "local-path-storage"];
/** Kinds that run pods which this summary does not model: a build with one fails rather than miscount. */
const UNMODELLED_POD_KINDS = ["Pod", "ReplicaSet", "ReplicationController", "Job", "CronJob"];
const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"];

/** Whether the summary reads an object of this kind and name (the rest of a build need not be parsed). */
export function readsObject(kind: string, name: string): boolean {
  return (
    [...WORKLOAD_KINDS, ...UNMODELLED_POD_KINDS, "Namespace", "HorizontalPodAutoscaler"].includes(kind) ||
    (kind === "ConfigMap" && name === INJECTOR_CONFIGMAP.name) ||
    (kind === "MutatingWebhookConfiguration" && name === INJECTOR_WEBHOOK)
  );
}

interface InjectorConfig {
  readonly policy?: string;
  readonly neverInjectSelector?: readonly LabelSelector[];
  readonly alwaysInjectSelector?: readonly LabelSelector[];
}

interface Injector {
  readonly config: InjectorConfig;
  readonly requests: { readonly cpu?: string | number; readonly memory?: string | number };
  readonly webhooks: readonly { readonly namespaceSelector?: LabelSelector; readonly objectSelector?: LabelSelector }[];
}

function injectorOf(objects: readonly BuiltObject[]): Injector {
  const cm = objects.find(
    (o) =>
      o.kind === "ConfigMap" &&
      o.metadata.namespace === INJECTOR_CONFIGMAP.namespace &&
      o.metadata.name === INJECTOR_CONFIGMAP.name,
  ) as { data?: { values?: string; config?: string } } | undefined;
  const webhook = objects.find(
    (o) => o.kind === "MutatingWebhookConfiguration" && o.metadata.name === INJECTOR_WEBHOOK,
  ) as { webhooks?: Injector["webhooks"] } | undefined;
  if (!cm?.data?.values || !cm.data.config || !webhook?.webhooks)
    throw new KubeflowRequestsError(
      `the build has no ConfigMap ${INJECTOR_CONFIGMAP.namespace}/${INJECTOR_CONFIGMAP.name} (values, config) or ` +
        `MutatingWebhookConfiguration ${INJECTOR_WEBHOOK}: cannot tell which pods get Istio's sidecar`,
    );
  const values = JSON.parse(cm.data.values) as {
    global?: { proxy?: { resources?: { requests?: Injector["requests"] } } };
  };
  const requests = values.global?.proxy?.resources?.requests;
  if (!requests) throw new KubeflowRequestsError("the injector's values set no global.proxy.resources.requests");
  return { config: parse(cm.data.config) as InjectorConfig, requests, webhooks: webhook.webhooks };
}

/** Istio's injectRequired after the webhook (see the file comment). */
function injectRequired(injector: Injector, namespace: string, template: PodTemplate): boolean {
  if (template.spec.hostNetwork) return false;
  if (INJECTION_IGNORED_NAMESPACES.includes(namespace)) return false;
  const labels = template.metadata?.labels ?? {};
  const chosen = labels["sidecar.istio.io/inject"] ?? template.metadata?.annotations?.["sidecar.istio.io/inject"];
  if (chosen === "true") return true;
  if (chosen === "false") return false;
  if ((injector.config.neverInjectSelector ?? []).some((s) => Object.keys(s).length > 0 && selects(s, labels)))
    return false;
  if ((injector.config.alwaysInjectSelector ?? []).some((s) => Object.keys(s).length > 0 && selects(s, labels)))
    return true;
  return injector.config.policy === "enabled";
}

/** The pod spec with the sidecar the injector would add, or the spec itself. */
function withSidecar(injector: Injector, template: PodTemplate): PodSpecLike {
  const a = template.metadata?.annotations ?? {};
  const overridden = a["sidecar.istio.io/proxyCPU"] !== undefined || a["sidecar.istio.io/proxyMemory"] !== undefined;
  const requests = overridden
    ? {
        ...(a["sidecar.istio.io/proxyCPU"] !== undefined ? { cpu: a["sidecar.istio.io/proxyCPU"] } : {}),
        ...(a["sidecar.istio.io/proxyMemory"] !== undefined ? { memory: a["sidecar.istio.io/proxyMemory"] } : {}),
      }
    : injector.requests;
  const proxy: ContainerSpec = { name: "istio-proxy", resources: { requests } };
  const init: ContainerSpec = { name: "istio-validation", resources: { requests } };
  return {
    containers: [...(template.spec.containers ?? []), proxy],
    initContainers: [init, ...(template.spec.initContainers ?? [])],
  };
}

const round = (n: number) => Number(n.toFixed(3));

/**
 * The summary of a build: `objects` are its parsed objects (CRDs may be left out), `ownerOf` names the
 * component each belongs to (undefined for objects not in the render: ours).
 */
export function summarizeRequests(
  version: string,
  objects: readonly BuiltObject[],
  ownerOf: (o: BuiltObject) => ResourceOwner | undefined,
  injectorFile: string,
): KubeflowRequestsSummary {
  const injector = injectorOf(objects);
  const namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  for (const o of objects) if (o.kind === "Namespace") namespaceLabels.set(o.metadata.name, o.metadata.labels ?? {});
  // Every namespace carries its name as a label (Kubernetes sets kubernetes.io/metadata.name on each).
  const labelsOf = (ns: string) => ({ ...(namespaceLabels.get(ns) ?? {}), "kubernetes.io/metadata.name": ns });
  const minReplicas = new Map<string, number>();
  for (const o of objects) {
    if (o.kind !== "HorizontalPodAutoscaler") continue;
    const spec = o.spec as { scaleTargetRef?: { kind?: string; name?: string }; minReplicas?: number };
    const key = `${spec.scaleTargetRef?.kind}/${o.metadata.namespace}/${spec.scaleTargetRef?.name}`;
    // minReplicas defaults to 1 (autoscaling/v2 HorizontalPodAutoscalerSpec).
    minReplicas.set(key, Math.max(minReplicas.get(key) ?? 1, spec.minReplicas ?? 1));
  }
  const components: Partial<Record<ResourceOwner, { workloads: WorkloadRequests[]; daemonSets: WorkloadRequests[] }>> =
    {};
  for (const o of objects) {
    if (UNMODELLED_POD_KINDS.includes(o.kind))
      throw new KubeflowRequestsError(
        `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}: the requests summary does not count this kind's pods ` +
          "(lib/kubeflow-requests.ts counts Deployments, StatefulSets and DaemonSets)",
      );
    if (!WORKLOAD_KINDS.includes(o.kind)) continue;
    const owner = ownerOf(o);
    const where = `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    if (!owner) throw new KubeflowRequestsError(`${where} is in no component of the render (sources.json)`);
    const namespace = o.metadata.namespace ?? "default";
    const spec = o.spec as { replicas?: number; template: PodTemplate };
    const template = spec.template;
    const selected = injector.webhooks.some(
      (w) =>
        selects(w.namespaceSelector ?? {}, labelsOf(namespace)) &&
        selects(w.objectSelector ?? {}, template.metadata?.labels ?? {}),
    );
    const injected = selected && injectRequired(injector, namespace, template);
    const podSpec = injected ? withSidecar(injector, template) : template.spec;
    const perPod = podRequests(podSpec);
    const replicas =
      o.kind === "DaemonSet"
        ? 1
        : Math.max(spec.replicas ?? 1, minReplicas.get(`${o.kind}/${namespace}/${o.metadata.name}`) ?? 0);
    const entry: WorkloadRequests = {
      kind: o.kind,
      namespace,
      name: o.metadata.name,
      pods: replicas,
      cpuMillicoresPerPod: perPod.cpuMillicores,
      memoryMiBPerPod: round(perPod.memoryBytes / MIB),
      istioSidecar: injected,
      containersPerPod: longRunningContainers(podSpec).length,
      containersRequestingNothingPerPod: containersRequestingNothing(podSpec),
    };
    const bucket = (components[owner] ??= { workloads: [], daemonSets: [] });
    (o.kind === "DaemonSet" ? bucket.daemonSets : bucket.workloads).push(entry);
  }
  const sidecar = containerRequests({ resources: { requests: injector.requests } });
  const order = (a: WorkloadRequests, b: WorkloadRequests) =>
    `${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.namespace}/${b.kind}/${b.name}`);
  const sorted = Object.fromEntries(
    Object.entries(components)
      .sort(([a], [b]) => (a === "core" ? -1 : b === "core" ? 1 : a.localeCompare(b)))
      .map(([c, r]) => [c, { workloads: [...r.workloads].sort(order), daemonSets: [...r.daemonSets].sort(order) }]),
  );
  return {
    comment:
      "Generated by `npm run generate` from the Kubeflow install's build of every installable component " +
      "(lib/kubeflow-requests.ts). Do not edit.",
    version,
    istioSidecar: {
      cpuMillicores: sidecar.cpuMillicores,
      memoryMiB: round(sidecar.memoryBytes / MIB),
      from: `${injectorFile}: values global.proxy.resources.requests`,
    },
    components: sorted,
  };
}

/** Where `npm run generate` writes the summary, relative to the repository. */
export const REQUESTS_SUMMARY_FILE = "generated/kubeflow-requests.json";

/** The committed summary (what synth and `npm run cost` read; never the render). */
export function readRequestsSummary(root: string = path.join(__dirname, "..")): KubeflowRequestsSummary {
  const file = path.join(root, REQUESTS_SUMMARY_FILE);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as KubeflowRequestsSummary;
  } catch (err) {
    throw new KubeflowRequestsError(
      `cannot read ${REQUESTS_SUMMARY_FILE}: run \`npm run generate\` (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
}

/** The summary as committed: stable key order, two-space indent, trailing newline. */
export function formatRequestsSummary(summary: KubeflowRequestsSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}
