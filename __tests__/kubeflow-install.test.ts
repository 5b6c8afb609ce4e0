/**
 * The install step end to end against a fake kubectl (kustomize itself is the real one). Branches
 * run over a tiny render laid out like the committed one in a temporary root, so they are quick:
 * the checks before anything is applied, the plan, the no-op, the readiness wait. What is applied,
 * in which order, and what is removed is checked on the build of the committed 26.03 render, built
 * once for the file, against the render's own files.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import {
  CREDENTIAL_KEYS,
  CREDENTIALS_SECRET,
  INSTALL_PARAMS_CONFIGMAP,
  OAUTH2_PROXY_SECRET,
  OIDC_CLIENT_SECRET,
  paramsFromConfigMapData,
  paramsToConfigMapData,
  type KubeflowInstallParams,
} from "../lib/kubeflow-overlay";
import { KUBEFLOW_ENTRY, KUBEFLOW_REMOTE_BASES, renderHeader } from "../lib/kubeflow-release";
import { provenanceEntry, sha256 } from "../lib/provenance";
import { renderParams } from "../scripts/kubeflow";
import {
  applyUntilSettled,
  changedDatabasePasswords,
  deleteObjects,
  documentsOf,
  inApplyOrder,
  install,
  InstallError,
  installPlan,
  installPlanned,
  installSecrets,
  isAvailable,
  oauth2ProxySecretManifest,
  placeholderSecrets,
  requireKubectl,
  runCommand,
  selectKinds,
  selects,
  summarizeApply,
  uninstall,
  uninstallSteps,
  waitForIngressAddress,
  waitForReady,
  workloadsOf,
  writePlan,
  type CommandResult,
  type InstallOptions,
  type InstallPlan,
  type PodStatus,
  type Runner,
  type Workload,
} from "../scripts/kubeflow-install";
import { TEST_PARAMS } from "./fixtures/kubeflow-params";
import { cachingKustomize } from "./kustomize-cache";

const ok = (stdout = ""): CommandResult => ({ status: 0, stdout, stderr: "" });
const b64 = (s: string) => Buffer.from(s).toString("base64");

const OBJECTS = [
  "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubeflow\n",
  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ml-pipeline\n  namespace: kubeflow\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: ml-pipeline\n  template:\n    metadata:\n      labels:\n        app: ml-pipeline\n    spec:\n      containers:\n      - image: example/api:1\n        name: api\n",
  "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: metadata\n  namespace: kubeflow\nspec:\n  selector:\n    matchLabels:\n      app: metadata\n  template:\n    metadata:\n      labels:\n        app: metadata\n    spec:\n      containers:\n      - image: example/md:1\n        name: md\n",
];

/** A repository root holding a render of `version` and its PROVENANCE entry. */
function fixtureRoot(version = TEST_PARAMS.manifestsVersion): string {
  const root = mkdtempSync(path.join(tmpdir(), "kf-install-root-"));
  const dir = path.join(root, "kustomize-out", "kubeflow", version);
  mkdirSync(dir, { recursive: true });
  mkdirSync(path.join(root, "upstream"));
  const files = new Map<string, string>();
  OBJECTS.forEach((o, i) => files.set(`object-${i}.yaml`, o));
  // The remote bases as the project pins them; the release itself at a made-up commit.
  const bases = KUBEFLOW_REMOTE_BASES.map((b) => provenanceEntry(b.entry));
  const release = {
    name: KUBEFLOW_ENTRY,
    version,
    repository: "kubeflow/manifests",
    ref: version,
    refKind: "tag" as const,
    commit: "0".repeat(40),
  };
  const header = renderHeader({ ...release, files: [], images: [] }, bases, "v5").map((l) => `# ${l}\n`);
  const list = [...files.keys()].map((f) => `  - ${f}\n`);
  // Every object as the platform core's (a resource of 26.03's example), so no selection drops one.
  files.set("sources.json", JSON.stringify({ "../common/kubeflow-namespace/base": [...files.keys()] }));
  files.set(
    "kustomization.yaml",
    `${header.join("")}apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${list.join("")}`,
  );
  for (const [f, c] of files) writeFileSync(path.join(dir, f), c);
  const entry = {
    ...release,
    files: [...files]
      .map(([f, c]) => ({ path: `kustomize-out/kubeflow/${version}/${f}`, sha256: sha256(c) }))
      .sort((a, b) => a.path.localeCompare(b.path)),
    images: [],
  };
  writeFileSync(path.join(root, "upstream", "PROVENANCE.json"), JSON.stringify([entry, ...bases]));
  return root;
}

interface WorkloadItem {
  kind: string;
  metadata: { name: string; namespace: string; generation?: number };
  spec: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: Record<string, number>;
}

/** A workload's status as the API reports it, available or not. */
function workloadItem(w: Workload, available: boolean, labels: Record<string, string> = { app: w.name }): WorkloadItem {
  const n = available ? 1 : 0;
  return {
    kind: w.kind,
    metadata: { name: w.name, namespace: w.namespace, generation: 1 },
    spec: { replicas: 1, selector: { matchLabels: labels } },
    status:
      w.kind === "DaemonSet"
        ? { observedGeneration: 1, desiredNumberScheduled: 1, numberAvailable: n, updatedNumberScheduled: 1 }
        : { observedGeneration: 1, availableReplicas: n, readyReplicas: n, updatedReplicas: 1 },
  };
}

interface FakeCluster {
  reachable?: boolean;
  params?: KubeflowInstallParams;
  unchanged?: boolean;
  /** How many status polls before everything is available (Infinity: never). */
  readyAfterPolls?: number;
  /** The workloads' statuses instead of the fixture's two. */
  workloads?: (poll: number) => WorkloadItem[];
  /** The pods' statuses at each poll. */
  pods?: (poll: number) => PodStatus[];
  /** The inventory ConfigMap's data, if one exists; an apply of the inventory replaces it. */
  inventory?: Record<string, string>;
  /** Namespaces that exist before the install. */
  namespaces?: readonly string[];
  /** Objects that exist, as "Type name namespace" (kubectl delete's arguments). */
  existing?: Set<string>;
  /** Types kubectl no longer knows (their CRD is gone). */
  goneTypes?: readonly string[];
  /** Secrets in the kubeflow namespace from an earlier install, by name. */
  kubeflowSecrets?: Record<string, Record<string, string>>;
  /** What kubectl prints when reading a Secret in the kubeflow namespace fails, by name. */
  kubeflowSecretErrors?: Record<string, string>;
  /** Objects of CRDs that no install applied (users' TrainJobs, JobSets), by CRD name; they exist until deleted. */
  instances?: Record<string, readonly ClusterObject[]>;
  /** The finalizers that keep an object ("Type name namespace") from going while the cluster is as it is, if any. */
  stuck?: (id: string, has: (id: string) => boolean) => readonly string[] | undefined;
}

/** An object in the fake cluster. */
interface ClusterObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** The real kustomize, remembered by its inputs (kubeflow-overlay.test.ts builds the same overlay). */
const kustomize = cachingKustomize();

