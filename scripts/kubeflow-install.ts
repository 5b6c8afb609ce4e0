/**
 * The Kubeflow install step: everything `npm run kubeflow -- <command>` does, as functions. It runs
 * on the operator's machine between `cdktf deploy kubeflow` and `cdktf deploy dns`, and needs only
 * kubectl (with its built-in kustomize v5) and the cluster: it applies the committed render of the
 * pinned release (kustomize-out/kubeflow/<version>/, checked against upstream/PROVENANCE.json first)
 * with our overlay. No GitHub, no git. Secrets only ever pass through memory: they are read from
 * the cluster and applied through kubectl's standard input. What it applies is recorded in the
 * cluster (kubeflow-inventory.ts), so that the next install removes what it no longer applies.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import {
  CREDENTIAL_KEYS,
  CREDENTIALS_SECRET,
  credentialSecrets,
  secretsOfComponents,
  INSTALL_PARAMS_CONFIGMAP,
  OAUTH2_PROXY_SECRET,
  OIDC_CLIENT_SECRET,
  paramsFromConfigMapData,
  prepareOverlay,
  COMPONENT_RESOURCES,
  OVERLAY_SOURCE,
  type KubeflowCredentials,
  type KubeflowInstallParams,
} from "../lib/kubeflow-overlay";
import { INGRESS_NAME, INGRESS_NAMESPACE } from "../lib/kubeflow";
import { renderDir, verifyRender } from "../lib/kubeflow-release";
import {
  fileOwners,
  installableComponents,
  readRenderSources,
  servedComponents,
  type KubeflowComponent,
  type ResourceOwner,
} from "../lib/kubeflow-components";
import {
  COMPONENTS,
  componentOf,
  crdGroup,
  deleteOrder,
  describeEntry,
  entryKey,
  entryOf,
  groupOf,
  INVENTORY_CONFIGMAP,
  inventoryManifest,
  isCrd,
  isCustomResource,
  LEGACY,
  legacyEntries,
  parseInventory,
  prune,
  typeArg,
  type Inventory,
  type InventoryEntry,
  type Prune,
} from "./kubeflow-inventory";

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Runner = (command: string, args: readonly string[], input?: string) => CommandResult;

/** A Runner in a folder and environment; a missing binary becomes status 127 with a message. */
export function commandRunner(options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {}): Runner {
  return (command, args, input) => {
    const result = spawnSync(command, args, {
      input,
      cwd: options.cwd,
      // This process's environment as it is now (explicitly: the default would be read by child_process itself).
      env: options.env ?? process.env,
      encoding: "utf8",
      maxBuffer: 1024 * 1024 * 1024,
    });
    if (result.error) {
      const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
      return { status: 127, stdout: "", stderr: missing ? `${command}: command not found` : String(result.error) };
    }
    return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
  };
}

/** Runs a command here, with this process's environment. */
export const runCommand: Runner = commandRunner();

export class InstallError extends Error {}

/** Fails clearly when kubectl is missing. */
export function requireKubectl(run: Runner = runCommand): void {
  const result = run("kubectl", ["version", "--client", "-o", "json"]);
  if (result.status !== 0) {
    throw new InstallError(
      "kubectl is required (it builds the overlay with its built-in kustomize v5 and applies it). " +
        `Install kubectl 1.27 or newer and put it on PATH. (${result.stderr.trim()})`,
    );
  }
}

/** Fails clearly, before anything is applied, when the cluster does not answer. */
export function requireCluster(run: Runner = runCommand): void {
  const result = run("kubectl", ["get", "--raw", "/readyz"]);
  if (result.status !== 0) {
    throw new InstallError(
      "cannot reach the cluster, so nothing was applied: point kubectl at it " +
        `(aws eks update-kubeconfig --region <region> --name <cluster>) and check your access entry. (${result.stderr.trim()})`,
    );
  }
}

/** Reads the overlay parameters the kubeflow stack published in the cluster. */
export function readInstallParams(run: Runner = runCommand): KubeflowInstallParams {
  const { namespace, name } = INSTALL_PARAMS_CONFIGMAP;
  const result = run("kubectl", ["-n", namespace, "get", "configmap", name, "-o", "json"]);
  if (result.status !== 0) {
    throw new InstallError(
      `cannot read ConfigMap ${namespace}/${name}: deploy the kubeflow stack first (npx cdktf deploy kubeflow) and check ` +
        `that kubectl points at the cluster (aws eks update-kubeconfig). (${result.stderr.trim()})`,
    );
  }
  return paramsFromConfigMapData((JSON.parse(result.stdout) as { data?: Record<string, string> }).data ?? {});
}

/** One document of a multi-document YAML stream, with what is needed to sort and name it. */
export interface Document {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly text: string;
}

/**
 * The documents of kustomize's output. kustomize writes every top-level key unindented, so
 * apiVersion, kind, name and namespace are read from the text without parsing the large documents (CRDs).
 */
export function documentsOf(rendered: string): Document[] {
  return rendered
    .split(/^---\n/m)
    .filter((t) => /^kind: /m.test(t))
    .map((text) => {
      const kind = /^kind: (\S+)/m.exec(text)![1];
      const metadata = /^metadata:\n((?: {2}.*\n?)*)/m.exec(text)?.[1] ?? "";
      const field = (key: string) =>
        new RegExp(`^ {2}${key}: (\\S+)`, "m").exec(metadata)?.[1]?.replace(/^["']|["']$/g, "");
      return {
        apiVersion: /^apiVersion: (\S+)/m.exec(text)?.[1] ?? "",
        kind,
        name: field("name") ?? "",
        namespace: field("namespace"),
        text: text.endsWith("\n") ? text : `${text}\n`,
      };
    });
}

/** The documents of a build whose kind is one of `kinds` (or not, with `invert`), as one stream. */
export function selectKinds(rendered: string, kinds: readonly string[], invert = false): string {
  return documentsOf(rendered)
    .filter((d) => kinds.includes(d.kind) !== invert)
    .map((d) => d.text)
    .join("---\n");
}

/** Builds our overlay over the committed render (after checking its checksums); returns the multi-document YAML, CRDs first. */
export function buildOverlay(params: KubeflowInstallParams, run: Runner = runCommand, root?: string): string {
  const entry = verifyRender(params.manifestsVersion, root);
  // One build per parameters and verified render in a process.
  const key = JSON.stringify([params, renderDir(params.manifestsVersion, root), entry.commit, entry.files]);
  const built = builds.get(key);
  if (built !== undefined) return built;
  const result = buildOverlayFresh(params, run, root);
  builds.set(key, result);
  return result;
}

/** Builds by parameters and render directory. */
const builds = new Map<string, string>();

function buildOverlayFresh(params: KubeflowInstallParams, run: Runner, root?: string): string {
  const work = mkdtempSync(path.join(tmpdir(), "kf-overlay-"));
  try {
    const { overlay, crds } = prepareOverlay(work, renderDir(params.manifestsVersion, root), params);
    const result = run("kubectl", ["kustomize", overlay]);
    if (result.status !== 0) throw new InstallError(`kubectl kustomize failed:\n${result.stderr.trim()}`);
    // The CRDs first, as kustomize orders them, then the build.
    return [...crds.map((c) => (c.endsWith("\n") ? c : `${c}\n`)), result.stdout].join("---\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface ApplySummary {
  readonly applied: number;
  readonly failed: number;
  readonly firstErrors: readonly string[];
}

/** Counts what `kubectl apply --server-side` reported. */
export function summarizeApply(result: CommandResult): ApplySummary {
  const applied = result.stdout
    .split("\n")
    .filter((l) => /\s(serverside-applied|configured|created|unchanged)$/.test(l.trim())).length;
  const errors = result.stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^(error|Error from server)/.test(l));
  return { applied, failed: errors.length, firstErrors: errors.slice(0, 3) };
}

/** The Secret oauth2-proxy reads: the app client's credentials and a cookie secret kept across runs. */
export function oauth2ProxySecretManifest(
  clientId: string,
  clientSecret: string,
  existingCookieSecret?: string,
): object {
  // oauth2-proxy accepts a base64 encoding of 32 random bytes (AES-256).
  const cookieSecret = existingCookieSecret ?? randomBytes(32).toString("base64url");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: OAUTH2_PROXY_SECRET.name, namespace: OAUTH2_PROXY_SECRET.namespace },
    type: "Opaque",
    data: {
      "client-id": Buffer.from(clientId).toString("base64"),
      "client-secret": Buffer.from(clientSecret).toString("base64"),
      "cookie-secret": Buffer.from(cookieSecret).toString("base64"),
    },
  };
}

/**
 * A Secret's values, or undefined when it does not exist. Only absence is undefined: with
 * --ignore-not-found, kubectl get drops the NotFound error and prints nothing for a named object
 * that is not there (kubectl v0.32.4 pkg/cmd/get/get.go:477-479, and printGeneric :728-729); a
 * kubectl that reports it anyway says `Error from server (NotFound): secrets "<name>" not found`
 * (pkg/cmd/util/helpers.go:255, over apimachinery's NewNotFound), which is absence too. Any other
 * failure (Forbidden, a timeout, no connection) is an error, which stops the install before it
 * applies anything: taking it for absence would overwrite what the cluster holds.
 */
function readSecret(
  run: Runner,
  ref: { namespace: string; name: string },
  /** Why the install reads it, for the error. */
  why: string,
): Record<string, string> | undefined {
  const result = run("kubectl", ["-n", ref.namespace, "get", "secret", ref.name, "--ignore-not-found", "-o", "json"]);
  const notFound = `Error from server (NotFound): secrets "${ref.name}" not found`;
  if (result.status !== 0 && result.stderr.split("\n").some((l) => l.trim() === notFound)) return undefined;
  if (result.status !== 0)
    throw new InstallError(
      `cannot read Secret ${ref.namespace}/${ref.name} (${why}): ${result.stderr.trim() || `kubectl exited with ${result.status}`}. ` +
        "Nothing was applied. Check that kubectl points at the cluster and that you may read Secrets there " +
        `(kubectl auth can-i get secrets -n ${ref.namespace}), then run the install again.`,
    );
  if (result.stdout.trim() === "") return undefined;
  const data = (JSON.parse(result.stdout) as { data?: Record<string, string> }).data ?? {};
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}

/** This install's generated credentials, from the Secret the kubeflow stack wrote. */
export function readCredentials(run: Runner = runCommand): KubeflowCredentials {
  const data = readSecret(run, CREDENTIALS_SECRET, "the credentials the kubeflow stack generated");
  const missing = Object.values(CREDENTIAL_KEYS).filter((k) => !data?.[k]);
  if (!data || missing.length > 0) {
    throw new InstallError(
      `Secret ${CREDENTIALS_SECRET.namespace}/${CREDENTIALS_SECRET.name} is missing or lacks ${missing.join(", ")}: deploy the kubeflow stack first`,
    );
  }
  return Object.fromEntries(
    (Object.keys(CREDENTIAL_KEYS) as (keyof KubeflowCredentials)[]).map((k) => [k, data[CREDENTIAL_KEYS[k]]]),
  ) as unknown as KubeflowCredentials;
}

/** The Secrets the install step applies itself (never rendered into files), from what the cluster holds. */
export function installSecrets(run: Runner = runCommand): object[] {
  const client = readSecret(run, OIDC_CLIENT_SECRET, "the login's app client");
  if (!client?.["client-id"] || !client["client-secret"]) {
    throw new InstallError(
      `Secret ${OIDC_CLIENT_SECRET.namespace}/${OIDC_CLIENT_SECRET.name} is missing or incomplete: deploy the kubeflow stack first`,
    );
  }
  // Absent on a first install only: a new cookie secret then; one that cannot be read stops the install.
  const cookie = readSecret(run, OAUTH2_PROXY_SECRET, "oauth2-proxy's cookie secret, kept across runs")?.[
    "cookie-secret"
  ];
  return [
    oauth2ProxySecretManifest(client["client-id"], client["client-secret"], cookie),
    ...credentialSecrets(readCredentials(run)),
  ];
}

/** The same Secrets with every value replaced by a marker, for `render`, which has no cluster to read them from. */
export function placeholderSecrets(): object[] {
  const marker = (where: string) => `PLACEHOLDER-set-by-the-install-step-from-${where}`;
  const credentials = Object.fromEntries(
    Object.keys(CREDENTIAL_KEYS).map((k) => [k, marker(`${CREDENTIALS_SECRET.namespace}/${CREDENTIALS_SECRET.name}`)]),
  ) as unknown as KubeflowCredentials;
  const oauth2 = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: OAUTH2_PROXY_SECRET.name, namespace: OAUTH2_PROXY_SECRET.namespace },
    type: "Opaque",
    stringData: Object.fromEntries(
      ["client-id", "client-secret", "cookie-secret"].map((k) => [
        k,
        marker(`${OIDC_CLIENT_SECRET.namespace}/${OIDC_CLIENT_SECRET.name}`),
      ]),
    ),
  };
  return [oauth2, ...credentialSecrets(credentials)];
}

