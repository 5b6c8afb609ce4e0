/**
 * The Kubeflow components a platform can choose (config `kubeflow.components`), and which objects
 * of the committed render belong to each.
 *
 * What belongs to a component is upstream's: `npm run generate -- kubeflow` builds every resource
 * that community-distribution's `example/kustomization.yaml` lists on its own, and records in
 * `kustomize-out/kubeflow/<version>/sources.json` which of those resources renders each object
 * (each object comes from exactly one; the generator refuses otherwise). The only hand-written part
 * here is which of `example`'s resources makes up which component (EXAMPLE_RESOURCES), following the
 * comments `example/kustomization.yaml` heads them with; a test fails when a release lists a resource
 * this table does not place.
 *
 * Two kinds of object sit in the platform core's resources but serve one component: those that
 * name a component's pods by label (the NetworkPolicies of `common/kubeflow-namespace`, one per
 * application; Istio's Sidecar exceptions for KFP's UI and the notebook controller) and a Namespace
 * that only a component uses (`kubeflow-system`, Trainer's). `selectRenderFiles` drops them with the
 * component they serve, judged from the render itself: an object whose selector selects pods of the
 * render, none of them installed; a namespace holding objects of the render, none installed.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { selects, type LabelSelector } from "./network-policy";

/** The components a config may list; the platform core is always installed. */
export const KUBEFLOW_COMPONENTS = ["notebooks", "pipelines", "katib", "trainer", "kserve", "spark"] as const;
export type KubeflowComponent = (typeof KUBEFLOW_COMPONENTS)[number];

/** What each component brings, for messages and the README. */
export const COMPONENT_DESCRIPTIONS: Readonly<Record<KubeflowComponent, string>> = {
  notebooks: "Jupyter notebooks, with the volumes and TensorBoard web apps and the PVC viewer",
  pipelines: "Kubeflow Pipelines, with Argo Workflows, its MySQL and its SeaweedFS artifact store",
  katib: "Katib hyperparameter tuning, with its MySQL",
  trainer: "Kubeflow Trainer, with JobSet",
  kserve: "KServe model serving, with Knative Serving, the cluster-local gateway and the models web app",
  spark: "the Spark operator",
};

/**
 * The default selection: what a data-science team on this platform works with day to day (notebooks
 * on GPUs, pipelines that chain them, Katib to tune them). Serving, Spark and Trainer are added when
 * the team needs them; KServe with Knative alone requests about 2 vCPU (upstream's README).
 */
export const DEFAULT_COMPONENTS: readonly KubeflowComponent[] = ["notebooks", "pipelines", "katib"];

/** Where an `example` resource goes: the platform core, or a component. */
export type ResourceOwner = "core" | KubeflowComponent;

/**
 * For each pinned release, every resource of its `example/kustomization.yaml` (as written there)
 * and the component it belongs to, under the comment upstream heads it with.
 */
export const EXAMPLE_RESOURCES: Readonly<Record<string, Readonly<Record<string, ResourceOwner>>>> = {
  "26.03": {
    "../common/cert-manager/overlays/kubeflow": "core", // Cert-Manager
    "../common/istio/istio-crds/base": "core", // Istio
    "../common/istio/istio-namespace/base": "core",
    "../common/istio/istio-install/overlays/oauth2-proxy": "core",
    "../common/oauth2-proxy/overlays/m2m-dex-only": "core", // Oauth2-proxy
    "../common/dex/overlays/oauth2-proxy": "core", // Dex (the overlay deletes it: Cognito replaces it)
    "../common/knative/knative-serving/overlays/gateways": "kserve", // KNative
    "../common/istio/cluster-local-gateway/base": "kserve", // Knative's local gateway
    "../common/kubeflow-namespace/base": "core", // Kubeflow namespace
    "../common/kubeflow-roles/base": "core", // Kubeflow Roles
    "../common/istio/kubeflow-istio-resources/base": "core", // Kubeflow Istio Resources
    "../applications/pipeline/overlays": "pipelines", // Kubeflow Pipelines
    "../applications/katib/upstream/installs/katib-with-kubeflow": "katib", // Katib
    "../applications/centraldashboard/overlays/oauth2-proxy": "core", // Central Dashboard
    "../applications/admission-webhook/upstream/overlays/cert-manager": "core", // Admission Webhook
    "../applications/jupyter/jupyter-web-app/upstream/overlays/istio": "notebooks", // Jupyter Web App
    "../applications/jupyter/notebook-controller/upstream/overlays/kubeflow": "notebooks", // Notebook Controller
    "../applications/profiles/pss": "core", // Profiles + KFAM
    "../applications/pvcviewer-controller/upstream/base": "notebooks", // PVC Viewer
    "../applications/volumes-web-app/upstream/overlays/istio": "notebooks", // Volumes Web App
    "../applications/tensorboard/tensorboard-controller/upstream/overlays/kubeflow": "notebooks", // Tensorboards Controller
    "../applications/tensorboard/tensorboards-web-app/upstream/overlays/istio": "notebooks", // Tensorboard Web App
    "../applications/trainer/overlays": "trainer", // Trainer (Training Operator v2)
    "../common/user-namespace/base": "core", // User namespace
    "../applications/kserve/kserve": "kserve", // KServe
    "../applications/kserve/models-web-app/overlays/kubeflow": "kserve",
    "../applications/spark/spark-operator/overlays/kubeflow": "spark", // Spark Operator
  },
};