/** A kubectl that answers like a cluster, records every call, and really runs kustomize. */
function fakeKubectl(cluster: FakeCluster = {}) {
  const calls: { args: readonly string[]; input?: string }[] = [];
  let polls = 0;
  let inventory = cluster.inventory;
  const existing = cluster.existing ?? new Set<string>();
  for (const o of Object.values(cluster.instances ?? {}).flat()) existing.add(deleteId(o));
  const terminating = new Set<string>();
  /** The object as kubectl get -o json shows it. */
  const shown = (o: ClusterObject, id: string, clusterScoped = false) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: o.name,
      ...(o.namespace && !clusterScoped ? { namespace: o.namespace } : {}),
      ...(terminating.has(id)
        ? { deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: cluster.stuck?.(id, (x) => existing.has(x)) ?? [] }
        : {}),
    },
    status: { availableReplicas: 1 },
  });
  const secret = (data: Record<string, string>) =>
    ok(JSON.stringify({ data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) }));
  const runner: Runner = (command, args, input) => {
    calls.push({ args, input });
    if (command !== "kubectl") return runCommand(command, args, input);
    const a = args.join(" ");
    if (args[0] === "kustomize") return kustomize(command, args, input);
    if (a.startsWith("version --client")) return ok("{}");
    if (a === "get --raw /readyz")
      return cluster.reachable === false ? { status: 1, stdout: "", stderr: "dial tcp: i/o timeout" } : ok("ok");
    if (a.includes(`get configmap ${INSTALL_PARAMS_CONFIGMAP.name}`))
      return ok(JSON.stringify({ data: paramsToConfigMapData(cluster.params ?? TEST_PARAMS) }));
    if (a === "-n kube-system get configmap kubeflow-install-inventory --ignore-not-found -o json")
      return ok(inventory ? JSON.stringify({ data: inventory }) : "");
    if (a.startsWith("-n kubeflow get secret ")) {
      const error = cluster.kubeflowSecretErrors?.[args[4]];
      if (error) return { status: 1, stdout: "", stderr: `${error}\n` };
      const data = cluster.kubeflowSecrets?.[args[4]];
      if (data) return secret(data);
      // kubectl get drops NotFound with --ignore-not-found and prints nothing (kubectl v0.32.4 pkg/cmd/get/get.go:477, :728).
      return args.includes("--ignore-not-found")
        ? ok("")
        : { status: 1, stdout: "", stderr: `Error from server (NotFound): secrets "${args[4]}" not found\n` };
    }
    if (a.includes(`get secret ${OIDC_CLIENT_SECRET.name}`))
      return secret({ "client-id": "cid", "client-secret": "csecret" });
    if (a.includes(`get secret ${OAUTH2_PROXY_SECRET.name}`)) return secret({ "cookie-secret": "stand-in-cookie" });
    if (a.includes(`get secret ${CREDENTIALS_SECRET.name}`))
      return secret(Object.fromEntries(Object.values(CREDENTIAL_KEYS).map((k) => [k, `value-of-${k}`])));
    if (args[0] === "get" && args[1] === "namespaces")
      return ok(
        args
          .slice(2)
          .filter((n) => (cluster.namespaces ?? []).includes(n))
          .map((n) => `namespace/${n}\n`)
          .join(""),
      );
    // The workloads in every namespace, by name: those of the render the cluster has.
    if (a === "get deployments.apps,statefulsets.apps --all-namespaces -o name")
      return ok(
        renderObjects()
          .filter((o) => ["Deployment", "StatefulSet"].includes(o.kind) && existing.has(deleteId(o)))
          .map((o) => `${o.kind.toLowerCase()}.apps/${o.name}\n`)
          .join(""),
      );
    // The objects of a CRD (named <plural>.<group>), in every namespace.
    if (args[0] === "get" && args[1].includes(".") && args[2] === "--all-namespaces") {
      if ((cluster.goneTypes ?? []).includes(args[1]))
        return { status: 1, stdout: "", stderr: `error: the server doesn't have a resource type "${args[1]}"\n` };
      const render = renderObjects().filter((o) => o.kind !== "CustomResourceDefinition");
      const all = [...render, ...(cluster.instances?.[args[1]] ?? [])].filter(
        (o) => `${o.kind.toLowerCase()}s.${groupOf(o.apiVersion)}` === args[1] && existing.has(deleteId(o)),
      );
      // The API shows a cluster-scoped object without a namespace, whatever the render gave it.
      const scoped = crdScope(args[1]) === "Cluster";
      return ok(
        JSON.stringify({ apiVersion: "v1", kind: "List", items: all.map((o) => shown(o, deleteId(o), scoped)) }),
      );
    }
    // One object by type and name.
    if (args[0] === "get" && args.includes("--ignore-not-found") && /^[A-Z]/.test(args[1])) {
      const id = deleteIdOfCall(args);
      const [type, name] = args.slice(1, 3);
      const group = type.includes(".") ? type.slice(type.indexOf(".") + 1) : "";
      const kind = type.split(".")[0];
      const namespace = args.includes("-n") ? args[args.indexOf("-n") + 1] : undefined;
      return ok(
        existing.has(id)
          ? JSON.stringify(shown({ apiVersion: group ? `${group}/v1` : "v1", kind, namespace, name }, id))
          : "",
      );
    }
    if (args[0] === "diff") return cluster.unchanged ? ok() : { status: 1, stdout: "diff", stderr: "" };
    if (args[0] === "apply") {
      // The first document only (a stream joins documents ending in a newline with "---\n"), without splitting megabytes.
      const end = input!.indexOf("\n---\n");
      const first = end < 0 ? input! : input!.slice(0, end + 1);
      if (/^kind: ConfigMap$/m.test(first) && first.includes("name: kubeflow-install-inventory"))
        inventory = (parse(first) as { data: Record<string, string> }).data;
      return ok("x serverside-applied\n");
    }
    if (args[0] === "wait") return ok();
    if (args[0] === "delete" && args[1] !== "-f" && !a.startsWith("delete profiles")) {
      const [type, name] = args.slice(1, 3);
      if ((cluster.goneTypes ?? []).includes(type))
        return { status: 1, stdout: "", stderr: `error: the server doesn't have a resource type "${type}"` };
      const id = deleteIdOfCall(args);
      if (existing.has(id) && cluster.stuck?.(id, (x) => existing.has(x))?.length) {
        // kubectl delete --wait gives up after --timeout (kubectl v0.32.4 pkg/cmd/wait/condition.go:186-188).
        terminating.add(id);
        return {
          status: 1,
          stdout: `${type} "${name}" deleted\n`,
          stderr: `error: timed out waiting for the condition on ${kindPlural(type)}/${name}\n`,
        };
      }
      return ok(existing.delete(id) ? `${type} "${name}" deleted\n` : "");
    }
    if (args[0] === "delete" || a.includes(" delete ")) return ok();
    if (a.startsWith("get deployments,statefulsets,daemonsets")) {
      polls++;
      if (cluster.workloads) return ok(JSON.stringify({ items: cluster.workloads(polls) }));
      const ready = polls > (cluster.readyAfterPolls ?? 0);
      return ok(
        JSON.stringify({
          items: [
            {
              kind: "Deployment",
              metadata: { name: "ml-pipeline", namespace: "kubeflow", generation: 1 },
              spec: { replicas: 2, selector: { matchLabels: { app: "ml-pipeline" } } },
              status: { observedGeneration: 1, availableReplicas: ready ? 2 : 1, updatedReplicas: 2 },
            },
            {
              kind: "StatefulSet",
              metadata: { name: "metadata", namespace: "kubeflow", generation: 1 },
              spec: { replicas: 1, selector: { matchLabels: { app: "metadata" } } },
              status: { observedGeneration: 1, readyReplicas: 1, updatedReplicas: 1 },
            },
          ],
        }),
      );
    }
    if (a === "get pods --all-namespaces -o json") {
      const pods: PodStatus[] = cluster.pods?.(polls) ?? [
        { metadata: { name: "ml-pipeline-abc", namespace: "kubeflow", labels: { app: "ml-pipeline" } } },
      ];
      return ok(JSON.stringify({ items: pods }));
    }
    if (a.includes("get events"))
      return ok(
        JSON.stringify({
          items: [
            {
              involvedObject: { name: "ml-pipeline-abc" },
              reason: "Scheduled",
              message: "ok",
              lastTimestamp: "2026-01-01T00:00:00Z",
            },
            {
              involvedObject: { name: "ml-pipeline-abc" },
              reason: "BackOff",
              message: "Back-off pulling image",
              lastTimestamp: "2026-01-01T00:05:00Z",
            },
          ],
        }),
      );
    throw new Error(`unexpected kubectl ${a}`);
  };
  const applied = () => calls.filter((c) => c.args[0] === "apply");
  const deleted = () => calls.filter((c) => c.args[0] === "delete" && c.args[1] !== "-f");
  return { runner, calls, applied, deleted, inventory: () => inventory };
}

function options(
  root: string | undefined,
  overrides: Partial<InstallOptions> = {},
): InstallOptions & { lines: string[] } {
  const lines: string[] = [];
  let clock = 0;
  return {
    dryRun: false,
    timeoutSeconds: 60,
    maxPasses: 3,
    pauseSeconds: 0,
    pollSeconds: 15,
    log: (l) => lines.push(l),
    sleep: async (s) => {
      clock += s * 1000;
    },
    now: () => clock,
    root,
    lines,
    ...overrides,
  };
}

let installed: { root: string; inventory: Record<string, string> } | undefined;
/** A fixture root and the inventory its first install recorded, made once for the file. */
async function installedFixture(): Promise<{ root: string; inventory: Record<string, string> }> {
  if (!installed) {
    const root = fixtureRoot();
    const first = fakeKubectl();
    await install(options(root), first.runner);
    installed = { root, inventory: first.inventory()! };
  }
  return installed;
}

/** One inventory line, as the ConfigMap's "objects" key holds them. */
const inventoryLine = (o: { apiVersion: string; kind: string; namespace?: string; name: string }) =>
  JSON.stringify({
    apiVersion: o.apiVersion,
    kind: o.kind,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    name: o.name,
  });