/** Everything an install applies: the overlay's build and the Secrets, as one plan. */
export interface InstallPlan {
  readonly version: string;
  /** The build, in the order it is applied (APPLY_ORDER). */
  readonly documents: readonly Document[];
  readonly secrets: readonly object[];
}

/**
 * Where each kind goes in the stream the install applies, by group/kind; anything not listed
 * (custom resources, Ingress, NetworkPolicy) goes between the workloads and the admission hooks.
 * kubectl applies a stream in document order (kubectl v0.32.4 pkg/cmd/apply/apply.go:533-537 over
 * the infos that cli-runtime v0.32.4 pkg/resource/result.go:113-133 collects as
 * pkg/resource/visitor.go:590-619 decodes them), but it maps every document to its resource before
 * applying the first (pkg/resource/mapper.go:66-70): a custom resource whose CRD the same call
 * creates fails that call whatever the order. So the install applies the CRDs in a call of their
 * own and waits until they are established, then the Namespaces, then its Secrets, then this
 * stream: what a workload reads (accounts, roles, ConfigMaps, Secrets, Services) before it, and the
 * webhook configurations last, after the Deployments and Services that serve them (as kustomize's
 * legacy order does: api/resid/gvk.go, orderLast), so that a fail-closed webhook does not refuse
 * the objects behind it.
 */
export const APPLY_ORDER: readonly (readonly string[])[] = [
  ["apiextensions.k8s.io/CustomResourceDefinition"],
  ["/Namespace"],
  ["/ResourceQuota", "/LimitRange", "scheduling.k8s.io/PriorityClass", "storage.k8s.io/StorageClass"],
  [
    "/ServiceAccount",
    "rbac.authorization.k8s.io/Role",
    "rbac.authorization.k8s.io/ClusterRole",
    "rbac.authorization.k8s.io/RoleBinding",
    "rbac.authorization.k8s.io/ClusterRoleBinding",
  ],
  ["/ConfigMap", "/Secret"],
  ["/Service", "/Endpoints", "/PersistentVolume", "/PersistentVolumeClaim"],
  ["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "batch/Job", "batch/CronJob"],
  ["policy/PodDisruptionBudget", "autoscaling/HorizontalPodAutoscaler"],
  [], // everything else
  [
    "admissionregistration.k8s.io/MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
    "apiregistration.k8s.io/APIService",
  ],
];
const OTHER_RANK = APPLY_ORDER.findIndex((kinds) => kinds.length === 0);

export function applyRank(d: Pick<Document, "apiVersion" | "kind">): number {
  const gk = `${groupOf(d.apiVersion)}/${d.kind}`;
  const rank = APPLY_ORDER.findIndex((kinds) => kinds.includes(gk));
  return rank < 0 ? OTHER_RANK : rank;
}

/** The documents in APPLY_ORDER, keeping the build's order within a rank. */
export function inApplyOrder(documents: readonly Document[]): Document[] {
  return documents
    .map((d, i) => ({ d, i }))
    .sort((a, b) => applyRank(a.d) - applyRank(b.d) || a.i - b.i)
    .map(({ d }) => d);
}

/** The plan of an install: the build in apply order, and the Secrets. */
export function installPlan(
  params: KubeflowInstallParams,
  secrets: readonly object[],
  run: Runner = runCommand,
  root?: string,
): InstallPlan {
  return {
    version: params.manifestsVersion,
    documents: inApplyOrder(documentsOf(buildOverlay(params, run, root))),
    secrets: secretsOfComponents(secrets, params.components),
  };
}

/** The plan's Secrets as documents. */
export function secretDocuments(plan: Pick<InstallPlan, "secrets">): Document[] {
  return documentsOf(plan.secrets.map((s) => stringify(s, { lineWidth: 0 })).join("---\n"));
}

/** Every object the plan applies, as inventory entries. */
export function planEntries(plan: InstallPlan): InventoryEntry[] {
  return [...plan.documents, ...secretDocuments(plan)].map(entryOf);
}

/** File name of a rendered object, from its kind, namespace and name. */
export function fileNameOf(d: Pick<Document, "kind" | "name" | "namespace">): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "");
  return `${[d.kind, ...(d.namespace ? [d.namespace] : []), d.name].map(slug).join("-")}.yaml`;
}

/** Writes a plan as YAML files, one per object, and returns how many. */
export function writePlan(plan: InstallPlan, outDir: string): number {
  mkdirSync(outDir, { recursive: true });
  const all = [
    ...plan.documents,
    ...documentsOf(plan.secrets.map((s) => stringify(s, { lineWidth: 0 })).join("---\n")),
  ];
  for (const d of all) writeFileSync(path.join(outDir, fileNameOf(d)), d.text);
  return all.length;
}

/** A workload the install waits for. */
export interface Workload {
  readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
  readonly namespace: string;
  readonly name: string;
}

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"] as const;

export function workloadsOf(documents: readonly Document[]): Workload[] {
  return documents
    .filter((d): d is Document & { kind: Workload["kind"] } => (WORKLOAD_KINDS as readonly string[]).includes(d.kind))
    .map((d) => ({ kind: d.kind, namespace: d.namespace ?? "default", name: d.name }));
}