/**
 * Components a release offers but this project cannot install, with the reason. 26.03 runs JobSet
 * from a staging registry whose images are deleted (see README, "The Kubeflow release").
 */
export const UNAVAILABLE_COMPONENTS: Readonly<Record<string, Partial<Record<KubeflowComponent, string>>>> = {
  "26.03": {
    trainer:
      "Kubeflow 26.03 runs JobSet, which Trainer needs, from a staging registry whose images are deleted " +
      "(us-central1-docker.pkg.dev/k8s-staging-images/jobset/jobset:v0.10.1), and no promoter manifest within " +
      "reach lists it under registry.k8s.io",
  },
};

/** sources.json of a render: `example` resource -> the files it renders. */
export type RenderSources = Readonly<Record<string, readonly string[]>>;

export function readRenderSources(renderDir: string): RenderSources {
  return JSON.parse(readFileSync(path.join(renderDir, "sources.json"), "utf8")) as RenderSources;
}

interface RenderedObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly podSelector?: LabelSelector;
    readonly selector?: LabelSelector;
    readonly workloadSelector?: { readonly labels?: Record<string, string> };
    readonly template?: { readonly metadata?: { readonly labels?: Record<string, string> } };
    readonly jobTemplate?: {
      readonly spec?: { readonly template?: { metadata?: { labels?: Record<string, string> } } };
    };
  };
}

/** The labels of the pods an object runs (Deployment, StatefulSet, DaemonSet, Job, CronJob), if any. */
function podLabels(o: RenderedObject): Record<string, string> | undefined {
  return o.spec?.template?.metadata?.labels ?? o.spec?.jobTemplate?.spec?.template?.metadata?.labels;
}

/**
 * The pods an object applies to, for the kinds that name them by label in their namespace: a
 * NetworkPolicy's podSelector (empty: every pod), Istio's Sidecar and EnvoyFilter workloadSelector,
 * and the selector of its AuthorizationPolicy, PeerAuthentication, RequestAuthentication and
 * Telemetry. Undefined for any other object, and for an Istio one with no selector (it applies to
 * the whole namespace).
 */
function podSelectorOf(o: RenderedObject): LabelSelector | undefined {
  if (o.kind === "NetworkPolicy") return o.spec?.podSelector ?? {};
  if (o.kind === "Sidecar" || o.kind === "EnvoyFilter")
    return o.spec?.workloadSelector?.labels ? { matchLabels: o.spec.workloadSelector.labels } : undefined;
  if (["AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication", "Telemetry"].includes(o.kind ?? ""))
    return o.spec?.selector;
  return undefined;
}

/** Kinds whose objects decide what a selector or a namespace serves; the render names files `<kind>-...`. */
const PARSED =
  /^(networkpolicy|sidecar|envoyfilter|authorizationpolicy|peerauthentication|requestauthentication|telemetry|namespace|deployment|statefulset|daemonset|job|cronjob)-/;
const NAMESPACE = /^metadata:\n(?: {2}.*\n)*? {2}namespace: (\S+)$/m;

