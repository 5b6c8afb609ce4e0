/**
 * What the Kubeflow install step applied, kept in the cluster so that the next install (and
 * uninstall) can remove what it no longer installs. Without it, an object an earlier install
 * applied and a later one leaves out (Kubeflow Trainer and JobSet, since 26.03 runs JobSet from a
 * staging registry) would stay forever: a fail-closed webhook nothing serves, a Deployment in
 * ImagePullBackOff. Pure functions over object identities; kubeflow-install.ts does the kubectl calls.
 */

/** Where the inventory is kept: next to the parameters the kubeflow stack publishes. */
export const INVENTORY_CONFIGMAP = { namespace: "kube-system", name: "kubeflow-install-inventory" } as const;

/** One applied object: enough to name it to kubectl delete. */
export interface InventoryEntry {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** The API group of an apiVersion ("apps/v1" -> "apps", "v1" -> "" for the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Identity of an object across versions: group, kind, namespace, name (a new API version is the same object). */
export function entryKey(e: InventoryEntry): string {
  return `${groupOf(e.apiVersion)}/${e.kind}/${e.namespace ?? ""}/${e.name}`;
}

export function entryOf(d: InventoryEntry): InventoryEntry {
  return { apiVersion: d.apiVersion, kind: d.kind, ...(d.namespace ? { namespace: d.namespace } : {}), name: d.name };
}

/**
 * The type argument kubectl resolves to this kind: "Kind.group" (cli-runtime v0.32.4
 * pkg/resource/builder.go:786-798, mappingFor falls back to ParseKindArg's group and kind), or the
 * bare kind for the core group. No version, so an object is found even after its group stopped
 * serving the version it was applied with.
 */
export function typeArg(e: InventoryEntry): string {
  const group = groupOf(e.apiVersion);
  return group ? `${e.kind}.${group}` : e.kind;
}

/** "Deployment.apps kubeflow/ml-pipeline", for logs. */
export function describeEntry(e: InventoryEntry): string {
  return `${typeArg(e)} ${e.namespace ? `${e.namespace}/` : ""}${e.name}`;
}

/** The ConfigMap that records `entries`, one JSON object a line so that it reads (and diffs) well. */
export function inventoryManifest(
  version: string,
  entries: readonly InventoryEntry[],
  /** Components whose removal was consented to (--remove-components) and is not finished (held). */
  removing: readonly string[] = [],
): object {
  const sorted = [...entries].sort((a, b) => entryKey(a).localeCompare(entryKey(b)));
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: INVENTORY_CONFIGMAP.name,
      namespace: INVENTORY_CONFIGMAP.namespace,
      labels: { "app.kubernetes.io/managed-by": "kubeflow-install" },
    },
    data: {
      version,
      objects: `${sorted.map((e) => JSON.stringify(entryOf(e))).join("\n")}\n`,
      ...(removing.length > 0 ? { "removing-components": [...removing].sort().join(",") } : {}),
    },
  };
}

export interface Inventory {
  readonly version: string;
  readonly entries: readonly InventoryEntry[];
  /** Components an install was told to remove (--remove-components) and still holds. */
  readonly removing?: readonly string[];
}