const key = (w: Pick<Workload, "kind" | "namespace" | "name">) => `${w.kind}/${w.namespace}/${w.name}`;

interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

interface WorkloadStatus {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string; readonly generation?: number };
  readonly spec: { readonly replicas?: number; readonly selector?: LabelSelector };
  readonly status?: Record<string, number | undefined>;
}

/** Whether a workload has all its pods available at its current generation. */
export function isAvailable(o: WorkloadStatus): boolean {
  const s = o.status ?? {};
  if ((s.observedGeneration ?? 0) < (o.metadata.generation ?? 0)) return false;
  if (o.kind === "DaemonSet") {
    return (
      (s.numberAvailable ?? 0) >= (s.desiredNumberScheduled ?? 0) &&
      (s.updatedNumberScheduled ?? 0) >= (s.desiredNumberScheduled ?? 0)
    );
  }
  const wanted = o.spec.replicas ?? 1;
  if (o.kind === "StatefulSet") return (s.readyReplicas ?? 0) >= wanted && (s.updatedReplicas ?? 0) >= wanted;
  return (s.availableReplicas ?? 0) >= wanted && (s.updatedReplicas ?? 0) >= wanted;
}

/** Whether a label selector (matchLabels and matchExpressions, ANDed) selects these labels. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  const exprs = selector.matchExpressions ?? [];
  if (Object.keys(selector.matchLabels ?? {}).length === 0 && exprs.length === 0) return false;
  return (
    Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    exprs.every((e) => {
      const has = Object.hasOwn(labels, e.key);
      const inValues = has && (e.values ?? []).includes(labels[e.key]);
      if (e.operator === "In") return inValues;
      if (e.operator === "NotIn") return !inValues;
      if (e.operator === "Exists") return has;
      if (e.operator === "DoesNotExist") return !has;
      return false;
    })
  );
}

interface ContainerStatus {
  readonly name: string;
  readonly image?: string;
  readonly state?: { readonly waiting?: { readonly reason?: string; readonly message?: string } };
  readonly lastState?: { readonly terminated?: { readonly reason?: string; readonly exitCode?: number } };
}

/** What the install reads of a pod. */
export interface PodStatus {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Record<string, string>;
    readonly deletionTimestamp?: string;
  };
  readonly spec?: {
    readonly containers?: readonly { name: string; image?: string }[];
    readonly initContainers?: readonly { name: string; image?: string }[];
  };
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: readonly { type: string; status: string; reason?: string; message?: string }[];
    readonly containerStatuses?: readonly ContainerStatus[];
    readonly initContainerStatuses?: readonly ContainerStatus[];
  };
}

/**
 * The waiting reasons of a container whose image the kubelet cannot pull: ErrImagePull for the
 * pull that failed, ImagePullBackOff while it waits to try again (kubernetes/kubernetes
 * pkg/kubelet/images/types.go at 64c0164c: ErrImagePullBackOff :31, ErrImagePull :37; an invalid
 * reference is InvalidImageName, :43). The kubelet sets the container's state.waiting.reason to the
 * error's text and the message to what EnsureImageExists returned (pkg/kubelet/kubelet_pods.go,
 * convertToAPIContainerStatuses: Reason: reason.Err.Error(), Message: reason.Message).
 */
export const IMAGE_PULL_REASONS: readonly string[] = ["ErrImagePull", "ImagePullBackOff"];

/**
 * A pull error that cannot pass: the registry has no such image. After ErrImagePull the message is
 * the runtime's error, which containerd words "failed to pull and unpack image %q: ..."
 * (internal/cri/server/images/image_pull.go) ending in "<ref>: not found" when every registry
 * answered 404 (core/remotes/docker/resolver.go, Resolve: fmt.Errorf("%s: %w", ref,
 * errdefs.ErrNotFound)); CRI-O and registries answering with an OCI error say "manifest unknown".
 * During ImagePullBackOff, kubelets since 1.32 append "<reason>: <last pull's message>" to "Back-off
 * pulling image %q" (pkg/kubelet/images/image_manager.go, pullImage, prevPullErrMsg;
 * kubernetes/kubernetes#127918, in the v1.32 release notes); older ones do not, so a missing image
 * is then seen at its next ErrImagePull.
 */
export const MISSING_IMAGE = /\bnot found\b|manifest unknown/i;

/** Reasons that a pod is waiting on something that passes (or a container not yet started). */
const NORMAL_WAITING = ["ContainerCreating", "PodInitializing"];

/** A reason a workload's pods are not ready, as one line of the install's output. */
export interface PodProblem {
  readonly line: string;
  /** The image does not exist (or its name is invalid): waiting longer cannot help. */
  readonly fatal: boolean;
  /** The kubelet's whole message, for the final error. */
  readonly message?: string;
}

/** The last part of a kubelet or runtime message ("...: 429 Too Many Requests" -> "429 Too Many Requests"). */
export function gist(message: string): string {
  const parts = message.trim().split(": ");
  return parts[parts.length - 1];
}

/**
 * Why `w`'s pods are not ready, from their status: an image that cannot be pulled (one line per
 * container and image, whatever the number of pods), a container waiting for another reason
 * (CrashLoopBackOff with its last exit, CreateContainerConfigError, ...), a pod the scheduler cannot place.
 */
export function podProblems(
  w: Workload,
  selector: LabelSelector | undefined,
  pods: readonly PodStatus[],
): PodProblem[] {
  const problems = new Map<string, PodProblem>();
  const mine = pods.filter(
    (p) =>
      p.metadata.namespace === w.namespace && !p.metadata.deletionTimestamp && selects(selector, p.metadata.labels),
  );
  for (const pod of mine) {
    const specImage = (name: string) =>
      [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name)?.image;
    for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const waiting = c.state?.waiting;
      if (!waiting?.reason || NORMAL_WAITING.includes(waiting.reason)) continue;
      const message = waiting.message ?? "";
      if (IMAGE_PULL_REASONS.includes(waiting.reason) || waiting.reason === "InvalidImageName") {
        const image = specImage(c.name) ?? c.image ?? "?";
        problems.set(`pull ${c.name} ${image}`, {
          line: `${key(w)}: container ${c.name} cannot pull ${image}: ${waiting.reason} (${gist(message) || "no message"})`,
          fatal: waiting.reason === "InvalidImageName" || MISSING_IMAGE.test(message),
          message,
        });
        continue;
      }
      const last = c.lastState?.terminated;
      const exit = last ? `; last exit ${last.exitCode ?? "?"}${last.reason ? ` (${last.reason})` : ""}` : "";
      problems.set(`waiting ${c.name} ${waiting.reason}`, {
        line: `${key(w)}: pod ${pod.metadata.name}: container ${c.name} ${waiting.reason}${message ? ` (${message})` : ""}${exit}`,
        fatal: false,
      });
    }
    const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (scheduled?.status === "False") {
      problems.set(`unscheduled ${scheduled.reason ?? ""}`, {
        line: `${key(w)}: pod ${pod.metadata.name} ${scheduled.reason ?? "not scheduled"}${scheduled.message ? ` (${scheduled.message})` : ""}`,
        fatal: false,
      });
    }
  }
  return [...problems.values()];
}

export interface WaitOptions {
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
  readonly log: (line: string) => void;
  readonly sleep: (seconds: number) => Promise<void>;
  readonly now: () => number;
}

const statusKey = (o: WorkloadStatus) =>
  key({ kind: o.kind as Workload["kind"], namespace: o.metadata.namespace, name: o.metadata.name });

/**
 * Waits until every workload is available. Each poll prints "n of N ready", names the workloads
 * still waiting (when that set changed), and one line for each reason their pods give: an image
 * that cannot be pulled (per container and image), a crash loop, a pod that cannot be scheduled.
 * A missing image ends the wait at once with an error, since it cannot recover; a pull error that
 * can pass (a rate limit, a timeout) is reported and waited on. On timeout, throws naming the
 * unready workloads with those reasons, or their pods' last events.
 */