describe("Kubeflow install step", () => {
  it("fails clearly when kubectl is missing", () => {
    const missing: Runner = () => ({ status: 127, stdout: "", stderr: "kubectl: command not found" });
    expect(() => requireKubectl(missing)).toThrow(InstallError);
    expect(() => requireKubectl(missing)).toThrow(/kubectl is required .* Install kubectl 1\.27 or newer/);
  });

  it("stops before applying anything when a database's Secret holds another password than the one it would apply", async () => {
    const earlier = { "mysql-secret": { username: "root", password: "stand-in-password-the-database-has" } };
    const kubectl = fakeKubectl({ kubeflowSecrets: earlier });
    const error = (await install(options(fixtureRoot()), kubectl.runner).catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(InstallError);
    expect(error.message).toMatch(
      /^kube-system\/kubeflow-credentials holds other database passwords than kubeflow\/mysql-secret \(deploy\/mysql\): .*Access denied.*--credentials-rotated.*Nothing was applied\.$/,
    );
    expect(kubectl.applied()).toEqual([]);
    // The same password, or a rotation done in the database first, goes ahead.
    const same = { "mysql-secret": { username: "root", password: `value-of-${CREDENTIAL_KEYS.kfpMysqlPassword}` } };
    await expect(
      install(options(fixtureRoot()), fakeKubectl({ kubeflowSecrets: same, readyAfterPolls: 0 }).runner),
    ).resolves.toBe("installed");
    await expect(
      install(
        { ...options(fixtureRoot()), credentialsRotated: true },
        fakeKubectl({ kubeflowSecrets: earlier, readyAfterPolls: 0 }).runner,
      ),
    ).resolves.toBe("installed");
    // --dry-run says it would stop.
    const lines: string[] = [];
    await install(
      { ...options(fixtureRoot()), dryRun: true, log: (l) => lines.push(l) },
      fakeKubectl({ kubeflowSecrets: earlier }).runner,
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^the install would stop: kube-system\/kubeflow-credentials holds other/),
    );
  });

  it("takes only a Secret that does not exist as absent: one it cannot read stops the install before anything is applied", async () => {
    // Absent, as on a first install, is the other tests' case (the fake answers --ignore-not-found as kubectl
    // does); a kubectl that reports NotFound all the same means absent too.
    const reportsNotFound: Runner = (_command, args) => ({
      status: 1,
      stdout: "",
      stderr: `Error from server (NotFound): secrets "${args[4]}" not found\n`,
    });
    expect(changedDatabasePasswords(placeholderSecrets(), reportsNotFound)).toEqual([]);
    // Forbidden, or no answer: the install cannot tell what the database holds, so it stops.
    const plan: InstallPlan = { version: TEST_PARAMS.manifestsVersion, documents: [], secrets: placeholderSecrets() };
    const forbidden =
      'Error from server (Forbidden): secrets "mysql-secret" is forbidden: User "dev" cannot get resource "secrets" in API group "" in the namespace "kubeflow"';
    const denied = fakeKubectl({ kubeflowSecretErrors: { "mysql-secret": forbidden } });
    const error = (await installPlanned(plan, options(undefined), denied.runner, null).catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(InstallError);
    expect(error.message).toBe(
      "cannot read Secret kubeflow/mysql-secret (to compare the password deploy/mysql keeps with the one the install " +
        `would apply): ${forbidden}. Nothing was applied. Check that kubectl points at the cluster and that you may ` +
        "read Secrets there (kubectl auth can-i get secrets -n kubeflow), then run the install again.",
    );
    expect(denied.applied()).toEqual([]);
    expect(denied.deleted()).toEqual([]);
    const timeout = "Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout";
    const unreachable = fakeKubectl({ kubeflowSecretErrors: { "katib-mysql-secrets": timeout } });
    await expect(installPlanned(plan, options(undefined), unreachable.runner, null)).rejects.toThrow(
      `cannot read Secret kubeflow/katib-mysql-secrets (to compare the password deploy/katib-mysql keeps with the one the install would apply): ${timeout}. Nothing was applied.`,
    );
    expect(unreachable.applied()).toEqual([]);
  });

  it("round-trips its parameters through the ConfigMap the kubeflow stack writes", () => {
    expect(paramsFromConfigMapData(paramsToConfigMapData(TEST_PARAMS))).toEqual(TEST_PARAMS);
    const withoutHost: Record<string, string | undefined> = { ...paramsToConfigMapData(TEST_PARAMS), host: undefined };
    expect(() => paramsFromConfigMapData(withoutHost)).toThrow(/has no key "host"; deploy the kubeflow stack again/);
  });

  it("installs: records what it applies, then namespaces, the Secrets through stdin, everything, then waits until every workload is available", async () => {
    const root = fixtureRoot();
    const kubectl = fakeKubectl({ readyAfterPolls: 1 });
    const opts = options(root);
    await expect(install(opts, kubectl.runner)).resolves.toBe("installed");
    const [inventory, namespaces, secrets, everything, ...more] = kubectl.applied();
    expect(more).toEqual([]);
    expect(namespaces.args).toEqual([
      "apply",
      "--server-side",
      "--force-conflicts",
      "--field-manager",
      "kubeflow-install",
      "-f",
      "-",
    ]);
    // The fixture's render has one Namespace (OBJECTS[0]), and the overlay adds none.
    expect(documentsOf(namespaces.input!).map((d) => `${d.kind}/${d.name}`)).toEqual(["Namespace/kubeflow"]);
    expect(documentsOf(everything.input!).filter((d) => d.kind === "Namespace")).toEqual([]);
    // The inventory records every object applied after it, Secrets included, and nothing else.
    const recorded = (parse(inventory.input!) as { data: { objects: string } }).data.objects
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string; namespace?: string; name: string })
      .map((o) => `${o.kind}/${o.namespace ?? ""}/${o.name}`)
      .sort();
    const appliedAfter = [namespaces, secrets, everything]
      .flatMap((c) => documentsOf(c.input!))
      .map((d) => `${d.kind}/${d.namespace ?? ""}/${d.name}`)
      .sort();
    expect(recorded).toEqual(appliedAfter);
    expect(recorded).toContain("Deployment/kubeflow/ml-pipeline");
    expect(recorded).toContain("Secret/kubeflow/mysql-secret");
    // No database Secret yet: kubectl prints nothing for one that does not exist, and the install goes ahead.
    expect(kubectl.calls.map((c) => c.args.join(" "))).toContain(
      "-n kubeflow get secret mysql-secret --ignore-not-found -o json",
    );
    const applied = documentsOf(secrets.input!).map((d) => `${d.namespace}/${d.name}`);
    expect(applied).toEqual([
      "oauth2-proxy/oauth2-proxy-credentials",
      "kubeflow/mysql-secret",
      "kubeflow/katib-mysql-secrets",
      "kubeflow/mlpipeline-minio-artifact",
    ]);
    const kfp = parse(documentsOf(secrets.input!)[1].text) as { stringData: Record<string, string> };
    expect(kfp.stringData).toEqual({ username: "root", password: `value-of-${CREDENTIAL_KEYS.kfpMysqlPassword}` });
    const cookie = (parse(documentsOf(secrets.input!)[0].text) as { data: Record<string, string> }).data[
      "cookie-secret"
    ];
    expect(Buffer.from(cookie, "base64").toString()).toBe("stand-in-cookie");
    expect(documentsOf(everything.input!).map((d) => d.name)).toEqual(
      expect.arrayContaining(["ml-pipeline", "metadata", "cognito-jwt", "kubeflow"]),
    );
    // No secret value is ever written in the plan's documents.
    expect(everything.input).not.toContain("value-of-");
    expect(opts.lines.filter((l) => /of 2 ready/.test(l))).toEqual([
      "1 of 2 ready; waiting for Deployment/kubeflow/ml-pipeline",
      "2 of 2 ready",
    ]);
  });

  it("--dry-run prints the plan and applies nothing", async () => {
    const kubectl = fakeKubectl();
    const opts = options(fixtureRoot(), { dryRun: true });
    await expect(install(opts, kubectl.runner)).resolves.toBe("dry-run");
    expect(kubectl.applied()).toEqual([]);
    expect(opts.lines[0]).toMatch(
      /^Kubeflow 26\.03: \d+ objects from the committed render and our overlay, plus 4 Secrets$/,
    );
    expect(opts.lines.join("\n")).toMatch(
      /5\. Secrets, through kubectl's standard input: oauth2-proxy\/oauth2-proxy-credentials, kubeflow\/mysql-secret/,
    );
    expect(opts.lines.join("\n")).toMatch(/7\. wait until 2 Deployments, StatefulSets and DaemonSets are available/);
    expect(opts.lines).toContain("1. remove: nothing (no inventory of an earlier install)");
  });

  it("a second install with nothing changed says so and applies nothing", async () => {
    const { root, inventory } = await installedFixture();
    const kubectl = fakeKubectl({ unchanged: true, inventory });
    const opts = options(root);
    await expect(install(opts, kubectl.runner)).resolves.toBe("unchanged");
    expect(kubectl.applied()).toEqual([]);
    expect(kubectl.deleted()).toEqual([]);
    const diff = kubectl.calls.find((c) => c.args[0] === "diff")!;
    expect(diff.args).toEqual([
      "diff",
      "--server-side",
      "--force-conflicts",
      "--field-manager",
      "kubeflow-install",
      "-f",
      "-",
    ]);
    expect(opts.lines).toContain("Kubeflow 26.03 is installed as rendered: nothing to change, nothing applied.");
  });

  it("asks before applying when given a question (npm run deploy without --yes), and a no stops it", async () => {
    const kubectl = fakeKubectl();
    const asked: (readonly string[])[] = [];
    const opts = options(fixtureRoot(), { confirm: async (plan) => (asked.push(plan), false) });
    await expect(install(opts, kubectl.runner)).resolves.toBe("declined");
    expect(kubectl.applied()).toEqual([]);
    expect(asked).toHaveLength(1);
    expect(asked[0][0]).toMatch(/^Kubeflow 26\.03: \d+ objects/);
    // Nothing to change: not even asked (the inventory, missing here, is recorded without asking).
    const unchanged = options(fixtureRoot(), { confirm: async (plan) => (asked.push(plan), true) });
    const quiet = fakeKubectl({ unchanged: true });
    await expect(install(unchanged, quiet.runner)).resolves.toBe("unchanged");
    expect(asked).toHaveLength(1);
    expect(quiet.applied().map((c) => documentsOf(c.input!).map((d) => `${d.kind}/${d.name}`))).toEqual([
      ["ConfigMap/kubeflow-install-inventory"],
    ]);
  });

  it("waits for the Ingress's ALB address, and names where to look when it never comes", async () => {
    let looks = 0;
    const ingress: Runner = () => {
      looks++;
      const lb = looks >= 3 ? { ingress: [{ hostname: "k8s-kubeflow-1.elb.example" }] } : {};
      return { status: 0, stdout: JSON.stringify({ status: { loadBalancer: lb } }), stderr: "" };
    };
    const opts = options(fixtureRoot(), { timeoutSeconds: 600 });
    await expect(waitForIngressAddress(opts, ingress)).resolves.toBe("k8s-kubeflow-1.elb.example");
    expect(opts.lines.filter((l) => l.includes("to get its ALB's address"))).toHaveLength(2);
    const never: Runner = () => ({ status: 0, stdout: JSON.stringify({ status: {} }), stderr: "" });
    await expect(waitForIngressAddress(options(fixtureRoot(), { timeoutSeconds: 60 }), never)).rejects.toThrow(
      /Ingress istio-system\/kubeflow has no address after 1 minute: .*kubectl -n istio-system describe ingress kubeflow/,
    );
  });

  it("refuses a tampered render, naming the file and both sums, and applies nothing", async () => {
    const root = fixtureRoot();
    const file = path.join(root, "kustomize-out", "kubeflow", "26.03", "object-1.yaml");
    const recorded = sha256(readFileSync(file));
    writeFileSync(file, readFileSync(file, "utf8").replace("replicas: 2", "replicas: 20"));
    const kubectl = fakeKubectl();
    const error = await install(options(root), kubectl.runner).catch((e: Error) => e);
    expect(String(error)).toContain("kustomize-out/kubeflow/26.03/object-1.yaml: sha256 ");
    expect(String(error)).toContain(`recorded ${recorded}`);
    expect(String(error)).toMatch(/nothing was applied/);
    expect(kubectl.applied()).toEqual([]);
    // An extra file is refused too.
    const extra = fixtureRoot();
    writeFileSync(path.join(extra, "kustomize-out", "kubeflow", "26.03", "sneaky.yaml"), "kind: Secret\n");
    await expect(install(options(extra), fakeKubectl().runner)).rejects.toThrow(
      /sneaky\.yaml is not in upstream\/PROVENANCE\.json/,
    );
  });

  it("names the generate command when the configured version has no committed render", async () => {
    const kubectl = fakeKubectl({ params: { ...TEST_PARAMS, manifestsVersion: "27.01" } });
    await expect(install(options(fixtureRoot()), kubectl.runner)).rejects.toThrow(
      /no committed render of Kubeflow 27\.01 .*npm run generate -- kubeflow/,
    );
    expect(kubectl.applied()).toEqual([]);
  });

  it("stops with a clear error, applying nothing, when the cluster does not answer", async () => {
    const kubectl = fakeKubectl({ reachable: false });
    await expect(install(options(fixtureRoot()), kubectl.runner)).rejects.toThrow(
      /cannot reach the cluster, so nothing was applied: point kubectl at it .*i\/o timeout/,
    );
    expect(kubectl.applied()).toEqual([]);
  });

  it("exits non-zero after the timeout, naming the unready workloads and their pods' last events", async () => {
    const kubectl = fakeKubectl({ readyAfterPolls: Infinity });
    const opts = options(fixtureRoot(), { timeoutSeconds: 60 });
    const error = await install(opts, kubectl.runner).catch((e: Error) => e);
    expect(error).toBeInstanceOf(InstallError);
    expect(String(error)).toMatch(
      /1 of 2 workloads not ready after 1 minutes:\n {2}Deployment\/kubeflow\/ml-pipeline: pod ml-pipeline-abc: BackOff Back-off pulling image/,
    );
    // It polled until the deadline, every 15 s.
    expect(opts.lines.filter((l) => l.startsWith("1 of 2 ready")).length).toBe(5);
  });

  it("judges availability by the current generation", () => {
    const deployment = (status: Record<string, number>, generation = 2) => ({
      kind: "Deployment",
      metadata: { name: "d", namespace: "n", generation },
      spec: { replicas: 2 },
      status,
    });
    expect(isAvailable(deployment({ observedGeneration: 2, availableReplicas: 2, updatedReplicas: 2 }))).toBe(true);
    expect(isAvailable(deployment({ observedGeneration: 1, availableReplicas: 2, updatedReplicas: 2 }))).toBe(false);
    expect(isAvailable(deployment({ observedGeneration: 2, availableReplicas: 2, updatedReplicas: 1 }))).toBe(false);
    const ds = { kind: "DaemonSet", metadata: { name: "d", namespace: "n", generation: 1 }, spec: {} };
    expect(
      isAvailable({
        ...ds,
        status: { observedGeneration: 1, desiredNumberScheduled: 3, numberAvailable: 3, updatedNumberScheduled: 3 },
      }),
    ).toBe(true);
    expect(
      isAvailable({
        ...ds,
        status: { observedGeneration: 1, desiredNumberScheduled: 3, numberAvailable: 2, updatedNumberScheduled: 3 },
      }),
    ).toBe(false);
  });

  it("render writes exactly what install applies, with the Secrets' values marked as placeholders", () => {
    const root = fixtureRoot();
    const kubectl = fakeKubectl();
    const installedDir = mkdtempSync(path.join(tmpdir(), "kf-install-out-"));
    const renderedDir = mkdtempSync(path.join(tmpdir(), "kf-render-out-"));
    const installed = installPlan(TEST_PARAMS, installSecrets(kubectl.runner), kubectl.runner, root);
    const count = writePlan(installed, installedDir);
    expect(writePlan(installPlan(TEST_PARAMS, placeholderSecrets(), kubectl.runner, root), renderedDir)).toBe(count);
    expect(count).toBe(installed.documents.length + 4);
    const files = readdirSync(renderedDir).sort();
    expect(readdirSync(installedDir).sort()).toEqual(files);
    for (const f of files) {
      const [a, b] = [
        readFileSync(path.join(installedDir, f), "utf8"),
        readFileSync(path.join(renderedDir, f), "utf8"),
      ];
      if (f.startsWith("secret-")) expect(b).toContain("PLACEHOLDER-set-by-the-install-step-from-");
      else expect(b).toBe(a);
    }
    const secret = readFileSync(path.join(renderedDir, "secret-kubeflow-mysql-secret.yaml"), "utf8");
    expect(secret).toContain("PLACEHOLDER-set-by-the-install-step-from-kube-system/kubeflow-credentials");
  });

  it("render takes the config's parameters, --params for the deploy-time ones, and marks the rest", () => {
    const marked = renderParams([]);
    expect(marked.host).toBe("kubeflow.example.com");
    expect(marked.issuerUrl).toBe("PLACEHOLDER-issuer-url-set-it-with---params");
    expect(marked.vpcCidr).toBe("PLACEHOLDER-vpc-cidr-set-it-with---params");
    const file = path.join(mkdtempSync(path.join(tmpdir(), "kf-params-")), "params.yaml");
    writeFileSync(
      file,
      "issuer-url: https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Abc\nvpc-cidr: 10.9.0.0/16\n",
    );
    const given = renderParams(["render", "--params", file]);
    expect(given.issuerUrl).toBe("https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Abc");
    expect(given.vpcCidr).toBe("10.9.0.0/16");
    expect(given.clientId).toBe("PLACEHOLDER-client-id-set-it-with---params");
  });

  it("counts applied and failing objects from kubectl's output", () => {
    const summary = summarizeApply({
      status: 1,
      stdout: "namespace/kubeflow serverside-applied\ndeployment.apps/x serverside-applied\n",
      stderr:
        'error: resource mapping not found for name: "p" namespace: "" from "STDIN": no matches for kind "Profile"\nWarning: something\n',
    });
    expect(summary).toEqual({
      applied: 2,
      failed: 1,
      firstErrors: [expect.stringContaining('no matches for kind "Profile"')],
    });
  });

  it("retries until every object is accepted, reporting each pass, and gives up after the last", async () => {
    let attempts = 0;
    const runner: Runner = () =>
      ++attempts < 3
        ? { status: 1, stdout: "a/b serverside-applied\n", stderr: "error: no matches for kind X\n" }
        : ok("a/b serverside-applied\nc/d serverside-applied\n");
    const lines: string[] = [];
    const sleeps: number[] = [];
    const passes = await applyUntilSettled(
      "kind: X\n",
      { maxPasses: 5, pauseSeconds: 20, log: (l) => lines.push(l), sleep: async (s) => void sleeps.push(s) },
      runner,
    );
    expect(passes).toBe(3);
    expect(lines.filter((l) => l.startsWith("pass"))).toEqual([
      "pass 1/5: 1 applied, 1 failing",
      "pass 2/5: 1 applied, 1 failing",
      "pass 3/5: 2 applied, 0 failing",
    ]);
    expect(sleeps).toEqual([20, 20]);
    const failing: Runner = () => ({ status: 1, stdout: "", stderr: "error: boom\n" });
    await expect(
      applyUntilSettled(
        "x: 1\n",
        { maxPasses: 2, pauseSeconds: 0, log: () => undefined, sleep: async () => undefined },
        failing,
      ),
    ).rejects.toThrow(/still failing after 2 passes/);
  });

  it("keeps the cookie secret across runs and puts the client credentials in oauth2-proxy's Secret", () => {
    const decode = (m: object) =>
      Object.fromEntries(
        Object.entries((m as { data: Record<string, string> }).data).map(([k, v]) => [
          k,
          Buffer.from(v, "base64").toString(),
        ]),
      );
    const first = decode(oauth2ProxySecretManifest("id", "shh"));
    expect(first["client-id"]).toBe("id");
    expect(Buffer.from(first["cookie-secret"], "base64url")).toHaveLength(32);
    expect(decode(oauth2ProxySecretManifest("id", "shh", first["cookie-secret"]))["cookie-secret"]).toBe(
      first["cookie-secret"],
    );
    expect(decode(oauth2ProxySecretManifest("id", "shh"))["cookie-secret"]).not.toBe(first["cookie-secret"]);
  });

  it("orders a stream explicitly: CRDs, namespaces, accounts, configuration, Services, workloads, the rest, webhooks last", () => {
    const doc = (apiVersion: string, kind: string, name: string) =>
      `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n`;
    const shuffled = documentsOf(
      [
        doc("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "hook"),
        doc("serving.knative.dev/v1", "Service", "model"),
        doc("apps/v1", "Deployment", "api"),
        doc("v1", "Service", "api"),
        doc("v1", "Secret", "db"),
        doc("rbac.authorization.k8s.io/v1", "ClusterRole", "api"),
        doc("v1", "Namespace", "team"),
        doc("apiextensions.k8s.io/v1", "CustomResourceDefinition", "services.serving.knative.dev"),
      ].join("---\n"),
    );
    expect(inApplyOrder(shuffled).map((d) => `${d.apiVersion} ${d.kind}`)).toEqual([
      "apiextensions.k8s.io/v1 CustomResourceDefinition",
      "v1 Namespace",
      "rbac.authorization.k8s.io/v1 ClusterRole",
      "v1 Secret",
      "v1 Service",
      "apps/v1 Deployment",
      "serving.knative.dev/v1 Service",
      "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
    ]);
  });

  it("splits a build by kind without parsing it", () => {
    const build =
      "kind: Namespace\nmetadata:\n  name: a\n---\nkind: Deployment\nmetadata:\n  name: b\n  namespace: n\n---\nkind: CustomResourceDefinition\nmetadata:\n  name: c\n";
    expect(documentsOf(build).map((d) => [d.kind, d.namespace, d.name])).toEqual([
      ["Namespace", undefined, "a"],
      ["Deployment", "n", "b"],
      ["CustomResourceDefinition", undefined, "c"],
    ]);
    expect(documentsOf(selectKinds(build, ["Namespace"])).map((d) => d.kind)).toEqual(["Namespace"]);
    expect(documentsOf(selectKinds(build, ["Namespace", "CustomResourceDefinition"], true)).map((d) => d.kind)).toEqual(
      ["Deployment"],
    );
  });

  it("uninstalls the Ingress first, while the controller can still delete the ALB, and namespaces and CRDs last", () => {
    const build = "kind: Namespace\nmetadata:\n  name: kubeflow\n---\nkind: Deployment\nmetadata:\n  name: x\n";
    const steps = uninstallSteps(build);
    expect(steps[0].args.slice(0, 5)).toEqual(["-n", "istio-system", "delete", "ingress", "kubeflow"]);
    expect(steps[1].args.slice(0, 2)).toEqual(["delete", "profiles.kubeflow.org"]);
    expect(steps[2].input).toContain("Deployment");
    expect(steps[2].input).not.toContain("Namespace");
    expect(steps[3].input).toContain("Namespace");
  });
});

