/**
 * npm run deploy / npm run destroy end to end: the real runner (scripts/deploy.ts; as a process
 * where it reads a typed answer, else what that process runs, in this one), with fake cdktf,
 * terraform, aws and kubectl first on PATH (fixtures/fake-cli) and a world (a
 * folder) they share. Their kustomize returns a small build: the real overlay is kubeflow-install.test.ts's subject.
 * The fake keeps the kubeflow stage's Terraform state resource by resource, so a teardown that keeps
 * the data and the deploy after it show which credentials survive; the other stages are a word each.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import {
  CREDENTIAL_KEYS,
  CREDENTIALS_SECRET,
  OAUTH2_PROXY_SECRET,
  OIDC_CLIENT_SECRET,
  paramsToConfigMapData,
} from "../lib/kubeflow-overlay";
import { STAGE_IDS } from "../lib/stages";
import { runCommandLine } from "../scripts/deploy";
import { TEST_PARAMS } from "./fixtures/kubeflow-params";

// Not from ./helpers: that loads the whole app (cdktf and the provider bindings), which nothing here uses.
const REPO_ROOT = path.join(__dirname, "..");

const STACKS = STAGE_IDS.filter((s) => s !== "kubeflow-install");
const b64 = (v: string) => Buffer.from(v).toString("base64");

let dir: string;
let bin: string;
let world: string;
const script = path.join(REPO_ROOT, "__tests__", "fixtures", "fake-cli", "fake-cli.sh");

/**
 * terraform: `show -json` of the fsx stage, which the shared fake does not model, answered from the
 * world's fsx-show.json (a stage that is not parked without it); everything else goes to the fake.
 */
const terraformWithFsxState = (fake: string) => `#!/bin/sh
case "$1 $2" in
"-chdir="*"/stacks/fsx show")
  printf '%s\\n' "terraform $*" >>"$FAKE_WORLD/calls"
  if [ -f "$FAKE_WORLD/fsx-show.json" ]; then cat "$FAKE_WORLD/fsx-show.json"
  else echo '{"format_version":"1.0","values":{"outputs":{"parked":{"value":false}}}}'
  fi
  exit 0 ;;
esac
exec "${fake}" terraform "$@"
`;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "deploy-e2e-"));
  bin = path.join(dir, "bin");
  mkdirSync(bin);
  // The script is committed executable; each tool is a symlink to it.
  for (const tool of ["cdktf", "aws", "kubectl"]) symlinkSync(script, path.join(bin, tool));
  writeFileSync(path.join(bin, "terraform"), terraformWithFsxState(script), { mode: 0o755 });
  world = path.join(dir, "world");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A new world where everything is deployed: every stack, the cluster, Kubeflow with its ALB, and the
 * kubeflow stage's resources as the fake's deploy of it makes them (new random passwords, and the
 * Secret in kube-system holding them).
 */
function freshDeployedWorld(): void {
  rmSync(world, { recursive: true, force: true });
  mkdirSync(path.join(world, "kubectl"), { recursive: true });
  for (const s of STACKS) writeFileSync(path.join(world, `stage.${s}`), "deployed");
  writeFileSync(path.join(world, "cluster"), "");
  writeFileSync(path.join(world, "alb"), "");
  writeFileSync(path.join(world, "kubeflow-installed"), "");
  const k = (name: string, body: unknown) => writeFileSync(path.join(world, "kubectl", name), JSON.stringify(body));
  k("configmap.json", { data: paramsToConfigMapData(TEST_PARAMS) });
  k(`secret-${OIDC_CLIENT_SECRET.name}.json`, { data: { "client-id": b64("cid"), "client-secret": b64("csecret") } });
  k(`secret-${OAUTH2_PROXY_SECRET.name}.json`, { data: { "cookie-secret": b64("stand-in-cookie") } });
  fake("cdktf", "deploy", "kubeflow", "--output", "cdktf.out");
  writeFileSync(
    path.join(world, "kubectl", "build.yaml"),
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubeflow\n---\n" +
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ml-pipeline\n  namespace: kubeflow\n" +
      "spec:\n  selector:\n    matchLabels:\n      app: ml-pipeline\n",
  );
}
const stages = () =>
  Object.fromEntries(STACKS.map((s) => [s, readFileSync(path.join(world, `stage.${s}`), "utf8").trim()]));