export async function waitForReady(
  workloads: readonly Workload[],
  options: WaitOptions,
  run: Runner = runCommand,
): Promise<void> {
  const deadline = options.now() + options.timeoutSeconds * 1000;
  const wanted = new Map(workloads.map((w) => [key(w), w]));
  let named = "";
  for (;;) {
    const result = run("kubectl", ["get", "deployments,statefulsets,daemonsets", "--all-namespaces", "-o", "json"]);
    if (result.status !== 0) throw new InstallError(`cannot read the workloads' status: ${result.stderr.trim()}`);
    const statuses = new Map(
      ((JSON.parse(result.stdout) as { items?: WorkloadStatus[] }).items ?? [])
        .filter((o) => wanted.has(statusKey(o)))
        .map((o) => [statusKey(o), o]),
    );
    const waiting = [...wanted.keys()].filter((k) => !statuses.has(k) || !isAvailable(statuses.get(k)!));
    const list = waiting.join(", ");
    options.log(
      `${wanted.size - waiting.length} of ${wanted.size} ready` +
        (waiting.length === 0
          ? ""
          : list === named
            ? `; still waiting for the ${waiting.length} above`
            : `; waiting for ${list}`),
    );
    named = list;
    if (waiting.length === 0) return;
    const pods = readPods(run);
    const problems = new Map(
      waiting.map((k) => [k, pods ? podProblems(wanted.get(k)!, statuses.get(k)?.spec.selector, pods) : []]),
    );
    if (!pods) options.log("  (cannot read the pods' status to say why)");
    for (const p of [...problems.values()].flat()) options.log(`  ${p.line}`);
    const missing = [...problems.values()].flat().filter((p) => p.fatal);
    if (missing.length > 0) {
      throw new InstallError(
        `${missing.length === 1 ? "an image does" : `${missing.length} images do`} not exist in the registry, so waiting cannot help ` +
          `(stopped early instead of waiting ${Math.round(options.timeoutSeconds / 60)} minutes):\n` +
          missing.map((p) => `  ${p.line}${p.message ? `\n    ${p.message}` : ""}`).join("\n") +
          "\nEverything is applied. Fix the image reference (in the render or the overlay, see README, Troubleshooting), then run the install again.",
      );
    }
    if (options.now() >= deadline) {
      const details = waiting.map((k) => {
        const own = problems.get(k) ?? [];
        if (own.length > 0) return own.map((p) => `  ${p.line}`).join("\n");
        return `  ${k}: ${statuses.has(k) ? lastPodEvent(wanted.get(k)!, statuses.get(k)!, pods ?? [], run) : "not found in the cluster"}`;
      });
      throw new InstallError(
        `${waiting.length} of ${wanted.size} workloads not ready after ${Math.round(options.timeoutSeconds / 60)} minutes:\n${details.join("\n")}\n` +
          "Check them with kubectl describe, then run the install again (it keeps what is applied).",
      );
    }
    await options.sleep(options.pollSeconds);
  }
}

/** Every pod's status, or undefined when kubectl cannot read them. */
function readPods(run: Runner): PodStatus[] | undefined {
  const result = run("kubectl", ["get", "pods", "--all-namespaces", "-o", "json"]);
  if (result.status !== 0) return undefined;
  return (JSON.parse(result.stdout) as { items?: PodStatus[] }).items ?? [];
}

/** The newest event of the workload's pods, or why there is none. */
function lastPodEvent(w: Workload, status: WorkloadStatus, pods: readonly PodStatus[], run: Runner): string {
  const names = pods
    .filter((p) => p.metadata.namespace === w.namespace && selects(status.spec.selector, p.metadata.labels))
    .map((p) => p.metadata.name);
  if (names.length === 0) return "no pods";
  const events = run("kubectl", ["-n", w.namespace, "get", "events", "-o", "json"]);
  const items =
    events.status === 0
      ? ((
          JSON.parse(events.stdout) as {
            items?: {
              involvedObject: { name: string };
              reason?: string;
              message?: string;
              lastTimestamp?: string;
              eventTime?: string;
            }[];
          }
        ).items ?? [])
      : [];
  return names
    .map((pod) => {
      const mine = items
        .filter((e) => e.involvedObject.name === pod)
        .sort((a, b) => String(a.lastTimestamp ?? a.eventTime).localeCompare(String(b.lastTimestamp ?? b.eventTime)));
      const e = mine[mine.length - 1];
      return e ? `pod ${pod}: ${e.reason ?? ""} ${e.message ?? ""}`.trim() : `pod ${pod}: no events`;
    })
    .join("; ");
}

export interface LoopOptions {
  readonly maxPasses: number;
  readonly pauseSeconds: number;
  readonly log: (line: string) => void;
  readonly sleep: (seconds: number) => Promise<void>;
}

const APPLY = ["apply", "--server-side", "--force-conflicts", "--field-manager", "kubeflow-install", "-f", "-"];

/**
 * Applies the build until every object is accepted: custom resources fail until their CRDs
 * and webhooks are up, so early passes are expected to report failures.
 */
export async function applyUntilSettled(
  rendered: string,
  options: LoopOptions,
  run: Runner = runCommand,
): Promise<number> {
  for (let pass = 1; pass <= options.maxPasses; pass++) {
    const result = run("kubectl", APPLY, rendered);
    const summary = summarizeApply(result);
    options.log(`pass ${pass}/${options.maxPasses}: ${summary.applied} applied, ${summary.failed} failing`);
    for (const error of summary.firstErrors) options.log(`  ${error}`);
    if (result.status === 0) return pass;
    if (pass < options.maxPasses) {
      options.log(`  waiting ${options.pauseSeconds}s for CRDs and webhooks to settle`);
      await options.sleep(options.pauseSeconds);
    }
  }
  throw new InstallError(
    `objects still failing after ${options.maxPasses} passes; see the errors above, then run the install again`,
  );
}

/** The inventory the last install recorded, or undefined when there is none. */
export function readInventory(run: Runner = runCommand): Inventory | undefined {
  const { namespace, name } = INVENTORY_CONFIGMAP;
  const result = run("kubectl", ["-n", namespace, "get", "configmap", name, "--ignore-not-found", "-o", "json"]);
  if (result.status !== 0)
    throw new InstallError(`cannot read ConfigMap ${namespace}/${name}: ${result.stderr.trim()}`);
  if (result.stdout.trim() === "") return undefined;
  try {
    return parseInventory((JSON.parse(result.stdout) as { data?: Record<string, string> }).data ?? {});
  } catch (err) {
    throw new InstallError(
      `${(err as Error).message}. Fix it, or delete it to fall back to what is known of older installs.`,
    );
  }
}

/** Records what the install applies (and what a prune left in place), for the next install and uninstall. */
export function recordInventory(
  version: string,
  entries: readonly InventoryEntry[],
  run: Runner = runCommand,
  removing: readonly string[] = [],
): void {
  const result = run("kubectl", APPLY, stringify(inventoryManifest(version, entries, removing), { lineWidth: 0 }));
  if (result.status !== 0)
    throw new InstallError(
      `could not record what is installed in ConfigMap ${INVENTORY_CONFIGMAP.namespace}/${INVENTORY_CONFIGMAP.name}: ${result.stderr.trim()}`,
    );
}

/** The objects of a version's committed render, as its files have them. */
export function renderEntries(version: string, root?: string): InventoryEntry[] {
  const dir = renderDir(version, root);
  return readFileSync(path.join(dir, "kustomization.yaml"), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("  - "))
    .flatMap((l) => documentsOf(readFileSync(path.join(dir, l.slice(4)), "utf8")))
    .map(entryOf);
}

/**
 * The Kubeflow component (lib/kubeflow-components.ts) each object of a render belongs to, by the
 * resource of upstream's example that renders it (sources.json); "core" for the platform core.
 * Objects not in the render (ours, the Secrets) have none.
 */
export function renderOwners(version: string, root?: string): (e: InventoryEntry) => ResourceOwner | undefined {
  const dir = renderDir(version, root);
  const owners = ownersOfRender.get(dir) ?? ownersOfRender.set(dir, readOwners(version, dir)).get(dir);
  return (e) => owners?.get(fileNameOf(e));
}

/** Owners by render directory: the render is committed and checked against its sums, so read once. */
const ownersOfRender = new Map<string, Map<string, ResourceOwner> | undefined>();

function readOwners(version: string, dir: string): Map<string, ResourceOwner> | undefined {
  if (!existsSync(path.join(dir, "sources.json"))) return undefined; // a render without it (a test's small one)
  const sources = readRenderSources(dir);
  const owners = fileOwners(version, sources);
  // A core object that serves one component alone (its pods' policy, its namespace) goes with it.
  const files = [...owners.keys()];
  for (const [file, by] of servedComponents(version, files, sources, (f) => readFileSync(path.join(dir, f), "utf8")))
    if (by.size === 1) owners.set(file, [...by][0]);
  // So do the overlay's own objects that serve one component (llmisvc's webhook policy).
  for (const [file, component] of Object.entries(COMPONENT_RESOURCES))
    for (const d of documentsOf(readFileSync(path.join(OVERLAY_SOURCE, file), "utf8")))
      owners.set(fileNameOf(d), component);
  return owners;
}

/**
 * The Kubeflow components a removal takes away that the config could keep (installable with the
 * release), with how many of their objects go: removing one needs --remove-components.
 */