export class ComponentSelectionError extends Error {}

/** The owner of each rendered file, from sources.json and EXAMPLE_RESOURCES; refuses a resource the table does not place. */
export function fileOwners(version: string, sources: RenderSources): Map<string, ResourceOwner> {
  const table = EXAMPLE_RESOURCES[version];
  if (!table)
    throw new ComponentSelectionError(`no component table for Kubeflow ${version} (lib/kubeflow-components.ts)`);
  const owners = new Map<string, ResourceOwner>();
  for (const [resource, files] of Object.entries(sources)) {
    const owner = table[resource];
    if (!owner)
      throw new ComponentSelectionError(
        `example/ of Kubeflow ${version} lists ${resource}, which EXAMPLE_RESOURCES in lib/kubeflow-components.ts does not place`,
      );
    for (const file of files) owners.set(file, owner);
  }
  return owners;
}

/**
 * The components each core object of the render serves alone: a core object whose selector
 * selects pods of the render, all of components (not the core), gets theirs; a core Namespace whose
 * objects (policies aside) are all of components gets theirs, and so do the core objects in it.
 * Objects that serve the core, or several components, or nothing the render runs, have none.
 */
export function servedComponents(
  version: string,
  files: readonly string[],
  sources: RenderSources,
  read: (file: string) => string,
): Map<string, ReadonlySet<KubeflowComponent>> {
  const owners = fileOwners(version, sources);
  const ownerOf = (file: string) => {
    const owner = owners.get(file);
    if (!owner) throw new ComponentSelectionError(`${file} is in no resource of sources.json`);
    return owner;
  };
  // Only selectors, namespaces and workloads are parsed (CRDs are most of the render's bytes).
  const objects = new Map<string, RenderedObject>();
  const namespaces = new Map<string, string | undefined>();
  for (const f of files) {
    const text = read(f);
    if (PARSED.test(f)) objects.set(f, parseAllDocuments(text)[0]?.toJS() as RenderedObject);
    namespaces.set(f, NAMESPACE.exec(text)?.[1]);
  }
  const workloads = [...objects].filter(([, o]) => podLabels(o) !== undefined);
  const served = new Map<string, ReadonlySet<KubeflowComponent>>();
  const componentsOf = (of: readonly string[]) => {
    const found = of.map(ownerOf);
    return found.length > 0 && !found.includes("core") ? new Set(found as KubeflowComponent[]) : undefined;
  };
  for (const [file, o] of objects) {
    if (ownerOf(file) !== "core") continue;
    const selector = podSelectorOf(o);
    if (selector !== undefined) {
      const pods = workloads
        .filter(([f, w]) => namespaces.get(f) === o.metadata?.namespace && selects(selector, podLabels(w)!))
        .map(([f]) => f);
      const by = componentsOf(pods);
      if (by) served.set(file, by);
    } else if (o.kind === "Namespace") {
      const inside = files.filter((f) => namespaces.get(f) === o.metadata?.name && !f.startsWith("networkpolicy-"));
      const by = componentsOf(inside);
      if (by) {
        served.set(file, by);
        for (const f of files) if (namespaces.get(f) === o.metadata?.name && ownerOf(f) === "core") served.set(f, by);
      }
    }
  }
  return served;
}

/**
 * The render's files to install for a selection, in the render's order: the core's and the selected
 * components', minus the core's objects that serve only components left out (servedComponents).
 * `read` gives a file's text (the render directory's, by default).
 */
export function selectRenderFiles(
  version: string,
  files: readonly string[],
  sources: RenderSources,
  components: readonly KubeflowComponent[],
  read: (file: string) => string,
): string[] {
  const owners = fileOwners(version, sources);
  const served = servedComponents(version, files, sources, read);
  return files.filter((f) => {
    const owner = owners.get(f)!;
    if (owner !== "core") return components.includes(owner);
    const by = served.get(f);
    return by === undefined || components.some((c) => by.has(c));
  });
}

/** Every component a release can install: what conformance checks and records the images of. */
export function installableComponents(version: string): KubeflowComponent[] {
  return KUBEFLOW_COMPONENTS.filter((c) => !UNAVAILABLE_COMPONENTS[version]?.[c]);
}
