/**
 * The Kubeflow install step: everything `npm run kubeflow -- <command>` does, as functions. It runs
 * on the operator's machine between `cdktf deploy kubeflow` and `cdktf deploy dns`, and needs only
 * kubectl (with its built-in kustomize v5) and the cluster: it applies the committed render of the
 * pinned release (kustomize-out/kubeflow/<version>/, checked against upstream/PROVENANCE.json first)
 * with our overlay. No GitHub, no git. Secrets only ever pass through memory: they are read from
 * the cluster and applied through kubectl's standard input.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import {
  CREDENTIAL_KEYS,
  CREDENTIALS_SECRET,
  credentialSecrets,
  INSTALL_PARAMS_CONFIGMAP,
  OAUTH2_PROXY_SECRET,
  OIDC_CLIENT_SECRET,
  paramsFromConfigMapData,
  prepareOverlay,
  type KubeflowCredentials,
  type KubeflowInstallParams,
} from "../lib/kubeflow-overlay";
import { INGRESS_NAME, INGRESS_NAMESPACE } from "../lib/kubeflow";
import { renderDir, verifyRender } from "../lib/kubeflow-release";

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
      env: options.env,
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
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly text: string;
}

/**
 * The documents of kustomize's output. kustomize writes every top-level key unindented, so kind,
 * name and namespace are read from the text without parsing the large documents (CRDs).
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
  verifyRender(params.manifestsVersion, root);
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

function readSecret(run: Runner, ref: { namespace: string; name: string }): Record<string, string> | undefined {
  const result = run("kubectl", ["-n", ref.namespace, "get", "secret", ref.name, "-o", "json"]);
  if (result.status !== 0) return undefined;
  const data = (JSON.parse(result.stdout) as { data?: Record<string, string> }).data ?? {};
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}

/** This install's generated credentials, from the Secret the kubeflow stack wrote. */
export function readCredentials(run: Runner = runCommand): KubeflowCredentials {
  const data = readSecret(run, CREDENTIALS_SECRET);
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
  const client = readSecret(run, OIDC_CLIENT_SECRET);
  if (!client?.["client-id"] || !client["client-secret"]) {
    throw new InstallError(
      `Secret ${OIDC_CLIENT_SECRET.namespace}/${OIDC_CLIENT_SECRET.name} is missing or incomplete: deploy the kubeflow stack first`,
    );
  }
  const cookie = readSecret(run, OAUTH2_PROXY_SECRET)?.["cookie-secret"];
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
  readonly documents: readonly Document[];
  readonly secrets: readonly object[];
}