export function componentsRemoved(
  version: string,
  remove: readonly InventoryEntry[],
  owner: (e: InventoryEntry) => ResourceOwner | undefined,
): { component: KubeflowComponent; objects: number }[] {
  const installable = installableComponents(version);
  const counts = new Map<KubeflowComponent, number>();
  for (const e of remove) {
    const o = owner(e);
    if (o !== undefined && o !== "core" && installable.includes(o)) counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  return [...counts].map(([component, objects]) => ({ component, objects }));
}

/** What the install removes before applying, and where it learned that those objects were ours. */
export interface PrunePlan extends Prune {
  readonly source: "inventory" | "legacy" | "none";
  readonly recorded?: Inventory;
  /**
   * Objects of the CRDs being removed that no install applied (users' TrainJobs and JobSets):
   * deleted first, while their controllers run (--prune-crds-with-instances only).
   */
  readonly instances?: readonly InventoryEntry[];
  /**
   * What is not removed yet because CRDs being removed still have such objects: those CRDs and
   * what the objects need. Recorded again, so that a later install removes them once they are gone.
   */
  readonly held?: readonly InventoryEntry[];
  /** Why, one line per CRD held, then one for the rest of what is held. */
  readonly heldBecause?: readonly string[];
}

/**
 * What an earlier install applied that this plan does not: the recorded inventory minus the plan.
 * Without an inventory (an install by a version before it existed, or none), an install of a
 * release in LEGACY whose namespaces exist gets the legacy objects of its committed render, to be
 * removed where present; anything else such an install applied cannot be known.
 */
export function prunePlan(
  plan: InstallPlan,
  run: Runner = runCommand,
  root?: string,
  /** What the last install recorded; null: none. @default - read from the cluster */
  recorded: Inventory | null = readInventory(run) ?? null,
): PrunePlan {
  const planned = planEntries(plan);
  if (recorded) return { source: "inventory", recorded, ...prune(recorded.entries, planned) };
  const namespaces = plan.documents.filter((d) => d.kind === "Namespace").map((d) => d.name);
  if (!LEGACY[plan.version] || namespaces.length === 0) return { source: "none", remove: [], keep: [] };
  const existing = run("kubectl", ["get", "namespaces", ...namespaces, "--ignore-not-found", "-o", "name"]);
  if (existing.status !== 0) throw new InstallError(`cannot read the namespaces: ${existing.stderr.trim()}`);
  if (existing.stdout.trim() === "") return { source: "none", remove: [], keep: [] };
  // Such an install applied every component of the render; those the plan leaves out go too
  // (after the component check in installPlanned asks for consent).
  const rendered = renderEntries(plan.version, root);
  const owner = renderOwners(plan.version, root);
  const wanted = new Set(planned.map(entryKey));
  const candidates = rendered.filter((e) => {
    const o = owner(e);
    return o !== undefined && o !== "core" && !wanted.has(entryKey(e));
  });
  // Only components whose workloads are there: a cluster installed without one has nothing of it.
  const present = candidates.length === 0 ? new Set<string>() : presentWorkloads(run);
  const there = new Set(
    candidates
      .filter((e) => ["Deployment", "StatefulSet"].includes(e.kind) && present.has(`${e.kind.toLowerCase()}/${e.name}`))
      .map(owner),
  );
  const ofComponentsLeftOut = candidates.filter((e) => there.has(owner(e)));
  return {
    source: "legacy",
    ...prune([...legacyEntries(plan.version, rendered, planned), ...ofComponentsLeftOut], planned),
  };
}

/** "deployment/<name>" and "statefulset/<name>" of every Deployment and StatefulSet in the cluster. */
function presentWorkloads(run: Runner): Set<string> {
  const result = run("kubectl", ["get", "deployments.apps,statefulsets.apps", "--all-namespaces", "-o", "name"]);
  if (result.status !== 0) throw new InstallError(`cannot list the workloads: ${result.stderr.trim()}`);
  return new Set(
    result.stdout
      .split("\n")
      .map((l) => l.trim().replace(/^(deployment|statefulset)\.apps\//, "$1/"))
      .filter((l) => l.length > 0),
  );
}

/** kubectl's answer when a type is not served: its CRD is gone, and every object of it with it. */
const TYPE_GONE = /the server doesn't have a resource type/;

/** An object as `kubectl get -o json` shows it. */
interface ListedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly finalizers?: readonly string[];
    readonly deletionTimestamp?: string;
  };
}

const listedEntry = (o: ListedObject): InventoryEntry =>
  entryOf({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });

const namespaceArgs = (e: InventoryEntry) => (e.namespace ? ["-n", e.namespace] : []);

/** Every object of a CRD in the cluster, in every namespace; none when the CRD is not there. */
export function objectsOfCrd(crd: string, run: Runner = runCommand): ListedObject[] {
  const result = run("kubectl", ["get", crd, "--all-namespaces", "-o", "json"]);
  if (result.status !== 0) {
    if (TYPE_GONE.test(result.stderr)) return [];
    throw new InstallError(
      `cannot list the objects of CRD ${crd}, which deleting the CRD would delete: ${result.stderr.trim()}. ` +
        "Nothing was deleted or applied.",
    );
  }
  return result.stdout.trim() === "" ? [] : ((JSON.parse(result.stdout) as { items?: ListedObject[] }).items ?? []);
}

/** CRDs in the order their objects are deleted: a component's before those it needs, then its own order; others last. */
function crdOrder(crds: readonly InventoryEntry[]): InventoryEntry[] {
  const rank = (e: InventoryEntry) => {
    const c = componentOf(e);
    if (!c) return COMPONENTS.length * 100;
    const at = c.crds.indexOf(e.name);
    return COMPONENTS.indexOf(c) * 100 + (at < 0 ? c.crds.length : at);
  };
  return crds
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
    .map(({ e }) => e);
}

/**
 * What holds a CRD or custom resource back with others: its component (COMPONENTS, or else the
 * Kubeflow component whose upstream resource renders it, with all that resource renders: its
 * controllers and webhooks serve and finalize those objects), or, for one we do not know, its API group.
 */
function holdKey(e: InventoryEntry, owner: (e: InventoryEntry) => ResourceOwner | undefined): string | undefined {
  const c = componentOf(e);
  if (c) return c.name;
  const o = owner(e);
  // Trainer's upstream resource holds Trainer and JobSet (COMPONENTS); what serves them both (the
  // kubeflow-system namespace's policy) stays with JobSet, which a held Trainer holds too.
  if (o === "trainer") return "JobSet";
  if (o !== undefined && o !== "core") return `Kubeflow component ${o}`;
  if (isCrd(e)) return `API group ${crdGroup(e.name)}`;
  return isCustomResource(e) ? `API group ${groupOf(e.apiVersion)}` : undefined;
}

const remain = (objects: readonly InventoryEntry[]) => {
  const names = objects.map((o) => (o.namespace ? `${o.namespace}/${o.name}` : o.name));
  const listed = names.length <= 5 ? names.join(", ") : `${names.slice(0, 5).join(", ")} and ${names.length - 5} more`;
  return `${objects.length} ${objects[0].kind}${objects.length === 1 ? " remains" : "s remain"} (${listed})`;
};

/**
 * Deleting a CRD deletes every object of it in the cluster, so before the install deletes one it
 * lists them (all namespaces). If some are not in the removal set (users' TrainJobs, JobSets), the
 * CRD stays, unless `deleteThem`, and with it what those objects need: the whole component (its
 * CRDs, custom resources such as the ClusterTrainingRuntimes TrainJobs refer to, controller,
 * webhooks, RBAC) and the components it needs (COMPONENTS), since a controller is what clears the
 * finalizers of its objects (Trainer's runtimes keep trainer.kubeflow.org/resource-in-use until it
 * sees them deleted with no TrainJob left) and serves the webhooks that fail closed on them. For a
 * CRD of no known component, the CRDs and custom resources of its API group stay (its controller
 * cannot be told from our records). With `deleteThem`, those objects are to be deleted first,
 * while their controllers run, a component's before those it needs (TrainJobs, then runtimes,
 * then JobSets), and the removal continues in deleteOrder: webhooks, custom resources,
 * controllers, the rest, CRDs.
 */
export function holdCrdsWithObjects(
  pruning: PrunePlan,
  run: Runner = runCommand,
  deleteThem = false,
  owner: (e: InventoryEntry) => ResourceOwner | undefined = () => undefined,
): PrunePlan {
  const crds = pruning.remove.filter(isCrd);
  if (crds.length === 0) return pruning;
  // The API lists a cluster-scoped object without a namespace, while the render may give it one
  // (the 26.03 render's ClusterTrainingRuntimes say kubeflow-system, which kubectl ignores for a
  // cluster-scoped type: cli-runtime v0.32.4 pkg/resource/builder.go:1088-1089): such an object is
  // ours if one of ours has its type and name.
  const removing = new Set(pruning.remove.map(entryKey));
  const removingNames = new Set(pruning.remove.map((e) => entryKey({ ...e, namespace: undefined })));
  const ours = (o: InventoryEntry) => (o.namespace ? removing : removingNames).has(entryKey(o));
  const others = new Map(
    crds.map((c) => [
      c.name,
      objectsOfCrd(c.name, run)
        .map(listedEntry)
        .filter((o) => !ours(o)),
    ]),
  );
  const withObjects = crds.filter((c) => others.get(c.name)!.length > 0);
  if (withObjects.length === 0) return pruning;
  if (deleteThem) return { ...pruning, instances: crdOrder(withObjects).flatMap((c) => others.get(c.name)!) };

  // Why each component (or unknown API group) is held: its own objects remain, or one that needs it is held.
  const why = new Map<string, string>();
  for (const crd of crdOrder(withObjects)) {
    const key = holdKey(crd, owner)!;
    const kinds = `${others.get(crd.name)![0].kind}s`;
    why.set(
      key,
      why.has(key) ? why.get(key)!.replace(/ remain$/, ` and ${kinds} remain`) : `kept while ${kinds} remain`,
    );
  }
  const need = (name: string, by: string) => {
    const c = COMPONENTS.find((x) => x.name === name)!;
    if (why.has(c.name)) return;
    why.set(c.name, `which ${by} needs, ${why.get(by)!.replace(/^which .* needs, /, "")}`);
    for (const n of c.needs) need(n, c.name);
  };
  for (const key of [...why.keys()]) for (const n of COMPONENTS.find((c) => c.name === key)?.needs ?? []) need(n, key);

  const held = pruning.remove.filter((e) => why.has(holdKey(e, owner) ?? ""));
  const lines = crdOrder(held.filter(isCrd)).map((crd) => {
    const own = others.get(crd.name) ?? [];
    return own.length > 0
      ? `kept CRD ${crd.name}: ${remain(own)}; delete them, or install with --prune-crds-with-instances (npm run kubeflow -- install, or npm run deploy) to delete them first`
      : `kept CRD ${crd.name}: part of ${holdKey(crd, owner)!}, ${why.get(holdKey(crd, owner)!)!}`;
  });
  const rest = held.filter((e) => !isCrd(e));
  if (rest.length > 0)
    lines.push(
      `kept with them, since their controllers and webhooks serve and finalize those objects: ${rest.length} objects of ${[...why.keys()].join(" and ")}; ` +
        `they stay in ${INVENTORY_CONFIGMAP.namespace}/${INVENTORY_CONFIGMAP.name}, and a later install removes them once those objects are gone`,
    );
  return {
    ...pruning,
    remove: pruning.remove.filter((e) => !held.includes(e)),
    held,
    heldBecause: lines,
  };
}

/** Whether the controller that removes a finalizer runs: "running", or why it does not. */
function controllerState(controller: InventoryEntry, run: Runner): string {
  const got = run("kubectl", [
    "get",
    typeArg(controller),
    controller.name,
    ...namespaceArgs(controller),
    "--ignore-not-found",
    "-o",
    "json",
  ]);
  if (got.status !== 0) return `not readable (${got.stderr.trim()})`;
  if (got.stdout.trim() === "") return "already gone";
  const available = (JSON.parse(got.stdout) as { status?: { availableReplicas?: number } }).status?.availableReplicas;
  return (available ?? 0) > 0 ? "running" : "not running (no available replica)";
}

/** One line per finalizer holding `e`: whether anything will remove it, and if not, how to. */
function finalizerLines(e: InventoryEntry, finalizers: readonly string[], run: Runner): string[] {
  const patch = `kubectl patch ${typeArg(e)} ${e.name}${e.namespace ? ` -n ${e.namespace}` : ""} --type=merge -p '{"metadata":{"finalizers":null}}'`;
  return finalizers.map((f) => {
    const c = COMPONENTS.find((x) => Object.hasOwn(x.finalizers, f));
    if (!c)
      return (
        `${describeEntry(e)} is stuck on finalizer ${f}, which no controller this install knows of removes; ` +
        `if whatever set it is gone, remove it with: ${patch}`
      );
    const state = controllerState(c.controller, run);
    if (state === "running")
      return `${describeEntry(e)} is held by finalizer ${f}, which ${describeEntry(c.controller)} removes ${c.finalizers[f]}`;
    return (
      `${describeEntry(e)} is stuck on finalizer ${f}, and the controller that removes it, ${describeEntry(c.controller)}, ` +
      `is ${state}: nothing will remove it. Remove the finalizer with: ${patch}`
    );
  });
}

/** Why an object that would not go is still there, from its finalizers (for a CRD, its objects'); none if it is not being deleted. */
function stuckLines(e: InventoryEntry, run: Runner): string[] {
  try {
    const got = run("kubectl", ["get", typeArg(e), e.name, ...namespaceArgs(e), "--ignore-not-found", "-o", "json"]);
    if (got.status !== 0 || got.stdout.trim() === "") return [];
    const o = JSON.parse(got.stdout) as ListedObject;
    if (!o.metadata.deletionTimestamp) return [];
    if (!isCrd(e)) return finalizerLines(e, o.metadata.finalizers ?? [], run);
    // The API server deletes a CRD's objects before the CRD itself, and waits for those a finalizer holds.
    const held = objectsOfCrd(e.name, run).filter(
      (x) => x.metadata.deletionTimestamp && (x.metadata.finalizers ?? []).length > 0,
    );
    return held.length === 0
      ? []
      : [
          `CRD ${e.name} waits until the API server has deleted its objects, and ${held.length} of them cannot go:`,
          ...held.slice(0, 5).flatMap((x) => finalizerLines(listedEntry(x), x.metadata.finalizers!, run)),
        ];
  } catch {
    return [];
  }
}

/** Deletes objects one by one, in the order given, naming each and whether it was there. */
export function deleteObjects(
  entries: readonly InventoryEntry[],
  log: (line: string) => void,
  run: Runner = runCommand,
): void {
  for (const e of entries) {
    const args = [
      "delete",
      typeArg(e),
      e.name,
      ...namespaceArgs(e),
      "--ignore-not-found",
      "--wait=true",
      "--timeout=10m",
    ];
    const result = run("kubectl", args);
    if (result.status === 0) log(`  ${result.stdout.trim() ? "deleted" : "not present"}: ${describeEntry(e)}`);
    else if (TYPE_GONE.test(result.stderr)) log(`  not present (its type is gone): ${describeEntry(e)}`);
    else {
      const stuck = stuckLines(e, run);
      throw new InstallError(
        `could not delete ${describeEntry(e)}: ${result.stderr.trim()}\n` +
          (stuck.length > 0
            ? `${stuck.join("\n")}\nThen run it again.`
            : `If it is stuck on a finalizer whose controller is gone, see kubectl get ${typeArg(e)} ${e.name}` +
              `${e.namespace ? ` -n ${e.namespace}` : ""} -o yaml; then run the install again.`),
      );
    }
  }
}

const removalHeading = (pruning: PrunePlan, version: string): string => {
  const componentsRemovedHere = componentsRemoved(version, pruning.remove, renderOwners(version)).map(
    (c) => c.component,
  );
  return pruning.source === "inventory"
    ? `what the last install applied and this one does not (recorded in ${INVENTORY_CONFIGMAP.namespace}/${INVENTORY_CONFIGMAP.name})`
    : `what installs before the inventory existed applied and this one does not (${LEGACY[version]?.what} of the ${version} render${
        componentsRemovedHere.length > 0
          ? `, and ${componentsRemovedHere.join(", ")}, which kubeflow.components leaves out`
          : ""
      }), where present`;
};

const INSTANCES_HEADING =
  "objects that no install applied of the CRDs it removes, while their controllers run (--prune-crds-with-instances)";

/** Removes what the plan no longer has, before anything is applied: a webhook it leaves out could otherwise refuse the apply. */
export function removeObjects(pruning: PrunePlan, version: string, log: (line: string) => void, run: Runner): void {
  for (const line of pruning.heldBecause ?? []) log(line);
  const instances = pruning.instances ?? [];
  if (pruning.remove.length > 0) {
    log(`removing ${removalHeading(pruning, version)}: ${pruning.remove.length} objects`);
    if (instances.length > 0) {
      log(`  first the ${instances.length} ${INSTANCES_HEADING}`);
      deleteObjects(instances, log, run);
    }
    deleteObjects(pruning.remove, log, run);
  }
  for (const e of pruning.keep)
    log(`left in place, not installed any more: ${describeEntry(e)} (it holds data; delete it by hand if unwanted)`);
}

/** The plan as text, for --dry-run and the question before applying: what would be removed, applied, waited for. */
export function describePlan(plan: InstallPlan, pruning?: PrunePlan): string[] {
  const rest = plan.documents.filter((d) => !["CustomResourceDefinition", "Namespace"].includes(d.kind));
  const byKind = new Map<string, number>();
  for (const d of rest) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1);
  const namespaces = plan.documents.filter((d) => d.kind === "Namespace").map((d) => d.name);
  const crds = plan.documents.filter((d) => d.kind === "CustomResourceDefinition").length;
  const secrets = secretDocuments(plan).map((d) => `${d.namespace}/${d.name}`);
  const instances = pruning?.instances ?? [];
  const removal =
    !pruning || pruning.remove.length === 0
      ? [`1. remove: nothing${pruning?.source === "none" ? " (no inventory of an earlier install)" : ""}`]
      : [
          `1. remove ${removalHeading(pruning, plan.version)}: ${pruning.remove.length} objects, in this order:`,
          ...(instances.length > 0
            ? [
                `   first the ${instances.length} ${INSTANCES_HEADING}:`,
                ...instances.map((e) => `   - ${describeEntry(e)}`),
                "   then:",
              ]
            : []),
          ...pruning.remove.map((e) => `   - ${describeEntry(e)}`),
        ];
  return [
    `Kubeflow ${plan.version}: ${plan.documents.length} objects from the committed render and our overlay, plus ${secrets.length} Secrets`,
    ...removal,
    ...(pruning?.heldBecause ?? []).map((l) => `   ${l}`),
    ...(pruning?.held ?? []).map((e) => `   kept for now: ${describeEntry(e)}`),
    ...(pruning?.keep ?? []).map((e) => `   left in place (it holds data): ${describeEntry(e)}`),
    `2. record what this install applies in ${INVENTORY_CONFIGMAP.namespace}/${INVENTORY_CONFIGMAP.name}`,
    `3. CRDs (${crds}), then wait until they are established`,
    `4. namespaces (${namespaces.length}): ${namespaces.join(", ")}`,
    `5. Secrets, through kubectl's standard input: ${secrets.join(", ")}`,
    `6. everything else, server-side apply in this order, until accepted: ${[...byKind]
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")}`,
    `7. wait until ${workloadsOf(plan.documents).length} Deployments, StatefulSets and DaemonSets are available`,
  ];
}