/** Reads the ConfigMap's data; throws naming the line that is not an object identity. */
export function parseInventory(data: Record<string, string | undefined>): Inventory {
  const where = `ConfigMap ${INVENTORY_CONFIGMAP.namespace}/${INVENTORY_CONFIGMAP.name}`;
  const entries = (data.objects ?? "")
    .split("\n")
    .filter((l) => l.trim().length > 0)
    .map((line, i) => {
      let e: unknown;
      try {
        e = JSON.parse(line);
      } catch {
        e = undefined;
      }
      const o = e as Partial<Record<keyof InventoryEntry, unknown>> | undefined;
      const str = (v: unknown) => typeof v === "string" && v.length > 0;
      if (!o || !str(o.apiVersion) || !str(o.kind) || !str(o.name) || (o.namespace !== undefined && !str(o.namespace)))
        throw new Error(`${where}: line ${i + 1} of "objects" is not an object identity: ${line}`);
      return entryOf(o as InventoryEntry);
    });
  const removing = (data["removing-components"] ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  return { version: data.version ?? "", entries, ...(removing.length > 0 ? { removing } : {}) };
}

/**
 * Kinds a prune leaves in place, because deleting them deletes data: a Namespace takes everything
 * in it, a PersistentVolumeClaim its volume (the pipelines' and Katib's databases, the artifact
 * store), a Profile its user namespace (the profile controller deletes it). They stay recorded, and
 * uninstall removes them.
 */
export const KEPT_ON_PRUNE: readonly string[] = ["/Namespace", "/PersistentVolumeClaim", "kubeflow.org/Profile"];

const kept = (e: InventoryEntry) => KEPT_ON_PRUNE.includes(`${groupOf(e.apiVersion)}/${e.kind}`);

/** API groups Kubernetes itself serves; an object of any other group is a custom resource. */
export const BUILT_IN_GROUPS: readonly string[] = [
  "",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "apps",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "storagemigration.k8s.io",
];

export const isCustomResource = (e: Pick<InventoryEntry, "apiVersion">) =>
  !BUILT_IN_GROUPS.includes(groupOf(e.apiVersion));

/** Admission hooks and aggregated APIs: served by a workload, they break requests while it is gone. */
const HOOKS = [
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy",
  "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "apiregistration.k8s.io/APIService",
];
const WORKLOADS = [
  "apps/Deployment",
  "apps/StatefulSet",
  "apps/DaemonSet",
  "apps/ReplicaSet",
  "batch/Job",
  "batch/CronJob",
  "/Pod",
];

/**
 * The order objects are deleted in: first the webhook configurations (a fail-closed webhook whose
 * server goes would refuse what follows), then custom resources (while their controllers still run
 * and can clear their finalizers), then the workloads, then the rest (RBAC, Services,
 * configuration), the CRDs last (deleting a CRD deletes every object of it, so nothing of ours is
 * left to it) and the kept kinds after them. Stable within a rank.
 */
export function deleteRank(e: InventoryEntry): number {
  const gk = `${groupOf(e.apiVersion)}/${e.kind}`;
  if (HOOKS.includes(gk)) return 0;
  if (gk === "apiextensions.k8s.io/CustomResourceDefinition") return 4;
  if (kept(e)) return 5;
  if (isCustomResource(e)) return 1;
  if (WORKLOADS.includes(gk)) return 2;
  return 3;
}

export function deleteOrder(entries: readonly InventoryEntry[]): InventoryEntry[] {
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => deleteRank(a.e) - deleteRank(b.e) || a.i - b.i)
    .map(({ e }) => e);
}

export interface Prune {
  /** What to delete, in deleteOrder. */
  readonly remove: readonly InventoryEntry[];
  /** What is no longer installed but left in place (KEPT_ON_PRUNE); recorded again. */
  readonly keep: readonly InventoryEntry[];
}