export function installPlan(
  params: KubeflowInstallParams,
  secrets: readonly object[],
  run: Runner = runCommand,
  root?: string,
): InstallPlan {
  return { version: params.manifestsVersion, documents: documentsOf(buildOverlay(params, run, root)), secrets };
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

interface WorkloadStatus {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string; readonly generation?: number };
  readonly spec: { readonly replicas?: number; readonly selector?: { matchLabels?: Record<string, string> } };
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

export interface WaitOptions {
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
  readonly log: (line: string) => void;
  readonly sleep: (seconds: number) => Promise<void>;
  readonly now: () => number;
}

/**
 * Waits until every workload is available, printing "n of N ready" and what is still waiting. On
 * timeout, throws naming the unready workloads and the last event of each of their pods.
 */
export async function waitForReady(
  workloads: readonly Workload[],
  options: WaitOptions,
  run: Runner = runCommand,
): Promise<void> {
  const deadline = options.now() + options.timeoutSeconds * 1000;
  const wanted = new Map(workloads.map((w) => [key(w), w]));
  let last: WorkloadStatus[] = [];
  for (;;) {
    const result = run("kubectl", ["get", "deployments,statefulsets,daemonsets", "--all-namespaces", "-o", "json"]);
    if (result.status !== 0) throw new InstallError(`cannot read the workloads' status: ${result.stderr.trim()}`);
    last = ((JSON.parse(result.stdout) as { items?: WorkloadStatus[] }).items ?? []).filter((o) =>
      wanted.has(key({ kind: o.kind as Workload["kind"], namespace: o.metadata.namespace, name: o.metadata.name })),
    );
    const ready = new Set(
      last.filter(isAvailable).map((o) => key({ kind: o.kind as Workload["kind"], ...o.metadata })),
    );
    const waiting = [...wanted.keys()].filter((k) => !ready.has(k));
    options.log(
      `${wanted.size - waiting.length} of ${wanted.size} ready` +
        (waiting.length > 0
          ? `; waiting for ${waiting.slice(0, 5).join(", ")}${waiting.length > 5 ? `, and ${waiting.length - 5} more` : ""}`
          : ""),
    );
    if (waiting.length === 0) return;
    if (options.now() >= deadline) {
      const details = waiting.map((k) => `  ${k}: ${lastPodEvent(wanted.get(k)!, last, run)}`);
      throw new InstallError(
        `${waiting.length} of ${wanted.size} workloads not ready after ${Math.round(options.timeoutSeconds / 60)} minutes:\n${details.join("\n")}\n` +
          "Check them with kubectl describe, then run the install again (it keeps what is applied).",
      );
    }
    await options.sleep(options.pollSeconds);
  }
}

/** The newest event of the workload's pods, or why there is none. */
function lastPodEvent(w: Workload, statuses: readonly WorkloadStatus[], run: Runner): string {
  const status = statuses.find(
    (o) => o.kind === w.kind && o.metadata.name === w.name && o.metadata.namespace === w.namespace,
  );
  if (!status) return "not found in the cluster";
  const labels = Object.entries(status.spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const pods = run("kubectl", ["-n", w.namespace, "get", "pods", "-l", labels.join(","), "-o", "json"]);
  const names =
    pods.status === 0
      ? ((JSON.parse(pods.stdout) as { items?: { metadata: { name: string } }[] }).items ?? []).map(
          (p) => p.metadata.name,
        )
      : [];
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

/** The plan as text, for --dry-run: what would be applied, and what the install would wait for. */
export function describePlan(plan: InstallPlan): string[] {
  const byKind = new Map<string, number>();
  for (const d of plan.documents) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1);
  const namespaces = plan.documents.filter((d) => d.kind === "Namespace").map((d) => d.name);
  const secrets = documentsOf(plan.secrets.map((s) => stringify(s)).join("---\n")).map(
    (d) => `${d.namespace}/${d.name}`,
  );
  return [
    `Kubeflow ${plan.version}: ${plan.documents.length} objects from the committed render and our overlay, plus ${secrets.length} Secrets`,
    `1. namespaces (${namespaces.length}): ${namespaces.join(", ")}`,
    `2. Secrets, through kubectl's standard input: ${secrets.join(", ")}`,
    `3. everything, server-side apply, until accepted: ${[...byKind]
      .sort()
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")}`,
    `4. wait until ${workloadsOf(plan.documents).length} Deployments, StatefulSets and DaemonSets are available`,
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
}

/** The whole install: checks, plan, dry run or no-op, apply, wait. */
export async function install(
  options: InstallOptions,
  run: Runner = runCommand,
): Promise<"dry-run" | "unchanged" | "declined" | "installed"> {
  requireKubectl(run);
  requireCluster(run);
  const params = readInstallParams(run);
  verifyRender(params.manifestsVersion, options.root);
  const plan = installPlan(params, installSecrets(run), run, options.root);
  if (options.dryRun) {
    for (const line of describePlan(plan)) options.log(line);
    return "dry-run";
  }
  if (isUnchanged(plan, run)) {
    options.log(`Kubeflow ${plan.version} is installed as rendered: nothing to change, nothing applied.`);
    return "unchanged";
  }
  if (options.confirm && !(await options.confirm(describePlan(plan)))) return "declined";
  options.log("applying namespaces");
  const namespaces = run("kubectl", APPLY, selectKinds(plan.documents.map((d) => d.text).join("---\n"), ["Namespace"]));
  if (namespaces.status !== 0) throw new InstallError(`could not create namespaces: ${namespaces.stderr.trim()}`);
  options.log("applying the Secrets (from the cluster, through stdin)");
  const secrets = run("kubectl", APPLY, plan.secrets.map((s) => stringify(s, { lineWidth: 0 })).join("---\n"));
  if (secrets.status !== 0) throw new InstallError(`could not apply the Secrets: ${secrets.stderr.trim()}`);
  await applyUntilSettled(plan.documents.map((d) => d.text).join("---\n"), options, run);
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