/** True when applying the plan would change nothing (server-side diff); false when it would, or cannot tell. */
export function isUnchanged(plan: InstallPlan, run: Runner = runCommand): boolean {
  const all = [...plan.documents.map((d) => d.text), ...plan.secrets.map((s) => stringify(s, { lineWidth: 0 }))].join(
    "---\n",
  );
  const diff = run(
    "kubectl",
    ["diff", "--server-side", "--force-conflicts", "--field-manager", "kubeflow-install", "-f", "-"],
    all,
  );
  return diff.status === 0;
}

const stream = (documents: readonly Document[]) => documents.map((d) => d.text).join("---\n");

/**
 * Applies a plan in its order: the CRDs (then waits until they are established, so the custom
 * resources map on the first pass), the Namespaces, the Secrets, then everything else in passes
 * until accepted (webhooks and the certificates behind them come up meanwhile).
 */
export async function applyPlan(plan: InstallPlan, options: LoopOptions, run: Runner = runCommand): Promise<void> {
  const crds = plan.documents.filter((d) => d.kind === "CustomResourceDefinition");
  if (crds.length > 0) {
    options.log(`applying ${crds.length} CRDs`);
    const applied = run("kubectl", APPLY, stream(crds));
    if (applied.status !== 0) throw new InstallError(`could not apply the CRDs: ${applied.stderr.trim()}`);
    const established = run("kubectl", [
      "wait",
      "--for=condition=Established",
      "--timeout=60s",
      ...crds.map((c) => `customresourcedefinition.apiextensions.k8s.io/${c.name}`),
    ]);
    if (established.status !== 0)
      options.log(`  not all established yet, the passes below retry: ${established.stderr.trim()}`);
  }
  options.log("applying namespaces");
  const namespaces = run("kubectl", APPLY, stream(plan.documents.filter((d) => d.kind === "Namespace")));
  if (namespaces.status !== 0) throw new InstallError(`could not create namespaces: ${namespaces.stderr.trim()}`);
  options.log("applying the Secrets (from the cluster, through stdin)");
  const secrets = run("kubectl", APPLY, plan.secrets.map((s) => stringify(s, { lineWidth: 0 })).join("---\n"));
  if (secrets.status !== 0) throw new InstallError(`could not apply the Secrets: ${secrets.stderr.trim()}`);
  await applyUntilSettled(
    stream(plan.documents.filter((d) => d.kind !== "CustomResourceDefinition" && d.kind !== "Namespace")),
    options,
    run,
  );
}

