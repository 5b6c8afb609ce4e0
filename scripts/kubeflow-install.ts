/**
 * The Kubeflow install step: everything `npm run kubeflow -- <command>` does, as functions.
 * It runs on the operator's machine between `cdktf deploy kubeflow` and `cdktf deploy dns`,
 * needs kubectl (with its built-in kustomize v5) pointed at the cluster, `tar`, and network
 * access to GitHub for the pinned upstream release. Secrets only ever pass through memory:
 * they are read from the cluster and applied through kubectl's standard input.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import {
  INSTALL_PARAMS_CONFIGMAP,
  OAUTH2_PROXY_SECRET,
  OIDC_CLIENT_SECRET,
  paramsFromConfigMapData,
  prepareOverlay,
  type KubeflowInstallParams,
} from "../lib/kubeflow-overlay";
import { INGRESS_NAME, INGRESS_NAMESPACE } from "../lib/kubeflow";

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Runner = (command: string, args: readonly string[], input?: string) => CommandResult;

/** Runs a command; a missing binary becomes status 127 with a message. */
export const runCommand: Runner = (command, args, input) => {
  const result = spawnSync(command, args, { input, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    return { status: 127, stdout: "", stderr: missing ? `${command}: command not found` : String(result.error) };
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
};

export class InstallError extends Error {}

/** Fails clearly when kubectl is missing. */
export function requireKubectl(run: Runner = runCommand): void {
  const result = run("kubectl", ["version", "--client", "-o", "json"]);
  if (result.status !== 0) {
    throw new InstallError(
      "kubectl is required (it renders the overlay with its built-in kustomize v5 and applies it). " +
        `Install kubectl 1.27 or newer and put it on PATH. (${result.stderr.trim()})`,
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

/** Where the pinned upstream release is unpacked. */
export function upstreamCacheDir(version: string, root = path.join(__dirname, "..", ".cache")): string {
  return path.join(root, "kubeflow-manifests", version);
}

export function upstreamTarballUrl(version: string): string {
  return `https://github.com/kubeflow/manifests/archive/refs/tags/${version}.tar.gz`;
}

/** Downloads and unpacks the pinned upstream release once; `KUBEFLOW_MANIFESTS_DIR` uses a local copy instead. */
export async function fetchUpstream(
  version: string,
  log: (line: string) => void,
  run: Runner = runCommand,
): Promise<string> {
  const local = process.env.KUBEFLOW_MANIFESTS_DIR;
  const dir = local ? path.resolve(local) : upstreamCacheDir(version);
  if (existsSync(path.join(dir, "example", "kustomization.yaml"))) return dir;
  if (local) throw new InstallError(`KUBEFLOW_MANIFESTS_DIR=${local} has no example/kustomization.yaml`);
  const url = upstreamTarballUrl(version);
  log(`downloading ${url}`);
  const response = await fetch(url);
  if (!response.ok) throw new InstallError(`download of ${url} failed: HTTP ${response.status}`);
  const archive = path.join(mkdtempSync(path.join(tmpdir(), "kf-manifests-")), "manifests.tar.gz");
  writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
  mkdirSync(dir, { recursive: true });
  const untar = run("tar", ["-xzf", archive, "-C", dir, "--strip-components=1"]);
  rmSync(path.dirname(archive), { recursive: true, force: true });
  if (untar.status !== 0 || !existsSync(path.join(dir, "example", "kustomization.yaml"))) {
    rmSync(dir, { recursive: true, force: true });
    throw new InstallError(`could not unpack ${url}: ${untar.stderr.trim() || "no example/kustomization.yaml inside"}`);
  }
  return dir;
}

/** Renders our overlay over the upstream release; returns the multi-document YAML. */
export function renderOverlay(upstreamDir: string, params: KubeflowInstallParams, run: Runner = runCommand): string {
  const work = mkdtempSync(path.join(tmpdir(), "kf-overlay-"));
  try {
    const overlay = prepareOverlay(work, upstreamDir, params);
    const result = run("kubectl", ["kustomize", overlay]);
    if (result.status !== 0) throw new InstallError(`kubectl kustomize failed:\n${result.stderr.trim()}`);
    return result.stdout;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The documents of a rendered build whose kind is one of `kinds` (or not, with `invert`). */
export function selectKinds(rendered: string, kinds: readonly string[], invert = false): string {
  const docs = parseAllDocuments(rendered)
    .map((d) => d.toJS() as { kind?: string } | null)
    .filter((d): d is { kind?: string } => d !== null && typeof d === "object")
    .filter((d) => kinds.includes(String(d.kind)) !== invert);
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
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
): string {
  // oauth2-proxy accepts a base64 encoding of 32 random bytes (AES-256).
  const cookieSecret = existingCookieSecret ?? randomBytes(32).toString("base64url");
  return stringify({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: OAUTH2_PROXY_SECRET.name, namespace: OAUTH2_PROXY_SECRET.namespace },
    type: "Opaque",
    data: {
      "client-id": Buffer.from(clientId).toString("base64"),
      "client-secret": Buffer.from(clientSecret).toString("base64"),
      "cookie-secret": Buffer.from(cookieSecret).toString("base64"),
    },
  });
}

function readSecret(run: Runner, ref: { namespace: string; name: string }): Record<string, string> | undefined {
  const result = run("kubectl", ["-n", ref.namespace, "get", "secret", ref.name, "-o", "json"]);
  if (result.status !== 0) return undefined;
  const data = (JSON.parse(result.stdout) as { data?: Record<string, string> }).data ?? {};
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}

/** Creates or updates oauth2-proxy's Secret through stdin; the cookie secret survives re-runs. */
export function applyOauth2ProxySecret(run: Runner = runCommand): void {
  const client = readSecret(run, OIDC_CLIENT_SECRET);
  if (!client?.["client-id"] || !client["client-secret"]) {
    throw new InstallError(
      `Secret ${OIDC_CLIENT_SECRET.namespace}/${OIDC_CLIENT_SECRET.name} is missing or incomplete: deploy the kubeflow stack first`,
    );
  }
  const existing = readSecret(run, OAUTH2_PROXY_SECRET)?.["cookie-secret"];
  const manifest = oauth2ProxySecretManifest(client["client-id"], client["client-secret"], existing);
  const result = run("kubectl", ["apply", "--server-side", "--force-conflicts", "-f", "-"], manifest);
  if (result.status !== 0) throw new InstallError(`could not apply the oauth2-proxy Secret: ${result.stderr.trim()}`);
}

export interface LoopOptions {
  readonly maxPasses: number;
  readonly pauseSeconds: number;
  readonly log: (line: string) => void;
  readonly sleep: (seconds: number) => Promise<void>;
}

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
    const result = run("kubectl", ["apply", "--server-side", "--force-conflicts", "-f", "-"], rendered);
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