/** The API group of an apiVersion, as the test reads it. */
const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");

interface RenderObject {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

let rendered: RenderObject[] | undefined;
/** The committed render's objects, one a file, read from the files themselves (not with the install's code), once. */
function renderObjects(): RenderObject[] {
  const dir = path.join(__dirname, "..", "kustomize-out", "kubeflow", TEST_PARAMS.manifestsVersion);
  return (rendered ??= readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    .map((file) => {
      const text = readFileSync(path.join(dir, file), "utf8");
      const metadata = /^metadata:\n((?: {2}.*\n)*)/m.exec(text)![1];
      const namespace = /^ {2}namespace: (.+)$/m.exec(metadata)?.[1];
      return {
        file,
        apiVersion: /^apiVersion: (.+)$/m.exec(text)![1],
        kind: /^kind: (.+)$/m.exec(text)![1],
        ...(namespace ? { namespace } : {}),
        name: /^ {2}name: (.+)$/m.exec(metadata)![1].replace(/^"|"$/g, ""),
      };
    }));
}

const scopes = new Map<string, string>();
/** The scope of a CRD of the committed render, from its file (Namespaced for one it does not have), read once. */
const crdScope = (crd: string) => {
  if (scopes.has(crd)) return scopes.get(crd)!;
  const file = path.join(
    __dirname,
    "..",
    "kustomize-out",
    "kubeflow",
    TEST_PARAMS.manifestsVersion,
    `customresourcedefinition-${crd.replace(/\./g, "-")}.yaml`,
  );
  scopes.set(crd, existsSync(file) ? /^ {2}scope: (\w+)$/m.exec(readFileSync(file, "utf8"))![1] : "Namespaced");
  return scopes.get(crd)!;
};

/** How kubectl delete names an object's type: Kind.group, or the bare kind of the core group. */
const typeOf = (o: { apiVersion: string; kind: string }) =>
  groupOf(o.apiVersion) ? `${o.kind}.${groupOf(o.apiVersion)}` : o.kind;
/** An object as the fake's delete sees it: "Type name namespace". */
const deleteId = (o: { apiVersion: string; kind: string; namespace?: string; name: string }) =>
  [typeOf(o), o.name, o.namespace ?? ""].join(" ").trim();
/** The resource kubectl's messages name a type by: "ClusterTrainingRuntime.trainer.kubeflow.org" -> "clustertrainingruntimes". */
const kindPlural = (type: string) => `${type.split(".")[0].toLowerCase()}s`;
const deleteIdOfCall = (args: readonly string[]) =>
  [args[1], args[2], args.includes("-n") ? args[args.indexOf("-n") + 1] : ""].join(" ").trim();

/**
 * The Kubeflow Trainer and JobSet objects of the 26.03 render, which installs before the overlay
 * left them out applied: the render names its files by kind, namespace and name.
 */
/**
 * The core's policy for the kubeflow-system namespace, which holds only Trainer and JobSet: an
 * install before the inventory applied it, and it goes with them.
 */
const KUBEFLOW_SYSTEM_POLICY =
  "NetworkPolicy.networking.k8s.io default-allow-same-namespace-kubeflow-system kubeflow-system";
const trainerAndJobSet = (render: readonly RenderObject[]) =>
  render.filter((o) => /jobset|trainer|trainingruntime/.test(o.file));

let built: InstallPlan | undefined;
/** The plan of the committed render with this install's Secrets, built once for the file (about 3 s). */
function realPlan(): InstallPlan {
  const kubectl = fakeKubectl();
  return (built ??= installPlan(TEST_PARAMS, installSecrets(kubectl.runner), kubectl.runner));
}

/** A fake cluster where every workload of the plan is available. */
const readyCluster = (plan: InstallPlan, cluster: FakeCluster = {}) =>
  fakeKubectl({ workloads: () => workloadsOf(plan.documents).map((w) => workloadItem(w, true)), ...cluster });

describe("Kubeflow install of the committed 26.03 render", () => {
  /** Groups Kubernetes serves itself, of those the render uses; any other group is a CRD's. */
  const BUILT_IN = [
    "",
    "apps",
    "rbac.authorization.k8s.io",
    "networking.k8s.io",
    "admissionregistration.k8s.io",
    "policy",
    "autoscaling",
    "scheduling.k8s.io",
  ];

  it("applies the CRDs and waits for them, then the namespaces, then its Secrets, then the rest with each object after what it needs", async () => {
    const plan = realPlan();
    const render = renderObjects();
    const kubectl = readyCluster(plan);
    await expect(installPlanned(plan, options(undefined), kubectl.runner)).resolves.toBe("installed");
    const [inventory, crds, wait, namespaces, secrets, rest, ...more] = kubectl.calls.filter((c) =>
      ["apply", "wait"].includes(c.args[0]),
    );
    expect(more).toEqual([]);
    expect(parse(inventory.input!)).toMatchObject({
      kind: "ConfigMap",
      metadata: { name: "kubeflow-install-inventory" },
    });

    // 1. Every CRD of the render but Dex's, JobSet's and Trainer's, alone, then waited for by name.
    const expectedCrds = render
      .filter((o) => o.kind === "CustomResourceDefinition")
      .map((o) => o.name)
      .filter((n) => !/\.(dex\.coreos\.com|jobset\.x-k8s\.io|trainer\.kubeflow\.org)$/.test(n))
      .sort();
    expect(expectedCrds.length).toBeGreaterThan(60);
    const crdDocs = documentsOf(crds.input!);
    expect(crdDocs.map((d) => `${d.kind}/${d.name}`)).toEqual(
      expect.arrayContaining(expectedCrds.map((n) => `CustomResourceDefinition/${n}`)),
    );
    expect(crdDocs).toHaveLength(expectedCrds.length);
    expect(wait.args.slice(0, 3)).toEqual(["wait", "--for=condition=Established", "--timeout=60s"]);
    expect(wait.args.slice(3).sort()).toEqual(
      expectedCrds.map((n) => `customresourcedefinition.apiextensions.k8s.io/${n}`),
    );

    // 2. The render's Namespaces, counted from its files, but Dex's ("auth", which the overlay deletes)
    // and Trainer's ("kubeflow-system": only Trainer, not selectable with 26.03, has objects there).
    const expectedNamespaces = render
      .filter((o) => o.kind === "Namespace" && o.name !== "auth" && o.name !== "kubeflow-system")
      .map((o) => o.name)
      .sort();
    expect(expectedNamespaces).toEqual(["cert-manager", "istio-system", "knative-serving", "kubeflow", "oauth2-proxy"]);
    expect(
      documentsOf(namespaces.input!)
        .map((d) => `${d.kind}/${d.name}`)
        .sort(),
    ).toEqual(expectedNamespaces.map((n) => `Namespace/${n}`));

    // 3. The Secrets the install makes, then 4. the rest, which holds no CRD and no Namespace.
    expect(documentsOf(secrets.input!).map((d) => `${d.kind}/${d.namespace}/${d.name}`)).toEqual([
      "Secret/oauth2-proxy/oauth2-proxy-credentials",
      "Secret/kubeflow/mysql-secret",
      "Secret/kubeflow/katib-mysql-secrets",
      "Secret/kubeflow/mlpipeline-minio-artifact",
    ]);
    const stream = documentsOf(rest.input!);
    expect(stream.filter((d) => ["CustomResourceDefinition", "Namespace"].includes(d.kind))).toEqual([]);

    // Every namespaced object goes into a namespace applied before it (or kube-system, which every cluster has).
    const outside = [...documentsOf(secrets.input!), ...stream]
      .filter((d) => d.namespace && !expectedNamespaces.includes(d.namespace) && d.namespace !== "kube-system")
      .map((d) => `${d.kind}/${d.namespace}/${d.name}`);
    expect(outside).toEqual([]);

    // Every custom resource is of a CRD applied (and established) in step 1, read from the CRD's own spec.
    const served = new Set(
      crdDocs.map(
        (d) =>
          `${/^spec:\n(?: {2}.*\n)*? {2}group: (\S+)$/m.exec(d.text)![1]}/${/^ {2}names:\n(?: {4}.*\n)*? {4}kind: (\S+)$/m.exec(d.text)![1]}`,
      ),
    );
    const custom = stream.filter((d) => !BUILT_IN.includes(groupOf(d.apiVersion)));
    expect(custom.map((d) => `${d.kind}/${d.name}`)).toContain("Profile/data-science");
    expect(custom.filter((d) => !served.has(`${groupOf(d.apiVersion)}/${d.kind}`)).map((d) => d.kind)).toEqual([]);

    // Every Secret a workload reads that the install applies comes before the workload.
    const installSecretDocs = documentsOf(secrets.input!);
    const late: string[] = [];
    const reads: string[] = [];
    stream.forEach((d, i) => {
      // A workload that reads a Secret names it under secretKeyRef, secretRef or secret (volumes, projected sources).
      if (!["Deployment", "StatefulSet", "DaemonSet"].includes(d.kind) || !/\bsecret(KeyRef|Ref)?:/.test(d.text))
        return;
      type Container = {
        env?: { valueFrom?: { secretKeyRef?: { name: string } } }[];
        envFrom?: { secretRef?: { name: string } }[];
      };
      const pod = (
        parse(d.text) as {
          spec: {
            template: {
              spec: {
                containers: Container[];
                initContainers?: Container[];
                volumes?: {
                  secret?: { secretName: string };
                  projected?: { sources: { secret?: { name: string } }[] };
                }[];
              };
            };
          };
        }
      ).spec.template.spec;
      const names = new Set([
        ...[...pod.containers, ...(pod.initContainers ?? [])].flatMap((c) => [
          ...(c.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef?.name ?? []),
          ...(c.envFrom ?? []).flatMap((e) => e.secretRef?.name ?? []),
        ]),
        ...(pod.volumes ?? []).flatMap((v) => [
          ...(v.secret ? [v.secret.secretName] : []),
          ...(v.projected?.sources ?? []).flatMap((s) => s.secret?.name ?? []),
        ]),
      ]);
      for (const name of names) {
        const before = installSecretDocs.some((s) => s.namespace === d.namespace && s.name === name);
        const at = stream.findIndex((s) => s.kind === "Secret" && s.namespace === d.namespace && s.name === name);
        if (before || at >= 0) reads.push(`${d.namespace}/${d.name} reads ${name}`);
        if (!before && at > i) late.push(`${d.namespace}/${d.name} reads ${name}, applied after it`);
      }
    });
    expect(late).toEqual([]);
    expect(reads).toEqual(
      expect.arrayContaining([
        "kubeflow/ml-pipeline reads mysql-secret",
        "kubeflow/katib-mysql reads katib-mysql-secrets",
        "kubeflow/seaweedfs reads mlpipeline-minio-artifact",
        "oauth2-proxy/oauth2-proxy reads oauth2-proxy-credentials",
      ]),
    );

    // The webhook configurations come last, after every workload and Service that could serve them.
    const hooks = stream.flatMap((d, i) => (/WebhookConfiguration$/.test(d.kind) ? [i] : []));
    const servers = stream.flatMap((d, i) =>
      ["Deployment", "StatefulSet", "DaemonSet", "Service"].includes(d.kind) &&
      groupOf(d.apiVersion) !== "serving.knative.dev"
        ? [i]
        : [],
    );
    expect(hooks.length).toBeGreaterThan(20);
    expect(Math.min(...hooks)).toBeGreaterThan(Math.max(...servers));
    expect(hooks).toEqual(hooks.map((_, j) => stream.length - hooks.length + j));
  });

  it("removes what the last install recorded and this one leaves out (Trainer and JobSet): webhooks first, CRDs last, before applying", async () => {
    const plan = realPlan();
    const old = trainerAndJobSet(renderObjects());
    expect(old).toHaveLength(41);
    const kubectl = readyCluster(plan, {
      inventory: {
        version: "26.03",
        objects: [...plan.documents, ...old].map(inventoryLine).join("\n"),
      },
      existing: new Set(old.map(deleteId)),
    });
    const opts = options(undefined);
    await expect(installPlanned(plan, opts, kubectl.runner)).resolves.toBe("installed");
    const deletes = kubectl.deleted();
    expect(deletes.map((c) => deleteIdOfCall(c.args)).sort()).toEqual(old.map(deleteId).sort());
    for (const c of deletes) expect(c.args.slice(-3)).toEqual(["--ignore-not-found", "--wait=true", "--timeout=10m"]);
    const kinds = deletes.map((c) => c.args[1].split(".")[0]);
    expect(kinds.slice(0, 3).sort()).toEqual([
      "MutatingWebhookConfiguration",
      "ValidatingWebhookConfiguration",
      "ValidatingWebhookConfiguration",
    ]);
    expect(kinds.slice(-4)).toEqual(Array(4).fill("CustomResourceDefinition"));
    expect(kinds.lastIndexOf("ClusterTrainingRuntime")).toBeLessThan(kinds.indexOf("Deployment"));
    // All of it before anything is applied.
    const lastDelete = kubectl.calls.indexOf(deletes[deletes.length - 1]);
    expect(kubectl.calls.findIndex((c) => c.args[0] === "apply")).toBeGreaterThan(lastDelete);
    expect(opts.lines).toContain(
      "removing what the last install applied and this one does not (recorded in kube-system/kubeflow-install-inventory): 41 objects",
    );
    expect(opts.lines).toContain(
      "  deleted: ValidatingWebhookConfiguration.admissionregistration.k8s.io validator.trainer.kubeflow.org",
    );
    expect(opts.lines.filter((l) => l.startsWith("  deleted: "))).toHaveLength(41);
    // The new record has none of it.
    const recorded = kubectl.inventory()!.objects;
    expect(recorded).not.toMatch(/jobset|trainer/);
    expect(recorded).toContain('"kind":"Secret","namespace":"kubeflow","name":"mysql-secret"');
  });

  it("without an inventory, removes the Trainer and JobSet objects of the render where an earlier install left namespaces", async () => {
    const plan = realPlan();
    const old = trainerAndJobSet(renderObjects());
    const present = old.filter((o) => ["Deployment", "ValidatingWebhookConfiguration"].includes(o.kind));
    expect(present).toHaveLength(4);
    const kubectl = readyCluster(plan, {
      namespaces: ["kubeflow", "kubeflow-system"],
      existing: new Set(present.map(deleteId)),
    });
    const opts = options(undefined);
    await expect(installPlanned(plan, opts, kubectl.runner)).resolves.toBe("installed");
    expect(
      kubectl
        .deleted()
        .map((c) => deleteIdOfCall(c.args))
        .sort(),
    ).toEqual([...old.map(deleteId), KUBEFLOW_SYSTEM_POLICY].sort());
    expect(opts.lines).toContain(
      "removing what installs before the inventory existed applied and this one does not (Kubeflow Trainer and JobSet of the 26.03 render), where present: 42 objects",
    );
    expect(opts.lines.filter((l) => l.startsWith("  deleted: "))).toHaveLength(4);
    expect(opts.lines.filter((l) => l.startsWith("  not present: "))).toHaveLength(38);
    // The plan, its 4 Secrets, and the kubeflow-system Namespace, left in place (it holds data).
    expect(kubectl.inventory()!.objects.trim().split("\n")).toHaveLength(plan.documents.length + 5);

    // A cluster without those namespaces never had an install: nothing to remove.
    const fresh = readyCluster(plan);
    await installPlanned(plan, options(undefined), fresh.runner);
    expect(fresh.deleted()).toEqual([]);
  });

  it("--dry-run prints what it would remove, in order, and changes nothing", async () => {
    const plan = realPlan();
    const kubectl = readyCluster(plan, { namespaces: ["kubeflow", "kubeflow-system"] });
    const opts = options(undefined, { dryRun: true });
    await expect(installPlanned(plan, opts, kubectl.runner)).resolves.toBe("dry-run");
    expect(kubectl.deleted()).toEqual([]);
    expect(kubectl.applied()).toEqual([]);
    const removals = opts.lines.filter((l) => l.startsWith("   - "));
    expect(removals.map((l) => l.slice(5)).sort()).toEqual(
      // The legacy set only: no Trainer workload is there, so not the core policy that serves only it.
      trainerAndJobSet(renderObjects())
        .map((o) => `${typeOf(o)} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`)
        .sort(),
    );
    expect(removals[removals.length - 1]).toMatch(/^ {3}- CustomResourceDefinition\.apiextensions\.k8s\.io /);
    expect(opts.lines.join("\n")).toMatch(/3\. CRDs \(\d+\), then wait until they are established/);
  });

  /** A user's TrainJob (Trainer v2.1.0 serves trainer.kubeflow.org/v1alpha1) and the JobSet it runs as. */
  const TRAINJOB = { apiVersion: "trainer.kubeflow.org/v1alpha1", kind: "TrainJob", namespace: "team", name: "mnist" };
  const ITS_JOBSET = { apiVersion: "jobset.x-k8s.io/v1alpha2", kind: "JobSet", namespace: "team", name: "mnist" };
  const TRAINER_CONTROLLER = "Deployment.apps kubeflow-trainer-controller-manager kubeflow-system";
  /**
   * Trainer v2.1.0 keeps trainer.kubeflow.org/resource-in-use on a runtime a TrainJob has referred
   * to, and its controller removes it only once the runtime is being deleted and no TrainJob refers
   * to it (pkg/controller/clustertrainingruntime_controller.go:83-89): the runtime the TrainJob
   * uses cannot go while the TrainJob is there or once the controller is gone.
   */
  const trainerFinalizer = (id: string, has: (id: string) => boolean) =>
    id === "ClusterTrainingRuntime.trainer.kubeflow.org torch-distributed kubeflow-system" &&
    (has(deleteId(TRAINJOB)) || !has(TRAINER_CONTROLLER))
      ? ["trainer.kubeflow.org/resource-in-use"]
      : undefined;
  /**
   * A cluster an install before the overlay left Trainer and JobSet out ran, with one TrainJob
   * running: without an inventory (the 26.03 legacy set is found from the render), or with one
   * that records the same objects (quicker: the render's 14 MB are not read again).
   */
  const withTrainJob = (recorded = false): FakeCluster => ({
    ...(recorded
      ? {
          inventory: {
            version: "26.03",
            objects: [...realPlan().documents, ...trainerAndJobSet(renderObjects())].map(inventoryLine).join("\n"),
          },
        }
      : { namespaces: ["kubeflow", "kubeflow-system"] }),
    existing: new Set(trainerAndJobSet(renderObjects()).map(deleteId)),
    instances: { "trainjobs.trainer.kubeflow.org": [TRAINJOB], "jobsets.jobset.x-k8s.io": [ITS_JOBSET] },
    stuck: trainerFinalizer,
  });

  describe("a component the last install applied and kubeflow.components now leaves out", () => {
    const kubectl0 = fakeKubectl();
    const defaultPlan = installPlan(
      { ...TEST_PARAMS, components: ["notebooks", "pipelines", "katib"] },
      installSecrets(kubectl0.runner),
      kubectl0.runner,
    );
    // What an install of every installable component recorded (the build of TEST_PARAMS).
    const everything: FakeCluster = {
      inventory: { version: "26.03", objects: realPlan().documents.map(inventoryLine).join("\n") },
    };
    const INFERENCE_SERVICE = {
      apiVersion: "serving.kserve.io/v1beta1",
      kind: "InferenceService",
      namespace: "team",
      name: "sklearn",
    };

    it("stops before changing anything, naming the components and how many objects go", async () => {
      const kubectl = readyCluster(defaultPlan, everything);
      const error = await installPlanned(defaultPlan, options(undefined), kubectl.runner).catch((e: Error) => e);
      expect(error).toBeInstanceOf(InstallError);
      // sources.json: KServe's four resources render 67 + 8 + 81 + 8 objects, less the knative-serving
      // Namespace (kept on prune: it holds data), plus the two core NetworkPolicies for its pods and the
      // overlay's llmisvc-webhook policy; Spark's resource renders 21, plus the core NetworkPolicy for
      // its webhook's pods.
      expect((error as Error).message).toBe(
        "kubeflow.components leaves out kserve (166 objects), spark (22 objects), which the last install applied: " +
          "to keep them, add them to kubeflow.components in the config and deploy from the kubeflow stage " +
          "(npm run deploy -- --from kubeflow), which publishes the list to the install; to remove them, run " +
          "npm run deploy -- --from kubeflow-install --remove-components (or npm run kubeflow -- install --remove-components). " +
          "Nothing was removed or applied.",
      );
      expect(kubectl.deleted()).toEqual([]);
      expect(kubectl.applied()).toEqual([]);
    });

    it("with --remove-components, keeps KServe whole while an InferenceService remains, and removes Spark", async () => {
      const kubectl = readyCluster(defaultPlan, {
        ...everything,
        instances: { "inferenceservices.serving.kserve.io": [INFERENCE_SERVICE] },
      });
      const opts = options(undefined, { removeComponents: true });
      await expect(installPlanned(defaultPlan, opts, kubectl.runner)).resolves.toBe("installed");
      expect(opts.lines).toContain(
        "kept CRD inferenceservices.serving.kserve.io: 1 InferenceService remains (team/sklearn); delete them, or install with --prune-crds-with-instances (npm run kubeflow -- install, or npm run deploy) to delete them first",
      );
      const deleted = kubectl.deleted().map((c) => deleteIdOfCall(c.args));
      // KServe's controller, which finalizes InferenceServices, and its webhooks stay; Spark's controller goes.
      expect(deleted).not.toContain("Deployment.apps kserve-controller-manager kubeflow");
      expect(deleted.filter((d) => /kserve|knative|llmisvc/.test(d))).toEqual([]);
      expect(deleted).toContain("Deployment.apps spark-operator-controller kubeflow");
      // The removal goes on at the next install without asking again while KServe is held.
      const recorded = kubectl.inventory()!;
      expect(recorded["removing-components"]).toBe("kserve");
      const next = readyCluster(defaultPlan, {
        inventory: recorded,
        instances: { "inferenceservices.serving.kserve.io": [INFERENCE_SERVICE] },
      });
      const again = options(undefined);
      await expect(installPlanned(defaultPlan, again, next.runner)).resolves.not.toThrow();
      expect(again.lines.filter((l) => l.startsWith("kept CRD inferenceservices"))).toHaveLength(1);
    });

    it("without an inventory, stops only for components whose workloads are there", async () => {
      const spark = renderObjects().filter(
        (o) => /spark-operator-(controller|webhook)/.test(o.name) && o.kind === "Deployment",
      );
      expect(spark).toHaveLength(2);
      const kubectl = readyCluster(defaultPlan, {
        namespaces: ["kubeflow"],
        existing: new Set(spark.map(deleteId)),
      });
      const error = await installPlanned(defaultPlan, options(undefined), kubectl.runner).catch((e: Error) => e);
      // Spark's 21 objects and the core policy for its webhook; nothing of KServe, which was never there.
      expect((error as Error).message).toMatch(
        /^kubeflow\.components leaves out spark \(22 objects\), which an install before the inventory existed applied \(its workloads are there\): /,
      );
    });
  });

  it("keeps the Trainer and JobSet CRDs, with what a remaining TrainJob needs, names why, and removes them once it is gone", async () => {
    const plan = realPlan();
    const old = trainerAndJobSet(renderObjects());
    const kubectl = readyCluster(plan, withTrainJob());
    const opts = options(undefined);
    await expect(installPlanned(plan, opts, kubectl.runner)).resolves.toBe("installed");
    // Every CRD of the removal was listed in all namespaces, and nothing was deleted.
    expect(
      kubectl.calls
        .filter(
          (c) =>
            c.args[0] === "get" &&
            c.args[2] === "--all-namespaces" &&
            c.args[1].includes(".") &&
            !c.args[1].includes(","),
        )
        .map((c) => c.args[1])
        .sort(),
    ).toEqual(
      old
        .filter((o) => o.kind === "CustomResourceDefinition")
        .map((o) => o.name)
        .sort(),
    );
    expect(kubectl.deleted()).toEqual([]);
    // One line per CRD, those that hold the objects first, and what stays with them: the other 37 of
    // the 41, and the core's policy for kubeflow-system, which holds only them.
    expect(opts.lines.filter((l) => l.startsWith("kept "))).toEqual([
      "kept CRD trainjobs.trainer.kubeflow.org: 1 TrainJob remains (team/mnist); delete them, or install with --prune-crds-with-instances (npm run kubeflow -- install, or npm run deploy) to delete them first",
      "kept CRD trainingruntimes.trainer.kubeflow.org: part of Kubeflow Trainer, kept while TrainJobs remain",
      "kept CRD clustertrainingruntimes.trainer.kubeflow.org: part of Kubeflow Trainer, kept while TrainJobs remain",
      "kept CRD jobsets.jobset.x-k8s.io: 1 JobSet remains (team/mnist); delete them, or install with --prune-crds-with-instances (npm run kubeflow -- install, or npm run deploy) to delete them first",
      "kept with them, since their controllers and webhooks serve and finalize those objects: 38 objects of Kubeflow Trainer and JobSet; they stay in " +
        "kube-system/kubeflow-install-inventory, and a later install removes them once those objects are gone",
    ]);
    const recorded = kubectl.inventory()!.objects;
    for (const o of old) expect(recorded).toContain(inventoryLine(o));

    // A TrainJob with no JobSet (yet) keeps JobSet too: Trainer's controller watches JobSets.
    const alone = options(undefined, { dryRun: true });
    await installPlanned(
      plan,
      alone,
      readyCluster(plan, { ...withTrainJob(true), instances: { "trainjobs.trainer.kubeflow.org": [TRAINJOB] } }).runner,
    );
    expect(alone.lines).toContain(
      "   kept CRD jobsets.jobset.x-k8s.io: part of JobSet, which Kubeflow Trainer needs, kept while TrainJobs remain",
    );
    expect(alone.lines.filter((l) => l.startsWith("   kept for now: "))).toHaveLength(old.length);

    // The TrainJob and its JobSet are gone: the next install removes what the inventory kept.
    const later = readyCluster(plan, {
      inventory: kubectl.inventory(),
      existing: new Set(old.map(deleteId)),
      stuck: trainerFinalizer,
    });
    const next = options(undefined);
    await expect(installPlanned(plan, next, later.runner)).resolves.toBe("installed");
    expect(
      later
        .deleted()
        .map((c) => deleteIdOfCall(c.args))
        .sort(),
    ).toEqual([...old.map(deleteId), KUBEFLOW_SYSTEM_POLICY].sort());
    expect(next.lines.filter((l) => l.startsWith("kept "))).toEqual([]);
    expect(later.inventory()!.objects).not.toMatch(/jobset|trainer/);
  });

  it("--prune-crds-with-instances deletes the TrainJob and its JobSet first, while the controllers run, then the runtimes, the controllers, the CRDs", async () => {
    const plan = realPlan();
    const old = trainerAndJobSet(renderObjects());
    const kubectl = readyCluster(plan, withTrainJob(true));
    const opts = options(undefined, { pruneCrdsWithInstances: true });
    await expect(installPlanned(plan, opts, kubectl.runner)).resolves.toBe("installed");
    const ids = kubectl.deleted().map((c) => deleteIdOfCall(c.args));
    expect(ids.slice(0, 2)).toEqual(["TrainJob.trainer.kubeflow.org mnist team", "JobSet.jobset.x-k8s.io mnist team"]);
    expect(ids.slice(2).sort()).toEqual(old.map(deleteId).sort());
    const runtimes = ids.flatMap((id, i) => (id.startsWith("ClusterTrainingRuntime.") ? [i] : []));
    const crds = ids.flatMap((id, i) => (id.startsWith("CustomResourceDefinition.") ? [i] : []));
    expect(runtimes).toHaveLength(6);
    expect(Math.max(...runtimes)).toBeLessThan(ids.indexOf(TRAINER_CONTROLLER));
    expect(ids.indexOf(TRAINER_CONTROLLER)).toBeLessThan(Math.min(...crds));
    expect(opts.lines).toContain(
      "  first the 2 objects that no install applied of the CRDs it removes, while their controllers run (--prune-crds-with-instances)",
    );
    expect(opts.lines.filter((l) => l.startsWith("  deleted: "))).toHaveLength(43);
    expect(opts.lines.filter((l) => l.startsWith("kept "))).toEqual([]);
    expect(kubectl.inventory()!.objects).not.toMatch(/jobset|trainer/);
  });

  it("names the object, the finalizer and the patch when a deletion is stuck on a finalizer whose controller is gone", async () => {
    const plan = realPlan();
    const present = new Set(trainerAndJobSet(renderObjects()).map(deleteId));
    present.delete(TRAINER_CONTROLLER);
    const kubectl = readyCluster(plan, { ...withTrainJob(true), instances: {}, existing: present });
    const error = (await installPlanned(plan, options(undefined), kubectl.runner).catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(InstallError);
    expect(error.message).toBe(
      "could not delete ClusterTrainingRuntime.trainer.kubeflow.org kubeflow-system/torch-distributed: " +
        "error: timed out waiting for the condition on clustertrainingruntimes/torch-distributed\n" +
        "ClusterTrainingRuntime.trainer.kubeflow.org kubeflow-system/torch-distributed is stuck on finalizer " +
        "trainer.kubeflow.org/resource-in-use, and the controller that removes it, Deployment.apps " +
        "kubeflow-system/kubeflow-trainer-controller-manager, is already gone: nothing will remove it. Remove the " +
        "finalizer with: kubectl patch ClusterTrainingRuntime.trainer.kubeflow.org torch-distributed -n kubeflow-system " +
        `--type=merge -p '{"metadata":{"finalizers":null}}'\nThen run it again.`,
    );
    expect(kubectl.applied()).toEqual([]);
  });
});

describe("Kubeflow install's inventory", () => {
  it("leaves a namespace, a volume claim and a profile it no longer installs in place, and records them again", async () => {
    const { root, inventory } = await installedFixture();
    const extra = [
      { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "kubeflow", name: "old-data" },
      { apiVersion: "v1", kind: "Namespace", name: "old-team" },
      { apiVersion: "kubeflow.org/v1", kind: "Profile", name: "old-team" },
      { apiVersion: "apps/v1", kind: "Deployment", namespace: "kubeflow", name: "old-api" },
    ];
    const kubectl = fakeKubectl({
      inventory: { version: "26.03", objects: `${inventory.objects}${extra.map(inventoryLine).join("\n")}\n` },
      existing: new Set(["Deployment.apps old-api kubeflow"]),
    });
    const opts = options(root);
    await install(opts, kubectl.runner);
    expect(kubectl.deleted().map((c) => c.args.slice(1, 5))).toEqual([
      ["Deployment.apps", "old-api", "-n", "kubeflow"],
    ]);
    expect(opts.lines).toContain("  deleted: Deployment.apps kubeflow/old-api");
    expect(opts.lines).toContain(
      "left in place, not installed any more: PersistentVolumeClaim kubeflow/old-data (it holds data; delete it by hand if unwanted)",
    );
    const recorded = kubectl.inventory()!.objects;
    for (const e of extra.slice(0, 3)) expect(recorded).toContain(inventoryLine(e));
    expect(recorded).not.toContain("old-api");
  });

  it("keeps a recorded CRD while objects no install applied remain, with its component, and deletes the rest", async () => {
    const plan = realPlan();
    const old = trainerAndJobSet(renderObjects());
    const jobSet = old.filter((o) => /jobset/.test(o.file));
    const trainer = old.filter((o) => !/jobset/.test(o.file));
    expect(jobSet).toHaveLength(18);
    // A CRD of a project we know nothing of: its custom resource stays with it, its controller goes.
    const widgets = [
      { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "widgets.example.com" },
      { apiVersion: "example.com/v1", kind: "Widget", namespace: "kubeflow", name: "default" },
    ];
    const widgetController = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "kubeflow",
      name: "widget-controller",
    };
    const kubectl = readyCluster(plan, {
      inventory: {
        version: "26.03",
        objects: [...plan.documents, ...old, ...widgets, widgetController].map(inventoryLine).join("\n"),
      },
      existing: new Set([...old, ...widgets, widgetController].map(deleteId)),
      instances: {
        "jobsets.jobset.x-k8s.io": [
          { apiVersion: "jobset.x-k8s.io/v1alpha2", kind: "JobSet", namespace: "team", name: "sweep" },
        ],
        "widgets.example.com": [{ apiVersion: "example.com/v1", kind: "Widget", namespace: "team", name: "w1" }],
      },
    });
    const opts = options(undefined);
    await expect(installPlanned(plan, opts, kubectl.runner)).resolves.toBe("installed");
    expect(
      kubectl
        .deleted()
        .map((c) => deleteIdOfCall(c.args))
        .sort(),
    ).toEqual([...trainer, widgetController].map(deleteId).sort());
    expect(opts.lines.filter((l) => l.startsWith("kept "))).toEqual([
      "kept CRD jobsets.jobset.x-k8s.io: 1 JobSet remains (team/sweep); delete them, or install with --prune-crds-with-instances (npm run kubeflow -- install, or npm run deploy) to delete them first",
      "kept CRD widgets.example.com: 1 Widget remains (team/w1); delete them, or install with --prune-crds-with-instances (npm run kubeflow -- install, or npm run deploy) to delete them first",
      // JobSet's 17 objects besides its CRD, and the Widget of the inventory.
      "kept with them, since their controllers and webhooks serve and finalize those objects: 18 objects of JobSet and API group example.com; " +
        "they stay in kube-system/kubeflow-install-inventory, and a later install removes them once those objects are gone",
    ]);
    const recorded = kubectl.inventory()!.objects;
    for (const o of [...jobSet, ...widgets]) expect(recorded).toContain(inventoryLine(o));
    for (const o of [...trainer, widgetController]) expect(recorded).not.toContain(inventoryLine(o));
  });

  it("lists a CRD's objects before deleting it, and stops, deleting nothing, when it cannot", async () => {
    const { root, inventory: recorded } = await installedFixture();
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      name: "jobsets.jobset.x-k8s.io",
    };
    const inventory = { version: "26.03", objects: `${recorded.objects}${inventoryLine(crd)}\n` };
    const kubectl = fakeKubectl({ inventory, existing: new Set([deleteId(crd)]) });
    const forbidden: Runner = (command, args, input) =>
      args[0] === "get" && args[1] === "jobsets.jobset.x-k8s.io"
        ? {
            status: 1,
            stdout: "",
            stderr:
              'Error from server (Forbidden): jobsets.jobset.x-k8s.io is forbidden: User "dev" cannot list resource "jobsets" in API group "jobset.x-k8s.io" at the cluster scope\n',
          }
        : kubectl.runner(command, args, input);
    await expect(install(options(root), forbidden)).rejects.toThrow(
      /^cannot list the objects of CRD jobsets\.jobset\.x-k8s\.io, which deleting the CRD would delete: Error from server \(Forbidden\): .*\. Nothing was deleted or applied\.$/,
    );
    expect(kubectl.deleted()).toEqual([]);
    expect(kubectl.applied()).toEqual([]);
  });

  it("takes an object whose type is gone as removed, and stops naming the object when a delete fails", async () => {
    const { root, inventory: recorded } = await installedFixture();
    const jobset = { apiVersion: "jobset.x-k8s.io/v1alpha2", kind: "JobSet", namespace: "team", name: "train" };
    const inventory = { version: "26.03", objects: `${recorded.objects}${inventoryLine(jobset)}\n` };
    const gone = fakeKubectl({ inventory, goneTypes: ["JobSet.jobset.x-k8s.io"] });
    const opts = options(root);
    await expect(install(opts, gone.runner)).resolves.toBe("installed");
    expect(opts.lines).toContain("  not present (its type is gone): JobSet.jobset.x-k8s.io team/train");

    const refusing: Runner = () => ({
      status: 1,
      stdout: "",
      stderr: 'Error from server (Forbidden): jobsets.jobset.x-k8s.io "train" is forbidden',
    });
    expect(() => deleteObjects([jobset], () => undefined, refusing)).toThrow(
      /could not delete JobSet\.jobset\.x-k8s\.io team\/train: Error from server \(Forbidden\)/,
    );
  });

  it("refuses an inventory it cannot read, naming the line, before building anything", async () => {
    const kubectl = fakeKubectl({ inventory: { version: "26.03", objects: '{"kind":"Deployment"}\n' } });
    await expect(install(options(fixtureRoot()), kubectl.runner)).rejects.toThrow(
      /kube-system\/kubeflow-install-inventory: line 1 of "objects" is not an object identity: \{"kind":"Deployment"\}/,
    );
    expect(kubectl.calls.filter((c) => ["kustomize", "apply", "delete"].includes(c.args[0]))).toEqual([]);
  });

  it("uninstall removes what the inventory records beyond this build too: users' objects of its CRDs first, namespaces and CRDs last, the inventory at the end", () => {
    const root = fixtureRoot();
    const extra = [
      { apiVersion: "v1", kind: "Namespace", name: "kubeflow-system" },
      { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "jobsets.jobset.x-k8s.io" },
      { apiVersion: "apps/v1", kind: "Deployment", namespace: "kubeflow-system", name: "jobset-controller-manager" },
      { apiVersion: "v1", kind: "Secret", namespace: "kubeflow", name: "mysql-secret" },
    ];
    const kubectl = fakeKubectl({
      inventory: { version: "26.03", objects: extra.map(inventoryLine).join("\n") },
      instances: {
        "jobsets.jobset.x-k8s.io": [
          { apiVersion: "jobset.x-k8s.io/v1alpha2", kind: "JobSet", namespace: "team", name: "sweep" },
        ],
      },
    });
    const lines: string[] = [];
    uninstall({ log: (l) => lines.push(l), root }, kubectl.runner);
    const deletes = kubectl.calls
      .filter((c) => c.args.includes("delete"))
      .map((c) =>
        c.args.includes("-f")
          ? `-f ${documentsOf(c.input!)
              .map((d) => d.kind)
              .join(",")}`
          : c.args.slice(0, 5).join(" "),
      );
    expect(deletes).toEqual([
      "-n istio-system delete ingress kubeflow",
      "delete profiles.kubeflow.org --all --ignore-not-found --wait=true",
      // A JobSet no install applied, while JobSet's controller still runs.
      "delete JobSet.jobset.x-k8s.io sweep -n team",
      "delete Deployment.apps jobset-controller-manager -n kubeflow-system",
      expect.stringMatching(/^-f (?!.*Namespace)(?!.*CustomResourceDefinition).*Deployment/),
      "-f Namespace",
      "delete CustomResourceDefinition.apiextensions.k8s.io jobsets.jobset.x-k8s.io --ignore-not-found --wait=true",
      "delete Namespace kubeflow-system --ignore-not-found --wait=true",
      "-n kube-system delete configmap kubeflow-install-inventory",
    ]);
  });
});