const sameInventory = (recorded: Inventory | undefined, version: string, entries: readonly InventoryEntry[]) => {
  if (!recorded || recorded.version !== version) return false;
  const keys = (list: readonly InventoryEntry[]) => [...new Set(list.map(entryKey))].sort().join("\n");
  return keys(recorded.entries) === keys(entries);
};

export interface InstallOptions {
  readonly dryRun: boolean;
  readonly timeoutSeconds: number;
  readonly maxPasses: number;
  readonly pauseSeconds: number;
  readonly pollSeconds: number;
  readonly log: (line: string) => void;
  readonly sleep: (seconds: number) => Promise<void>;
  readonly now: () => number;
  /** The repository holding the render. @default the project root */
  readonly root?: string;
  /**
   * Asked with the plan after the no-op check and before anything is applied; false stops the install.
   * @default - no question: apply
   */
  readonly confirm?: (plan: readonly string[]) => Promise<boolean>;
  /**
   * Apply database passwords that differ from the ones the cluster's Secrets hold: only once the
   * databases have been set to them (README, "Rotate the generated credentials").
   * @default false: such a difference stops the install
   */
  readonly credentialsRotated?: boolean;
  /**
   * Remove a CRD the install no longer applies even when the cluster holds objects of it that no
   * install applied (users' TrainJobs, JobSets): they are deleted first, while their controllers
   * run, then the rest in order (holdCrdsWithObjects).
   * @default false: such a CRD is kept, with what its objects need, until a later install finds none
   */
  readonly pruneCrdsWithInstances?: boolean;
  /**
   * Remove the Kubeflow components the last install applied and kubeflow.components leaves out.
   * @default false: the install stops before changing anything, naming them
   */
  readonly removeComponents?: boolean;
}

/**
 * The databases' Secrets whose password a database keeps in its data once initialised (MySQL reads
 * MYSQL_ROOT_PASSWORD only when it initialises an empty data directory), by name and key. The
 * artifact store's keys are not here: SeaweedFS registers them at every start.
 */
export const DATABASE_PASSWORDS: readonly {
  readonly secret: string;
  readonly key: string;
  readonly database: string;
}[] = [
  { secret: "mysql-secret", key: "password", database: "deploy/mysql" },
  { secret: "katib-mysql-secrets", key: "MYSQL_ROOT_PASSWORD", database: "deploy/katib-mysql" },
];

/**
 * Databases whose Secret in the cluster holds another password than the one this install would
 * apply: applying it would lock their clients out (ml-pipeline, cache-server, metadata-grpc,
 * katib-db-manager: "Access denied") at their next start, since the database keeps the old one.
 * Only a Secret that does not exist is taken as no password yet; one that cannot be read stops the install.
 */
export function changedDatabasePasswords(secrets: readonly object[], run: Runner = runCommand): string[] {
  return DATABASE_PASSWORDS.flatMap(({ secret, key, database }) => {
    const planned = (
      secrets.find((s) => (s as { metadata?: { name?: string } }).metadata?.name === secret) as
        { stringData?: Record<string, string> } | undefined
    )?.stringData?.[key];
    if (planned === undefined) return []; // a component not selected: nothing of it is applied
    const current = readSecret(
      run,
      { namespace: "kubeflow", name: secret },
      `to compare the password ${database} keeps with the one the install would apply`,
    )?.[key];
    return planned !== undefined && current !== undefined && current !== planned
      ? [`kubeflow/${secret} (${database})`]
      : [];
  });
}

/**
 * The whole install: checks, plan, dry run or no-op, removal of what is no longer installed,
 * inventory, apply, wait. The inventory is written before the apply, so an apply that fails
 * half-way still leaves a record of everything it may have created.
 */
export async function install(
  options: InstallOptions,
  run: Runner = runCommand,
): Promise<"dry-run" | "unchanged" | "declined" | "installed"> {
  requireKubectl(run);
  requireCluster(run);
  const params = readInstallParams(run);
  // (buildOverlay checks the render against PROVENANCE before anything is read from it.)
  // Read before the build, so that an inventory that cannot be read stops the install at once.
  const recorded = readInventory(run) ?? null;
  return installPlanned(installPlan(params, installSecrets(run), run, options.root), options, run, recorded);
}