const failOnce = (call: string) => writeFileSync(path.join(world, "fail-once"), call);
/** One call of a fake tool, outside any run (to set the world up). */
function fake(...args: string[]): void {
  const r = spawnSync(script, args, { env: { PATH: "/usr/bin:/bin", FAKE_WORLD: world }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`fake ${args.join(" ")} failed: ${r.stderr}`);
}

type Credentials = Record<string, string>;
/** The kubeflow stage's Terraform state as the fake keeps it: each resource's address, a password's value. */
function kubeflowState(): Record<string, string | undefined> {
  const file = path.join(world, "state.kubeflow");
  if (!existsSync(file)) return {};
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
  return Object.fromEntries(lines.map((l) => l.split(" ")).map(([address, value]) => [address, value]));
}
/** The Secret kube-system/kubeflow-credentials in the cluster, decoded; undefined when it is not there. */
function credentialsSecret(): Credentials | undefined {
  const file = path.join(world, "kubectl", `secret-${CREDENTIALS_SECRET.name}.json`);
  if (!existsSync(file)) return undefined;
  const { data } = JSON.parse(readFileSync(file, "utf8")) as { data: Record<string, string> };
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}
/** The Secrets the install applied, by namespace/name, with their stringData (the CRDs applied with them are not parsed). */
function appliedSecrets(): Record<string, Record<string, string>> {
  const file = path.join(world, "applied");
  const chunks = existsSync(file) ? readFileSync(file, "utf8").split(/^---$/m) : [];
  const secrets = chunks
    .filter((text) => /^kind: Secret$/m.test(text))
    .map(
      (text) => parse(text) as { metadata: { namespace: string; name: string }; stringData: Record<string, string> },
    );
  return Object.fromEntries(secrets.map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, d.stringData]));
}
/** The kubeflow stage's passwords in its state, by address. */
const passwordsInState = () =>
  Object.fromEntries(Object.entries(kubeflowState()).filter(([address]) => address.startsWith("random_password.")));
/** The passwords (and the Secret holding them) the world of the teardown and re-deploy below was deployed with. */
let deployed: { passwords: Record<string, string | undefined>; secret: Credentials } = { passwords: {}, secret: {} };

/** The environment the runner gets: the fake tools first on PATH, the world, no waiting between polls. */
const runnerEnv = (env: Record<string, string>): Record<string, string> => ({
  PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
  HOME: dir,
  FAKE_WORLD: world,
  KF_POLL_SECONDS: "0",
  ...env,
});

/**
 * One run of the runner. With `input` (a typed answer) it is a process of its own, as `npm run` starts
 * it; otherwise runCommandLine, what that process runs, is called here with the same environment and
 * stderr captured (a process costs a third of a second to start, most of this file's time).
 */