describe("Kubeflow install's readiness wait", () => {
  const jobset: Workload = { kind: "Deployment", namespace: "kubeflow-system", name: "jobset-controller-manager" };
  const IMAGE = "us-central1-docker.pkg.dev/k8s-staging-images/jobset/jobset:v0.10.1";
  // containerd's words for a tag no registry has (internal/cri/server/images/image_pull.go,
  // core/remotes/docker/resolver.go), as the kubelet passes on the runtime's gRPC error.
  const NOT_FOUND = `rpc error: code = NotFound desc = failed to pull and unpack image "${IMAGE}": failed to resolve reference "${IMAGE}": ${IMAGE}: not found`;
  const pod = (
    w: Workload,
    name: string,
    statuses: { containers?: PodStatus["status"]; spec?: PodStatus["spec"] },
  ): PodStatus => ({
    metadata: { name, namespace: w.namespace, labels: { app: w.name } },
    spec: statuses.spec,
    status: statuses.containers,
  });
  const waitingIn = (container: string, image: string, reason: string, message?: string) => ({
    spec: { containers: [{ name: container, image }] },
    containers: {
      phase: "Pending",
      containerStatuses: [{ name: container, image, state: { waiting: { reason, message } } }],
    },
  });
  const cluster = (workloads: readonly Workload[], pods: (poll: number) => PodStatus[], readyAt = Infinity) =>
    fakeKubectl({ workloads: (poll) => workloads.map((w) => workloadItem(w, poll >= readyAt)), pods });
  const polls = (kubectl: ReturnType<typeof fakeKubectl>) =>
    kubectl.calls.filter((c) => c.args[0] === "get" && c.args[1] === "deployments,statefulsets,daemonsets").length;

  it("reports an image that does not exist within one poll, one line per image, and stops at once", async () => {
    const kubectl = cluster([jobset], () => [
      pod(jobset, "jobset-controller-manager-7d9f-x2k4p", waitingIn("manager", IMAGE, "ErrImagePull", NOT_FOUND)),
      pod(jobset, "jobset-controller-manager-7d9f-q8r2m", waitingIn("manager", IMAGE, "ErrImagePull", NOT_FOUND)),
    ]);
    const opts = options(undefined, { timeoutSeconds: 1200 });
    const error = await waitForReady([jobset], opts, kubectl.runner).catch((e: Error) => e);
    const line = `Deployment/kubeflow-system/jobset-controller-manager: container manager cannot pull ${IMAGE}: ErrImagePull (not found)`;
    expect(opts.lines).toEqual([
      "0 of 1 ready; waiting for Deployment/kubeflow-system/jobset-controller-manager",
      `  ${line}`,
    ]);
    expect(error).toBeInstanceOf(InstallError);
    expect((error as Error).message).toContain(
      `an image does not exist in the registry, so waiting cannot help (stopped early instead of waiting 20 minutes):\n  ${line}\n    ${NOT_FOUND}\n`,
    );
    expect(polls(kubectl)).toBe(1);
  });

  it("takes a missing image in back-off (kubelet 1.32+ keeps the last error) or in an init container as missing too", async () => {
    const init = "ghcr.io/example/init:0.1";
    const kubectl = cluster([jobset], () => [
      pod(
        jobset,
        "a",
        waitingIn(
          "manager",
          IMAGE,
          "ImagePullBackOff",
          `Back-off pulling image "${IMAGE}": ErrImagePull: ${NOT_FOUND}`,
        ),
      ),
      pod(jobset, "b", {
        spec: { initContainers: [{ name: "init", image: init }], containers: [{ name: "manager", image: IMAGE }] },
        containers: {
          initContainerStatuses: [
            {
              name: "init",
              image: init,
              state: {
                waiting: {
                  reason: "ErrImagePull",
                  message: `rpc error: code = NotFound desc = failed to pull and unpack image "${init}": failed to resolve reference "${init}": manifest unknown`,
                },
              },
            },
          ],
          containerStatuses: [{ name: "manager", image: IMAGE, state: { waiting: { reason: "PodInitializing" } } }],
        },
      }),
    ]);
    const error = await waitForReady([jobset], options(undefined), kubectl.runner).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^2 images do not exist in the registry/);
    expect((error as Error).message).toContain(
      `  Deployment/kubeflow-system/jobset-controller-manager: container manager cannot pull ${IMAGE}: ImagePullBackOff (not found)\n`,
    );
    expect((error as Error).message).toContain(
      `  Deployment/kubeflow-system/jobset-controller-manager: container init cannot pull ${init}: ErrImagePull (manifest unknown)\n`,
    );
  });

  it("reports a pull error that can pass at every poll and keeps waiting", async () => {
    const mysql: Workload = { kind: "Deployment", namespace: "kubeflow", name: "mysql" };
    const image = "docker.io/library/mysql:8.0.29";
    const timeout = `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": failed to do request: Head "https://registry-1.docker.io/v2/library/mysql/manifests/8.0.29": dial tcp 10.0.0.1:443: i/o timeout`;
    const rateLimited = `Back-off pulling image "${image}": ErrImagePull: rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/mysql/manifests/sha256:0a1b: 429 Too Many Requests`;
    const kubectl = cluster(
      [mysql],
      (poll) => [
        pod(
          mysql,
          "mysql-5d8c-abcde",
          waitingIn(
            "mysql",
            image,
            poll === 1 ? "ErrImagePull" : "ImagePullBackOff",
            poll === 1 ? timeout : rateLimited,
          ),
        ),
      ],
      3,
    );
    const opts = options(undefined);
    await expect(waitForReady([mysql], opts, kubectl.runner)).resolves.toBeUndefined();
    expect(opts.lines).toEqual([
      "0 of 1 ready; waiting for Deployment/kubeflow/mysql",
      `  Deployment/kubeflow/mysql: container mysql cannot pull ${image}: ErrImagePull (i/o timeout)`,
      "0 of 1 ready; still waiting for the 1 above",
      `  Deployment/kubeflow/mysql: container mysql cannot pull ${image}: ImagePullBackOff (429 Too Many Requests)`,
      "1 of 1 ready",
    ]);
  });

  it("names crash loops and pods that cannot be scheduled with their reason, and keeps them apart from other workloads' pods", async () => {
    const db: Workload = { kind: "Deployment", namespace: "kubeflow", name: "katib-db-manager" };
    const api: Workload = { kind: "Deployment", namespace: "kubeflow", name: "ml-pipeline" };
    const other: Workload = { kind: "Deployment", namespace: "kubeflow", name: "not-ours" };
    const kubectl = cluster([db, api], () => [
      pod(db, "katib-db-manager-5c9d-abcde", {
        containers: {
          phase: "Running",
          containerStatuses: [
            {
              name: "katib-db-manager",
              state: {
                waiting: {
                  reason: "CrashLoopBackOff",
                  message:
                    "back-off 2m40s restarting failed container=katib-db-manager pod=katib-db-manager-5c9d-abcde_kubeflow(0f0e)",
                },
              },
              lastState: { terminated: { reason: "Error", exitCode: 1 } },
            },
          ],
        },
      }),
      pod(api, "ml-pipeline-6f7b-zzzzz", {
        containers: {
          phase: "Pending",
          conditions: [
            {
              type: "PodScheduled",
              status: "False",
              reason: "Unschedulable",
              message: "0/2 nodes are available: 2 Insufficient cpu.",
            },
          ],
        },
      }),
      pod(other, "not-ours-1", waitingIn("x", IMAGE, "ErrImagePull", NOT_FOUND)),
    ]);
    const opts = options(undefined, { timeoutSeconds: 30 });
    const error = await waitForReady([db, api], opts, kubectl.runner).catch((e: Error) => e);
    const crash =
      "Deployment/kubeflow/katib-db-manager: pod katib-db-manager-5c9d-abcde: container katib-db-manager CrashLoopBackOff " +
      "(back-off 2m40s restarting failed container=katib-db-manager pod=katib-db-manager-5c9d-abcde_kubeflow(0f0e)); last exit 1 (Error)";
    const pending =
      "Deployment/kubeflow/ml-pipeline: pod ml-pipeline-6f7b-zzzzz Unschedulable (0/2 nodes are available: 2 Insufficient cpu.)";
    expect(opts.lines.slice(0, 3)).toEqual([
      "0 of 2 ready; waiting for Deployment/kubeflow/katib-db-manager, Deployment/kubeflow/ml-pipeline",
      `  ${crash}`,
      `  ${pending}`,
    ]);
    expect((error as Error).message).toBe(
      `2 of 2 workloads not ready after 1 minutes:\n  ${crash}\n  ${pending}\n` +
        "Check them with kubectl describe, then run the install again (it keeps what is applied).",
    );
    expect(polls(kubectl)).toBe(3);
  });

  it("matches pods by the workload's selector, matchExpressions included", () => {
    const selector = {
      matchLabels: { app: "x" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["api", "web"] },
        { key: "canary", operator: "DoesNotExist" },
      ],
    };
    expect(selects(selector, { app: "x", tier: "api" })).toBe(true);
    expect(selects(selector, { app: "x", tier: "db" })).toBe(false);
    expect(selects(selector, { app: "x", tier: "api", canary: "1" })).toBe(false);
    expect(selects(selector, { app: "y", tier: "api" })).toBe(false);
    expect(selects({}, { app: "x" })).toBe(false);
  });
});