/** The install of a plan: everything install does after the checks and the build. */
export async function installPlanned(
  plan: InstallPlan,
  options: InstallOptions,
  run: Runner = runCommand,
  /** What the last install recorded; null: none. @default - read from the cluster */
  recorded: Inventory | null = readInventory(run) ?? null,
): Promise<"dry-run" | "unchanged" | "declined" | "installed"> {
  const owner = renderOwners(plan.version, options.root);
  const pruned = prunePlan(plan, run, options.root, recorded);
  // A removal consented to before, and held since (users' objects remain), needs no new consent.
  const consented = new Set(pruned.recorded?.removing ?? []);
  const leftOut = componentsRemoved(plan.version, pruned.remove, owner);
  const unconsented = leftOut.filter((c) => !consented.has(c.component));
  const componentsProblem =
    unconsented.length === 0 || options.removeComponents
      ? undefined
      : `kubeflow.components leaves out ${unconsented.map((c) => `${c.component} (${c.objects} objects)`).join(", ")}, ` +
        `which ${pruned.source === "legacy" ? "an install before the inventory existed applied (its workloads are there)" : "the last install applied"}: ` +
        "to keep them, add them to kubeflow.components in the config and deploy from the kubeflow stage " +
        "(npm run deploy -- --from kubeflow), which publishes the list to the install; to remove them, run " +
        "npm run deploy -- --from kubeflow-install --remove-components (or npm run kubeflow -- install --remove-components). " +
        "Nothing was removed or applied.";
  if (componentsProblem && !options.dryRun) throw new InstallError(componentsProblem);
  const pruning = holdCrdsWithObjects(pruned, run, options.pruneCrdsWithInstances ?? false, owner);
  const changed = options.credentialsRotated ? [] : changedDatabasePasswords(plan.secrets, run);
  const credentialsProblem =
    changed.length === 0
      ? undefined
      : `kube-system/kubeflow-credentials holds other database passwords than ${changed.join(" and ")}: ` +
        "the databases keep the passwords they were initialised with, so applying the new ones would lock " +
        "ml-pipeline, cache-server, metadata-grpc and katib-db-manager out (Access denied) at their next start. " +
        "If you are rotating them, set them in the databases first (README, Rotate the generated credentials) and " +
        "run the install with --credentials-rotated; if the kubeflow stage was destroyed with --delete-data while the " +
        "databases were kept, do the same with the new passwords. Nothing was applied.";
  if (options.dryRun) {
    for (const line of describePlan(plan, pruning)) options.log(line);
    if (componentsProblem) options.log(`the install would stop: ${componentsProblem}`);
    if (credentialsProblem) options.log(`the install would stop: ${credentialsProblem}`);
    return "dry-run";
  }
  if (credentialsProblem) throw new InstallError(credentialsProblem);
  const entries = [...planEntries(plan), ...pruning.keep, ...(pruning.held ?? [])];
  // The components being removed that are still held: the next install goes on removing them.
  const stillRemoving = [
    ...new Set(
      (pruning.held ?? [])
        .map(owner)
        .filter((o): o is KubeflowComponent => o !== undefined && o !== "core")
        .filter((o) => consented.has(o) || (options.removeComponents ?? false)),
    ),
  ];
  if (pruning.remove.length === 0 && isUnchanged(plan, run)) {
    for (const line of pruning.heldBecause ?? []) options.log(line);
    if (!sameInventory(pruning.recorded, plan.version, entries)) {
      recordInventory(plan.version, entries, run, stillRemoving);
      options.log(`recorded what is installed in ${INVENTORY_CONFIGMAP.namespace}/${INVENTORY_CONFIGMAP.name}`);
    }
    options.log(`Kubeflow ${plan.version} is installed as rendered: nothing to change, nothing applied.`);
    return "unchanged";
  }
  if (options.confirm && !(await options.confirm(describePlan(plan, pruning)))) return "declined";
  removeObjects(pruning, plan.version, options.log, run);
  recordInventory(plan.version, entries, run, stillRemoving);
  await applyPlan(plan, options, run);
  options.log(`waiting up to ${Math.round(options.timeoutSeconds / 60)} minutes for Kubeflow's workloads`);
  await waitForReady(workloadsOf(plan.documents), options, run);
  return "installed";
}

/**
 * Waits until the load balancer controller has given Kubeflow's Ingress an address (its ALB exists),
 * which the dns stage looks up. Returns the ALB's DNS name.
 */
export async function waitForIngressAddress(
  options: Pick<WaitOptions, "timeoutSeconds" | "pollSeconds" | "log" | "sleep" | "now">,
  run: Runner = runCommand,
): Promise<string> {
  const deadline = options.now() + options.timeoutSeconds * 1000;
  for (;;) {
    const result = run("kubectl", ["-n", INGRESS_NAMESPACE, "get", "ingress", INGRESS_NAME, "-o", "json"]);
    if (result.status === 0) {
      const status = (
        JSON.parse(result.stdout) as { status?: { loadBalancer?: { ingress?: { hostname?: string }[] } } }
      ).status;
      const hostname = status?.loadBalancer?.ingress?.[0]?.hostname;
      if (hostname) return hostname;
    }
    if (options.now() >= deadline) {
      const minutes = Math.round(options.timeoutSeconds / 60);
      throw new InstallError(
        `Ingress ${INGRESS_NAMESPACE}/${INGRESS_NAME} has no address after ${minutes} minute${minutes === 1 ? "" : "s"}: ` +
          "the load balancer controller has not made its ALB. Check its events (kubectl -n istio-system describe ingress kubeflow) " +
          "and logs (kubectl -n kube-system logs deploy/aws-load-balancer-controller).",
      );
    }
    options.log(`waiting for Ingress ${INGRESS_NAMESPACE}/${INGRESS_NAME} to get its ALB's address`);
    await options.sleep(options.pollSeconds);
  }
}

/** Removes Kubeflow in the order that lets controllers clean up behind themselves. */
export function uninstallSteps(rendered: string): { description: string; args: string[]; input?: string }[] {
  return [
    {
      // First, while the load balancer controller still runs: it deletes the ALB and its
      // security groups, which would otherwise keep the VPC from being deleted.
      description: `delete Ingress ${INGRESS_NAMESPACE}/${INGRESS_NAME} (the controller removes the ALB)`,
      args: [
        "-n",
        INGRESS_NAMESPACE,
        "delete",
        "ingress",
        INGRESS_NAME,
        "--ignore-not-found",
        "--wait=true",
        "--timeout=10m",
      ],
    },
    {
      description: "delete Kubeflow profiles (the profile controller removes their namespaces)",
      args: ["delete", "profiles.kubeflow.org", "--all", "--ignore-not-found", "--wait=true", "--timeout=10m"],
    },
    {
      description: "delete Kubeflow's workloads and configuration",
      args: ["delete", "-f", "-", "--ignore-not-found", "--wait=true", "--timeout=15m"],
      input: selectKinds(rendered, ["Namespace", "CustomResourceDefinition"], true),
    },
    {
      description: "delete Kubeflow's namespaces and CRDs",
      args: ["delete", "-f", "-", "--ignore-not-found", "--wait=true", "--timeout=15m"],
      input: selectKinds(rendered, ["Namespace", "CustomResourceDefinition"]),
    },
  ];
}

/**
 * Removes Kubeflow: the steps of uninstallSteps over this version's build, and, by name, what the
 * inventory records that the build does not have (objects an older build applied; the legacy
 * objects of the render when there is no inventory), then the inventory itself.
 */
export function uninstall(
  options: { readonly log: (line: string) => void; readonly root?: string },
  run: Runner = runCommand,
): void {
  requireKubectl(run);
  requireCluster(run);
  const [ingress] = uninstallSteps("");
  runStep(ingress, options.log, run);
  removeKubeflow(options, run);
}

function runStep(s: ReturnType<typeof uninstallSteps>[number], log: (line: string) => void, run: Runner): void {
  log(s.description);
  const result = run("kubectl", s.args, s.input);
  if (result.status !== 0) throw new InstallError(`${s.description} failed: ${result.stderr.trim()}`);
}

/**
 * Everything uninstall does after the Ingress (for callers that wait for the ALB to go in
 * between): profiles, what the inventory records beyond the build, the build, its namespaces and
 * CRDs, the recorded namespaces and CRDs, and the inventory.
 */
export function removeKubeflow(
  options: { readonly log: (line: string) => void; readonly root?: string },
  run: Runner = runCommand,
): void {
  // With the Secrets' identities (not their values), so that recorded Secrets are not taken for extras.
  const plan = installPlan(readInstallParams(run), placeholderSecrets(), run, options.root);
  const pruning = prunePlan(plan, run, options.root);
  const extra = deleteOrder([...pruning.remove, ...pruning.keep]);
  const last = (e: InventoryEntry) =>
    (groupOf(e.apiVersion) === "" && e.kind === "Namespace") ||
    (groupOf(e.apiVersion) === "apiextensions.k8s.io" && e.kind === "CustomResourceDefinition");
  const [, profiles, objects, namespacesAndCrds] = uninstallSteps(stream(plan.documents));
  runStep(profiles, options.log, run);
  // The objects of those CRDs that no install applied (users' TrainJobs), first, while their
  // controllers still run and clear their finalizers (holdCrdsWithObjects).
  const instances = holdCrdsWithObjects({ ...pruning, remove: extra, keep: [] }, run, true).instances ?? [];
  if (instances.length > 0) {
    options.log(
      `delete the ${instances.length} objects that no install applied of the CRDs the inventory records beyond this build, ` +
        "while their controllers run",
    );
    deleteObjects(instances, options.log, run);
  }
  if (extra.some((e) => !last(e))) {
    options.log("delete what earlier installs applied that this build does not have");
    deleteObjects(
      extra.filter((e) => !last(e)),
      options.log,
      run,
    );
  }
  runStep(objects, options.log, run);
  runStep(namespacesAndCrds, options.log, run);
  if (extra.some(last)) {
    options.log("delete the namespaces and CRDs earlier installs applied that this build does not have");
    deleteObjects(extra.filter(last), options.log, run);
  }
  const { namespace, name } = INVENTORY_CONFIGMAP;
  runStep(
    {
      description: `delete the inventory ${namespace}/${name}`,
      args: ["-n", namespace, "delete", "configmap", name, "--ignore-not-found"],
    },
    options.log,
    run,
  );
}

/** `--params` file: a mapping of the install ConfigMap's keys (see PARAM_KEYS). */
export function readParamsFile(text: string, file: string): Record<string, string> {
  const data = parse(text) as unknown;
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InstallError(`${file}: expected a mapping of parameters such as issuer-url: https://...`);
  }
  return Object.fromEntries(
    Object.entries(data as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]),
  );
}
