/**
 * The install step end to end against a fake kubectl (kustomize itself is the real one), over a
 * tiny render laid out like the committed one in a temporary root, so every branch is quick: the
 * checks before anything is applied, the plan, the no-op, the apply order and the readiness wait.
 * The real render is exercised in kubeflow-overlay.test.ts.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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
  documentsOf,
  install,
  InstallError,
  installPlan,
  installSecrets,
  isAvailable,
  oauth2ProxySecretManifest,
  placeholderSecrets,
  requireKubectl,
  runCommand,
  selectKinds,
  summarizeApply,
  uninstallSteps,
  waitForIngressAddress,
  writePlan,
  type CommandResult,
  type InstallOptions,
  type Runner,
} from "../scripts/kubeflow-install";
import { TEST_PARAMS } from "./fixtures/kubeflow-params";

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

interface FakeCluster {
  reachable?: boolean;
  params?: KubeflowInstallParams;
  unchanged?: boolean;
  /** How many status polls before everything is available (Infinity: never). */
  readyAfterPolls?: number;
}

/** A kubectl that answers like a cluster, records what was applied, and really runs kustomize. */
function fakeKubectl(cluster: FakeCluster = {}) {
  const calls: { args: readonly string[]; input?: string }[] = [];
  let polls = 0;
  const secret = (data: Record<string, string>) =>
    ok(JSON.stringify({ data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) }));
  const runner: Runner = (command, args, input) => {
    calls.push({ args, input });
    if (command !== "kubectl") return runCommand(command, args, input);
    const a = args.join(" ");
    if (args[0] === "kustomize") return runCommand(command, args, input);
    if (a.startsWith("version --client")) return ok("{}");
    if (a === "get --raw /readyz")
      return cluster.reachable === false ? { status: 1, stdout: "", stderr: "dial tcp: i/o timeout" } : ok("ok");
    if (a.includes(`get configmap ${INSTALL_PARAMS_CONFIGMAP.name}`))
      return ok(JSON.stringify({ data: paramsToConfigMapData(cluster.params ?? TEST_PARAMS) }));
    if (a.includes(`get secret ${OIDC_CLIENT_SECRET.name}`))
      return secret({ "client-id": "cid", "client-secret": "csecret" });
    if (a.includes(`get secret ${OAUTH2_PROXY_SECRET.name}`)) return secret({ "cookie-secret": "stand-in-cookie" });
    if (a.includes(`get secret ${CREDENTIALS_SECRET.name}`))
      return secret(Object.fromEntries(Object.values(CREDENTIAL_KEYS).map((k) => [k, `value-of-${k}`])));
    if (args[0] === "diff") return cluster.unchanged ? ok() : { status: 1, stdout: "diff", stderr: "" };
    if (args[0] === "apply") return ok("x serverside-applied\n");
    if (a.startsWith("get deployments,statefulsets,daemonsets")) {
      polls++;
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
    if (a.includes("get pods -l app=ml-pipeline"))
      return ok(JSON.stringify({ items: [{ metadata: { name: "ml-pipeline-abc" } }] }));
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
  return { runner, calls, applied };
}

function options(root: string, overrides: Partial<InstallOptions> = {}): InstallOptions & { lines: string[] } {
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

describe("Kubeflow install step", () => {
  it("fails clearly when kubectl is missing", () => {
    const missing: Runner = () => ({ status: 127, stdout: "", stderr: "kubectl: command not found" });
    expect(() => requireKubectl(missing)).toThrow(InstallError);
    expect(() => requireKubectl(missing)).toThrow(/kubectl is required .* Install kubectl 1\.27 or newer/);
  });

  it("round-trips its parameters through the ConfigMap the kubeflow stack writes", () => {
    expect(paramsFromConfigMapData(paramsToConfigMapData(TEST_PARAMS))).toEqual(TEST_PARAMS);
    const withoutHost: Record<string, string | undefined> = { ...paramsToConfigMapData(TEST_PARAMS), host: undefined };
    expect(() => paramsFromConfigMapData(withoutHost)).toThrow(/has no key "host"; deploy the kubeflow stack again/);
  });

  it("installs: namespaces, then the Secrets through stdin, then everything, then waits until every workload is available", async () => {
    const root = fixtureRoot();
    const kubectl = fakeKubectl({ readyAfterPolls: 1 });
    const opts = options(root);
    await expect(install(opts, kubectl.runner)).resolves.toBe("installed");
    const [namespaces, secrets, everything] = kubectl.applied();
    expect(namespaces.args).toEqual([
      "apply",
      "--server-side",
      "--force-conflicts",
      "--field-manager",
      "kubeflow-install",
      "-f",
      "-",
    ]);
    expect(documentsOf(namespaces.input!).map((d) => d.kind)).toEqual(
      ["Namespace", "Namespace", "Namespace"].slice(0, documentsOf(namespaces.input!).length),
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
      /2\. Secrets, through kubectl's standard input: oauth2-proxy\/oauth2-proxy-credentials, kubeflow\/mysql-secret/,
    );
    expect(opts.lines.join("\n")).toMatch(/4\. wait until 2 Deployments, StatefulSets and DaemonSets are available/);
  });

  it("a second install with nothing changed says so and applies nothing", async () => {
    const kubectl = fakeKubectl({ unchanged: true });
    const opts = options(fixtureRoot());
    await expect(install(opts, kubectl.runner)).resolves.toBe("unchanged");
    expect(kubectl.applied()).toEqual([]);
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
    // Nothing to change: not even asked.
    const unchanged = options(fixtureRoot(), { confirm: async (plan) => (asked.push(plan), true) });
    await expect(install(unchanged, fakeKubectl({ unchanged: true }).runner)).resolves.toBe("unchanged");
    expect(asked).toHaveLength(1);
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