async function runner(
  command: "deploy" | "destroy",
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<{ status: number | null; stderr: string; calls: string[]; cdktfCalls: string[] }> {
  writeFileSync(path.join(world, "calls"), "");
  let status: number | null;
  let stderr: string;
  if (input !== undefined) {
    const result = spawnSync(
      process.execPath,
      ["--require", "./scripts/register-ts.cjs", "scripts/deploy.ts", command, ...args],
      { cwd: REPO_ROOT, encoding: "utf8", input, env: runnerEnv(env) },
    );
    [status, stderr] = [result.status, result.stderr];
  } else {
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, runnerEnv(env));
    const written: string[] = [];
    const capture = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      // No registry lookups: this file stays offline (image-preflight.test.ts runs the preflight in the runner).
      status = await runCommandLine(command, args, { imagePreflight: false });
    } finally {
      capture.mockRestore();
      for (const key of Object.keys(process.env)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    stderr = written.join("");
  }
  const calls = readFileSync(path.join(world, "calls"), "utf8").split("\n").filter(Boolean);
  const cdktfCalls = calls.filter((c) => /^cdktf (deploy|destroy) /.test(c)).map((c) => c.split(" --")[0]);
  return { status, stderr, calls, cdktfCalls };
}

describe("npm run destroy, end to end", () => {
  beforeAll(() => {
    freshDeployedWorld();
    deployed = { passwords: passwordsInState(), secret: credentialsSecret()! };
  });

  it("cleans up the cluster first, then tears down in reverse; an interruption stops it with the resume command", async () => {
    failOnce("cdktf destroy addons");
    const r = await runner("destroy", ["--yes"]);
    expect(r.status).toBe(1);
    const ingress = r.calls.findIndex((c) => c.startsWith("kubectl -n istio-system delete ingress kubeflow"));
    const albGone = r.calls.findIndex((c, i) => i > ingress && c.startsWith("aws elbv2 describe-load-balancers"));
    const sgsGone = r.calls.findIndex((c, i) => i > albGone && c.startsWith("aws ec2 describe-security-groups"));
    const claims = r.calls.findIndex((c) =>
      c.startsWith("kubectl delete persistentvolumeclaims --all --all-namespaces"),
    );
    const firstStack = r.calls.findIndex((c) => /^cdktf (deploy|destroy) /.test(c));
    expect(ingress).toBeGreaterThanOrEqual(0);
    expect([ingress < albGone, albGone < sgsGone, sgsGone < claims, claims < firstStack]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(r.calls).toContain(
      "kubectl delete profiles.kubeflow.org --all --ignore-not-found --wait=true --timeout=10m",
    );
    expect(r.cdktfCalls).toEqual([
      "cdktf deploy fsx",
      "cdktf destroy dashboard",
      "cdktf deploy dns",
      "cdktf deploy kubeflow",
      "cdktf destroy addons",
    ]);
    for (const stage of ["fsx", "kubeflow"])
      expect(r.calls.find((c) => c.startsWith(`cdktf deploy ${stage}`))).toContain("--output cdktf.out.keep-data");
    expect(r.stderr).toContain("[6/9] auth: kept");
    expect(r.stderr).toContain("Resume with: npm run destroy -- --from addons --yes");
    expect(stages()).toMatchObject({
      fsx: "kept",
      dns: "absent",
      kubeflow: "kept",
      auth: "deployed",
      addons: "deployed",
    });
  });

  it("keeps the kubeflow stage's passwords in its state, as they were, and deletes the rest of the stage", () => {
    expect(Object.keys(deployed.passwords)).toHaveLength(4);
    expect(kubeflowState()).toEqual(deployed.passwords);
    // The load balancer controller, the ConfigMap and the Secrets in kube-system went with the rest.
    expect(credentialsSecret()).toBeUndefined();
  });

  it("resumes, and never destroys what it keeps: the file system, buckets, keys, user pool and state", async () => {
    const r = await runner("destroy", ["--yes", "--from", "addons"]);
    expect(r.status).toBe(0);
    expect(r.cdktfCalls).toEqual(["cdktf destroy addons", "cdktf deploy eks"]);
    expect(r.calls.find((c) => c.startsWith("cdktf deploy eks"))).toContain("--output cdktf.out.keep-data");
    expect(stages()).toEqual({
      bootstrap: "deployed",
      eks: "kept",
      addons: "absent",
      auth: "deployed",
      kubeflow: "kept",
      dns: "absent",
      dashboard: "absent",
      fsx: "kept",
    });
    expect(r.calls.filter((c) => / apply .*-target=/.test(c))).toEqual([]);
  });

  it("run again, finds the cluster gone and nothing left to do", async () => {
    const r = await runner("destroy", ["--yes"]);
    expect(r.status).toBe(0);
    expect(r.cdktfCalls).toEqual([]);
    expect(r.stderr).toContain("cluster kubeflow is gone: nothing to clean up in it");
    expect(r.calls.filter((c) => c.startsWith("kubectl") && !c.startsWith("kubectl version --client"))).toEqual([]);
  });

  it("resumed after the cluster is gone, forgets the Kubernetes objects and Helm releases left in a kept stage's state", async () => {
    writeFileSync(path.join(world, "fsx-objects"), "");
    // The kubeflow stage as deployed (a cluster deleted by hand before its teardown): its release and objects in state.
    fake("cdktf", "deploy", "kubeflow", "--output", "cdktf.out");
    const r = await runner("destroy", ["--yes", "--from", "fsx"]);
    expect(r.status).toBe(0);
    const objects = [
      "kubernetes_persistent_volume_v1.notebook-volume_volume_1A2B3C4D",
      "kubernetes_daemonset_v1.fsx-csi-driver_node_5E6F7A8B",
    ];
    expect(r.calls).toContain(`terraform -chdir=cdktf.out.keep-data/stacks/fsx state rm ${objects.join(" ")}`);
    expect(r.stderr).toContain(
      `cluster kubeflow is gone, and with it 2 object(s) still in fsx's state; forgetting them: ${objects.join(", ")}`,
    );
    const kubeflowObjects = [
      "helm_release.aws-load-balancer-controller_chart_release_C4D55411",
      "kubernetes_config_map_v1.install-inputs_params_978ADD9D",
      "kubernetes_secret_v1.install-inputs_credentials_0DF6D92C",
      "kubernetes_secret_v1.install-inputs_oidc-client_B26B8DC5",
    ];
    expect(r.calls).toContain(
      `terraform -chdir=cdktf.out.keep-data/stacks/kubeflow state rm ${kubeflowObjects.join(" ")}`,
    );
    expect(r.stderr).toContain("cluster kubeflow is gone, and with it 4 object(s) still in kubeflow's state");
    // Only after asking AWS whether the cluster is there.
    const asked = r.calls.findIndex((c) => c.startsWith("aws eks describe-cluster --name kubeflow"));
    const forgot = r.calls.findIndex((c) => c.includes(" state rm "));
    expect(asked).toBeGreaterThanOrEqual(0);
    expect(asked).toBeLessThan(forgot);
    expect(r.cdktfCalls).toEqual(["cdktf deploy kubeflow"]);
    expect(stages()).toMatchObject({ fsx: "kept", kubeflow: "kept", eks: "kept" });
    expect(kubeflowState()).toEqual(deployed.passwords);
  });

  it("--dry-run names what it keeps, offline", async () => {
    const r = await runner("destroy", ["--dry-run"], { FAKE_NO_CREDENTIALS: "1" });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.stderr).toContain("destroy, keeping the data: 9 stages, in order");
    expect(r.stderr).toMatch(/keeps the FSx for Lustre file system kubeflow-shared/);
    expect(r.stderr).toMatch(
      /kubeflow: cdktf deploy kubeflow \(cdktf\.out\.keep-data\): deletes the rest, keeps the generated root passwords of Kubeflow Pipelines' and Katib's MySQL and the artifact store's keys/,
    );
    expect(r.stderr).toMatch(/bootstrap: kept, nothing run: the state bucket/);
  });
});

// The world the teardown above left: a deploy after `npm run destroy`, as a user runs it.
describe("npm run deploy after it, end to end", () => {
  it("starts from what the teardown kept: bootstrap and auth whole; eks, kubeflow and fsx reduced; Kubeflow uninstalled", () => {
    expect(stages()).toEqual({
      bootstrap: "deployed",
      eks: "kept",
      addons: "absent",
      auth: "deployed",
      kubeflow: "kept",
      dns: "absent",
      dashboard: "absent",
      fsx: "kept",
    });
    expect(existsSync(path.join(world, "kubeflow-installed"))).toBe(false);
  });

  it("stops at the failing stage, names it and the command that resumes", async () => {
    failOnce("cdktf deploy dns");
    const r = await runner("deploy", ["--yes"]);
    expect(r.status).toBe(1);
    expect(r.cdktfCalls).toEqual([
      "cdktf deploy eks",
      "cdktf deploy addons",
      "cdktf deploy kubeflow",
      "cdktf deploy dns",
    ]);
    expect(r.stderr).toMatch(/\[1\/9\] bootstrap: skipped, nothing to change \(\d+s; \d+s in all\)/);
    expect(r.stderr).toMatch(/\[2\/9\] eks: done \(\d+s; \d+s in all\)/);
    expect(r.stderr).toMatch(/\[6\/9\] kubeflow-install: done/);
    expect(r.stderr).toContain("the Kubeflow Ingress has its ALB: k8s-kubeflow-fake.elb.example");
    expect(r.stderr).toMatch(
      /error: deploy stopped at stage dns \(7 of 9\) after \d+s:\ncdktf deploy dns failed \(exit 1\)/,
    );
    expect(r.stderr).toContain("Resume with: npm run deploy -- --from dns --yes");
    expect(r.calls).toContain("cdktf synth --output cdktf.out");
    expect(
      r.calls
        .filter((c) => c.startsWith("cdktf deploy"))
        .every((c) => c.includes("--skip-synth --ignore-missing-stack-dependencies --auto-approve")),
    ).toBe(true);
    expect(stages()).toMatchObject({ kubeflow: "deployed", dns: "absent", fsx: "kept" });
  });

  it("has brought back the credentials the teardown kept, and installed Kubeflow with them", () => {
    // The kubeflow stage kept its passwords in state and wrote the same ones into kube-system.
    expect(passwordsInState()).toEqual(deployed.passwords);
    expect(credentialsSecret()).toEqual(deployed.secret);
    // The install read them there and applied them where KFP, Katib and the artifact store read them.
    const secret = deployed.secret;
    expect(appliedSecrets()).toMatchObject({
      "kubeflow/mysql-secret": { username: "root", password: secret[CREDENTIAL_KEYS.kfpMysqlPassword] },
      "kubeflow/katib-mysql-secrets": { MYSQL_ROOT_PASSWORD: secret[CREDENTIAL_KEYS.katibMysqlPassword] },
      "kubeflow/mlpipeline-minio-artifact": {
        accesskey: secret[CREDENTIAL_KEYS.artifactStoreAccessKey],
        secretkey: secret[CREDENTIAL_KEYS.artifactStoreSecretKey],
      },
    });
  });

  it("resumes with --from at that stage and finishes", async () => {
    const r = await runner("deploy", ["--yes", "--from", "dns"]);
    expect(r.status).toBe(0);
    expect(r.cdktfCalls).toEqual(["cdktf deploy dns", "cdktf deploy dashboard", "cdktf deploy fsx"]);
    expect(r.stderr).toMatch(/deploy finished in \d+s/);
    expect(Object.values(stages()).every((s) => s === "deployed")).toBe(true);
  });

  it("skips every stage on a second run: nothing to change, nothing applied", async () => {
    const r = await runner("deploy", ["--yes"]);
    expect(r.status).toBe(0);
    expect(r.cdktfCalls).toEqual([]);
    expect(r.stderr.match(/: skipped, nothing to change/g)).toHaveLength(9);
    // Each stage was still planned, to know it had nothing to change.
    expect(r.calls.filter((c) => /^terraform .* plan /.test(c))).toHaveLength(8);
  });

  it("names a locked stage's lock and how to release it safely", async () => {
    const r = await runner("deploy", ["--yes", "--only", "addons"], { FAKE_LOCKED: "addons" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the state of stage addons is locked: lock ID 11111111-2222-3333-4444-555555555555");
    expect(r.stderr).toContain("held by someone@elsewhere");
    expect(r.stderr).toContain(
      "terraform -chdir=cdktf.out/stacks/addons force-unlock 11111111-2222-3333-4444-555555555555",
    );
    expect(r.stderr).toContain("Resume with: npm run deploy -- --from addons --yes");
    expect(r.cdktfCalls).toEqual([]);
  });

  it("without credentials says so before anything runs", async () => {
    const r = await runner("deploy", ["--yes"], { FAKE_NO_CREDENTIALS: "1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /error: no usable AWS credentials \(aws sts get-caller-identity failed\), so nothing was run/,
    );
    expect(r.stderr).toContain("Unable to locate credentials");
    expect(r.calls).toEqual(["aws sts get-caller-identity --output json"]);
  });

  it("--dry-run prints the plan and runs nothing, with no credentials at all", async () => {
    const r = await runner("deploy", ["--dry-run"], { FAKE_NO_CREDENTIALS: "1" });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.stderr.split("\n").filter((l) => /^ {2}\d\. /.test(l))).toHaveLength(9);
  });

  it("rejects an unknown stage, listing the valid ones, before anything runs", async () => {
    const r = await runner("deploy", ["--from", "kubflow"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'unknown stage "kubflow" for --from: the stages are bootstrap, eks, addons, auth, kubeflow, kubeflow-install, dns, dashboard, fsx',
    );
    expect(r.calls).toEqual([]);
  });
});

describe("npm run destroy --delete-data, end to end", () => {
  let passwords: Record<string, string | undefined>;
  beforeAll(() => {
    freshDeployedWorld();
    passwords = passwordsInState();
  });

  it("asks for the cluster name and runs nothing without it", async () => {
    const r = await runner("destroy", ["--yes", "--delete-data"], {}, "prod\n");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("--delete-data also deletes, for good:");
    expect(r.stderr).toContain("Type the cluster name (kubeflow) to delete the data:");
    expect(r.stderr).toContain("error: not confirmed: nothing was run");
    expect(r.calls).toEqual(["aws sts get-caller-identity --output json", "kubectl version --client -o json"]);
    expect(Object.values(stages()).every((s) => s === "deployed")).toBe(true);
  });

  it("confirmed, lifts the guards held in state, then destroys every stack, bootstrap last", async () => {
    const r = await runner("destroy", ["--yes", "--delete-data"], {}, "kubeflow\n");
    expect(r.status).toBe(0);
    expect(r.calls).toContain("cdktf synth --output cdktf.out.delete-data");
    expect(r.cdktfCalls).toEqual([
      "cdktf destroy fsx",
      "cdktf destroy dashboard",
      "cdktf deploy dns",
      "cdktf destroy kubeflow",
      "cdktf destroy auth",
      "cdktf destroy addons",
      "cdktf destroy eks",
      "cdktf destroy bootstrap",
    ]);
    const applies = r.calls.filter((c) => / apply /.test(c));
    expect(applies).toEqual([
      "terraform -chdir=cdktf.out.delete-data/stacks/fsx apply -input=true -target=aws_s3_bucket.data-bucket_bucket_5E6F7A8B -auto-approve",
      "terraform -chdir=cdktf.out.delete-data/stacks/auth apply -input=true -target=aws_cognito_user_pool.login_user-pool_3A4B5C6D -auto-approve",
      "terraform -chdir=cdktf.out.delete-data/stacks/bootstrap apply -input=true -target=aws_s3_bucket.state_bucket_1A2B3C4D -auto-approve",
    ]);
    const fsxApply = r.calls.indexOf(applies[0]);
    expect(fsxApply).toBeLessThan(r.calls.findIndex((c) => c.startsWith("cdktf destroy fsx")));
    expect(Object.values(stages()).every((s) => s === "absent")).toBe(true);
  });

  it("deletes the kubeflow stage's passwords with the data", () => {
    // This world's deploy made its own: a new password gets a new random value, so the ones a re-deploy
    // brought back above were kept, not made again alike.
    expect(Object.keys(passwords)).toHaveLength(4);
    for (const [address, value] of Object.entries(passwords)) expect(value).not.toBe(deployed.passwords[address]);
    expect(kubeflowState()).toEqual({});
    expect(credentialsSecret()).toBeUndefined();
  });
});

// A parked fsx stage (npm run fsx -- park): its state's output says parked and it holds no file system.
describe("a parked fsx stage, end to end", () => {
  const FILE_SYSTEM = "aws_fsx_lustre_file_system.lustre_file-system_4C99FD79";
  const showState = (parked: boolean, fileSystem: boolean) =>
    writeFileSync(
      path.join(world, "fsx-show.json"),
      JSON.stringify({
        format_version: "1.0",
        values: {
          outputs: { parked: { value: parked } },
          root_module: {
            resources: [
              {
                address: "aws_s3_bucket.data-bucket_bucket_5E6F7A8B",
                mode: "managed",
                type: "aws_s3_bucket",
                values: { id: "b" },
              },
              ...(fileSystem
                ? [
                    {
                      address: FILE_SYSTEM,
                      mode: "managed",
                      type: "aws_fsx_lustre_file_system",
                      values: { id: "fs-0aaa" },
                    },
                  ]
                : []),
            ],
          },
        },
      }),
    );
  beforeEach(() => {
    freshDeployedWorld();
    showState(true, false);
  });

  it("stays parked through npm run deploy: the parked stage is deployed, never the whole one, and the run says how to unpark", async () => {
    const r = await runner("deploy", ["--yes", "--only", "fsx"]);
    expect(r.status).toBe(0);
    expect(r.calls).toContain("cdktf synth --output cdktf.out.fsx-parked");
    expect(r.cdktfCalls).toEqual(["cdktf deploy fsx"]);
    expect(r.calls.find((c) => c.startsWith("cdktf deploy fsx"))).toContain("--output cdktf.out.fsx-parked");
    expect(r.calls.filter((c) => c.startsWith("terraform -chdir=cdktf.out/stacks/fsx plan"))).toEqual([]);
    expect(r.stderr).toContain(
      "fsx is parked (npm run fsx -- park): it stays parked, deployed from cdktf.out.fsx-parked; bring the file system back with: npm run fsx -- unpark",
    );
  });

  it("stops a deploy that finds a park stopped halfway, naming the file system and both ways on", async () => {
    showState(true, true);
    const r = await runner("deploy", ["--yes", "--only", "fsx"]);
    expect(r.status).toBe(1);
    expect(r.cdktfCalls).toEqual([]);
    expect(r.stderr).toContain(
      `the fsx stage's state says parked but still holds the file system fs-0aaa (${FILE_SYSTEM})`,
    );
    expect(r.stderr).toMatch(
      /Finish the park with npm run fsx -- park .*or bring the file system back with npm run fsx -- unpark/,
    );
  });

  it("is kept as it is by npm run destroy: its kept stack, which holds a file system, is not deployed", async () => {
    const r = await runner("destroy", ["--yes", "--only", "fsx"]);
    expect(r.status).toBe(0);
    expect(r.cdktfCalls).toEqual([]);
    expect(r.stderr).toContain("fsx is parked: no file system and nothing in the cluster to delete; kept as it is");
    expect(r.stderr).toMatch(/\[1\/1\] fsx: kept/);
  });
});