/** What a recorded install has that the new plan does not: removed in order, or kept. */
export function prune(recorded: readonly InventoryEntry[], planned: readonly InventoryEntry[]): Prune {
  const wanted = new Set(planned.map(entryKey));
  const seen = new Set<string>();
  const gone = recorded.filter((e) => {
    const k = entryKey(e);
    if (wanted.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { remove: deleteOrder(gone.filter((e) => !kept(e))), keep: gone.filter(kept) };
}

/** Whether an entry is a CustomResourceDefinition. */
export const isCrd = (e: InventoryEntry): boolean =>
  groupOf(e.apiVersion) === "apiextensions.k8s.io" && e.kind === "CustomResourceDefinition";

/**
 * The API group a CRD serves, from its name: the API server accepts a CRD only if it is named
 * <plural>.<group> (k8s.io/apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go,
 * ValidateCustomResourceDefinition: "must be spec.names.plural+\".\"+spec.group").
 */
export const crdGroup = (name: string): string => name.slice(name.indexOf(".") + 1);

/** A project whose objects go together: its CRDs and custom resources, and its controller's objects. */
export interface Component {
  readonly name: string;
  /** The API group of its CRDs and custom resources. */
  readonly group: string;
  /** Its CRDs, in the order their objects are deleted: an object before what it refers to. */
  readonly crds: readonly string[];
  /** Its other objects (controller, webhooks, RBAC, configuration), by the names the overlay deletes them by. */
  readonly names: RegExp;
  /** The components whose CRDs and controllers it needs to work. */
  readonly needs: readonly string[];
  /** Its controller, which removes its finalizers. */
  readonly controller: InventoryEntry;
  /** The finalizers its controller puts on objects, with when it removes them. */
  readonly finalizers: Readonly<Record<string, string>>;
}

/**
 * The components the install has stopped applying, a component before those it needs. For each,
 * what keeping or deleting it safely takes, from its source at the tag the 26.03 render runs:
 * - Kubeflow Trainer v2.1.0 (ghcr.io/kubeflow/trainer/trainer-controller-manager:v2.1.0 in the
 *   render): its controller puts trainer.kubeflow.org/resource-in-use (pkg/constants/constants.go:220)
 *   on a ClusterTrainingRuntime or TrainingRuntime that a TrainJob refers to, and removes it only
 *   once the runtime is being deleted and no TrainJob refers to it any more
 *   (pkg/controller/clustertrainingruntime_controller.go:83-89, trainingruntime_controller.go:87-93):
 *   a runtime can only go while the controller runs and after its TrainJobs. The controller runs
 *   every TrainJob as a JobSet it owns (pkg/runtime/framework/plugins/jobset/jobset.go:291-304) and
 *   watches JobSets, which "must be installed in advance" (jobset.go:188-206): it needs JobSet.
 *   Its webhook (validator.trainer.kubeflow.org) fails closed on CREATE and UPDATE of TrainJobs
 *   and runtimes, and its server is that controller.
 * - JobSet v0.10.1: no finalizer of its own (its controllers set none); the Jobs it owns are
 *   Kubernetes' own. Its webhooks fail closed on JobSets and their pods, served by its controller.
 */
export const COMPONENTS: readonly Component[] = [
  {
    name: "Kubeflow Trainer",
    group: "trainer.kubeflow.org",
    crds: [
      "trainjobs.trainer.kubeflow.org",
      "trainingruntimes.trainer.kubeflow.org",
      "clustertrainingruntimes.trainer.kubeflow.org",
    ],
    names: /^(kubeflow-trainer-.+|trainer-webhook|validator\.trainer\.kubeflow\.org)$/,
    needs: ["JobSet"],
    controller: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "kubeflow-system",
      name: "kubeflow-trainer-controller-manager",
    },
    finalizers: { "trainer.kubeflow.org/resource-in-use": "once no TrainJob refers to it any more" },
  },
  {
    name: "JobSet",
    group: "jobset.x-k8s.io",
    crds: ["jobsets.jobset.x-k8s.io"],
    names: /^jobset-.+$/,
    needs: [],
    controller: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "kubeflow-system",
      name: "jobset-controller-manager",
    },
    finalizers: {},
  },
];

/** The component an object belongs to: by its API group, the group its CRD serves, or its name. */
export function componentOf(e: InventoryEntry): Component | undefined {
  return COMPONENTS.find(
    (c) => groupOf(e.apiVersion) === c.group || (isCrd(e) && crdGroup(e.name) === c.group) || c.names.test(e.name),
  );
}

/**
 * What installs made before the inventory existed applied that this version's build leaves out,
 * for the releases where that is known. Such an install applied the committed render through the
 * overlay of its day; the only thing the overlay has stopped applying since is Kubeflow Trainer and
 * JobSet (26.03; the overlay's Dex, example Profile and upstream Secret deletions date from the first
 * 26.03 install). What the render has and the build does not is what the overlay deletes; of that,
 * these are the Trainer and JobSet objects (COMPONENTS): their CRDs and custom resources by API
 * group, the rest by the names the overlay's patches delete (kustomize/kubeflow/kustomization.yaml).
 */
export const LEGACY: Readonly<
  Record<string, { readonly what: string; readonly matches: (e: InventoryEntry) => boolean }>
> = {
  "26.03": {
    what: "Kubeflow Trainer and JobSet",
    matches: (e) => ["Kubeflow Trainer", "JobSet"].includes(componentOf(e)?.name ?? ""),
  },
};

/** The legacy objects of `version`'s render (its documents) that the plan does not have; none for an unknown version. */
export function legacyEntries(
  version: string,
  rendered: readonly InventoryEntry[],
  planned: readonly InventoryEntry[],
): InventoryEntry[] {
  const legacy = LEGACY[version];
  if (!legacy) return [];
  const wanted = new Set(planned.map(entryKey));
  return rendered.filter((e) => !wanted.has(entryKey(e)) && legacy.matches(e)).map(entryOf);
}
