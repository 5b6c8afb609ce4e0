/**
 * npm run deploy / npm run destroy end to end: the real runner (scripts/deploy.ts) as a process,
 * with fake cdktf, terraform, aws and kubectl first on PATH (fixtures/fake-cli) and a world (a
 * folder) they share. Their kustomize returns a small build: the real overlay is kubeflow-install.test.ts's subject.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CREDENTIAL_KEYS,
  OAUTH2_PROXY_SECRET,
  OIDC_CLIENT_SECRET,
  CREDENTIALS_SECRET,
  paramsToConfigMapData,
} from "../lib/kubeflow-overlay";
import { STAGE_IDS } from "../lib/stages";
import { TEST_PARAMS } from "./fixtures/kubeflow-params";
import { REPO_ROOT } from "./helpers";

type StageState = "absent" | "deployed" | "kept";
const STACKS = STAGE_IDS.filter((s) => s !== "kubeflow-install");
const b64 = (v: string) => Buffer.from(v).toString("base64");

let dir: string;
let bin: string;
let world: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "deploy-e2e-"));
  bin = path.join(dir, "bin");
  mkdirSync(bin);
  const script = path.join(REPO_ROOT, "__tests__", "fixtures", "fake-cli", "fake-cli.sh");
  // The script is committed executable; each tool is a symlink to it.
  for (const tool of ["cdktf", "terraform", "aws", "kubectl"]) symlinkSync(script, path.join(bin, tool));
  world = path.join(dir, "world");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A new world: every stack in `state`, the cluster and its ALB there when deployed, Kubeflow installed. */
function freshWorld(state: StageState): void {
  rmSync(world, { recursive: true, force: true });
  mkdirSync(path.join(world, "kubectl"), { recursive: true });
  for (const s of STACKS) writeFileSync(path.join(world, `stage.${s}`), state);
  if (state === "deployed") writeFileSync(path.join(world, "cluster"), "");
  // The install is not what is tested here (kubeflow-install.test.ts is): Kubeflow reports as installed.
  writeFileSync(path.join(world, "alb"), "");
  writeFileSync(path.join(world, "kubeflow-installed"), "");
  const k = (name: string, body: unknown) => writeFileSync(path.join(world, "kubectl", name), JSON.stringify(body));
  k("configmap.json", { data: paramsToConfigMapData(TEST_PARAMS) });
  k(`secret-${OIDC_CLIENT_SECRET.name}.json`, { data: { "client-id": b64("cid"), "client-secret": b64("csecret") } });
  k(`secret-${OAUTH2_PROXY_SECRET.name}.json`, { data: { "cookie-secret": b64("stand-in-cookie") } });
  k(`secret-${CREDENTIALS_SECRET.name}.json`, {
    data: Object.fromEntries(Object.values(CREDENTIAL_KEYS).map((key) => [key, b64(`value-${key}`)])),
  });
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

function runner(command: "deploy" | "destroy", args: string[], env: Record<string, string> = {}, input?: string) {
  writeFileSync(path.join(world, "calls"), "");
  const result = spawnSync(
    process.execPath,
    ["--require", "./scripts/register-ts.cjs", "scripts/deploy.ts", command, ...args],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
      input,
      env: {
        PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: dir,
        FAKE_WORLD: world,
        KF_POLL_SECONDS: "0",
        ...env,
      },
    },
  );
  const calls = readFileSync(path.join(world, "calls"), "utf8").split("\n").filter(Boolean);
  const cdktfCalls = calls.filter((c) => /^cdktf (deploy|destroy) /.test(c)).map((c) => c.split(" --")[0]);
  return { status: result.status, stderr: result.stderr, calls, cdktfCalls };
}

describe("npm run deploy, end to end", () => {
  beforeAll(() => freshWorld("absent"));

  it("stops at the failing stage, names it and the command that resumes", () => {
    failOnce("cdktf deploy dns");
    const r = runner("deploy", ["--yes"]);
    expect(r.status).toBe(1);
    expect(r.cdktfCalls).toEqual([
      "cdktf deploy bootstrap",
      "cdktf deploy eks",
      "cdktf deploy addons",
      "cdktf deploy auth",
      "cdktf deploy kubeflow",
      "cdktf deploy dns",
    ]);
    expect(r.stderr).toMatch(/\[1\/9\] bootstrap: done \(\d+s; \d+s in all\)/);
    expect(r.stderr).toContain("[6/9] kubeflow-install: skipped, nothing to change");
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
    expect(stages()).toMatchObject({ kubeflow: "deployed", dns: "absent", fsx: "absent" });
  });

  it("resumes with --from at that stage and finishes", () => {
    const r = runner("deploy", ["--yes", "--from", "dns"]);
    expect(r.status).toBe(0);
    expect(r.cdktfCalls).toEqual(["cdktf deploy dns", "cdktf deploy dashboard", "cdktf deploy fsx"]);
    expect(r.stderr).toMatch(/deploy finished in \d+s/);
    expect(Object.values(stages()).every((s) => s === "deployed")).toBe(true);
  });

  it("skips every stage on a second run: nothing to change, nothing applied", () => {
    const r = runner("deploy", ["--yes"]);
    expect(r.status).toBe(0);
    expect(r.cdktfCalls).toEqual([]);
    expect(r.stderr.match(/: skipped, nothing to change/g)).toHaveLength(9);
    // Each stage was still planned, to know it had nothing to change.
    expect(r.calls.filter((c) => /^terraform .* plan /.test(c))).toHaveLength(8);
  });

  it("names a locked stage's lock and how to release it safely", () => {
    const r = runner("deploy", ["--yes", "--only", "addons"], { FAKE_LOCKED: "addons" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the state of stage addons is locked: lock ID 11111111-2222-3333-4444-555555555555");
    expect(r.stderr).toContain("held by someone@elsewhere");
    expect(r.stderr).toContain(
      "terraform -chdir=cdktf.out/stacks/addons force-unlock 11111111-2222-3333-4444-555555555555",
    );
    expect(r.stderr).toContain("Resume with: npm run deploy -- --from addons --yes");
    expect(r.cdktfCalls).toEqual([]);
  });

  it("without credentials says so before anything runs", () => {
    const r = runner("deploy", ["--yes"], { FAKE_NO_CREDENTIALS: "1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /error: no usable AWS credentials \(aws sts get-caller-identity failed\), so nothing was run/,
    );
    expect(r.stderr).toContain("Unable to locate credentials");
    expect(r.calls).toEqual(["aws sts get-caller-identity --output json"]);
  });

  it("--dry-run prints the plan and runs nothing, with no credentials at all", () => {
    const r = runner("deploy", ["--dry-run"], { FAKE_NO_CREDENTIALS: "1" });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.stderr.split("\n").filter((l) => /^ {2}\d\. /.test(l))).toHaveLength(9);
  });

  it("rejects an unknown stage, listing the valid ones, before anything runs", () => {
    const r = runner("deploy", ["--from", "kubflow"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'unknown stage "kubflow" for --from: the stages are bootstrap, eks, addons, auth, kubeflow, kubeflow-install, dns, dashboard, fsx',
    );
    expect(r.calls).toEqual([]);
  });
});

describe("npm run destroy, end to end", () => {
  beforeAll(() => freshWorld("deployed"));

  it("cleans up the cluster first, then tears down in reverse; an interruption stops it with the resume command", () => {
    failOnce("cdktf destroy addons");
    const r = runner("destroy", ["--yes"]);
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
      "cdktf destroy kubeflow",
      "cdktf destroy addons",
    ]);
    expect(r.calls.find((c) => c.startsWith("cdktf deploy fsx"))).toContain("--output cdktf.out.keep-data");
    expect(r.stderr).toContain("[6/9] auth: kept");
    expect(r.stderr).toContain("Resume with: npm run destroy -- --from addons --yes");
    expect(stages()).toMatchObject({ fsx: "kept", dns: "absent", auth: "deployed", addons: "deployed" });
  });

  it("resumes, and never destroys what it keeps: the file system, buckets, keys, user pool and state", () => {
    const r = runner("destroy", ["--yes", "--from", "addons"]);
    expect(r.status).toBe(0);
    expect(r.cdktfCalls).toEqual(["cdktf destroy addons", "cdktf deploy eks"]);
    expect(r.calls.find((c) => c.startsWith("cdktf deploy eks"))).toContain("--output cdktf.out.keep-data");
    expect(stages()).toEqual({
      bootstrap: "deployed",
      eks: "kept",
      addons: "absent",
      auth: "deployed",
      kubeflow: "absent",
      dns: "absent",
      dashboard: "absent",
      fsx: "kept",
    });
    expect(r.calls.filter((c) => / apply .*-target=/.test(c))).toEqual([]);
  });

  it("run again, finds the cluster gone and nothing left to do", () => {
    const r = runner("destroy", ["--yes"]);
    expect(r.status).toBe(0);
    expect(r.cdktfCalls).toEqual([]);
    expect(r.stderr).toContain("cluster kubeflow is gone: nothing to clean up in it");
    expect(r.calls.filter((c) => c.startsWith("kubectl") && !c.startsWith("kubectl version --client"))).toEqual([]);
  });

  it("resumed after the cluster is gone, forgets the Kubernetes objects left in a kept stage's state", () => {
    writeFileSync(path.join(world, "fsx-objects"), "");
    const r = runner("destroy", ["--yes", "--from", "fsx"]);
    expect(r.status).toBe(0);
    const objects = [
      "kubernetes_persistent_volume_v1.notebook-volume_volume_1A2B3C4D",
      "kubernetes_daemonset_v1.fsx-csi-driver_node_5E6F7A8B",
    ];
    expect(r.calls).toContain(`terraform -chdir=cdktf.out.keep-data/stacks/fsx state rm ${objects.join(" ")}`);
    expect(r.stderr).toContain(
      `cluster kubeflow is gone, and with it 2 object(s) still in fsx's state; forgetting them: ${objects.join(", ")}`,
    );
    // Only after asking AWS whether the cluster is there.
    const asked = r.calls.findIndex((c) => c.startsWith("aws eks describe-cluster --name kubeflow"));
    const forgot = r.calls.findIndex((c) => c.includes(" state rm "));
    expect(asked).toBeGreaterThanOrEqual(0);
    expect(asked).toBeLessThan(forgot);
    expect(stages()).toMatchObject({ fsx: "kept", eks: "kept" });
  });

  it("--dry-run names what it keeps, offline", () => {
    const r = runner("destroy", ["--dry-run"], { FAKE_NO_CREDENTIALS: "1" });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.stderr).toContain("destroy, keeping the data: 9 stages, in order");
    expect(r.stderr).toMatch(/keeps the FSx for Lustre file system kubeflow-shared/);
    expect(r.stderr).toMatch(/bootstrap: kept, nothing run: the state bucket/);
  });
});

describe("npm run destroy --delete-data, end to end", () => {
  beforeAll(() => freshWorld("deployed"));

  it("asks for the cluster name and runs nothing without it", () => {
    const r = runner("destroy", ["--yes", "--delete-data"], {}, "prod\n");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("--delete-data also deletes, for good:");
    expect(r.stderr).toContain("Type the cluster name (kubeflow) to delete the data:");
    expect(r.stderr).toContain("error: not confirmed: nothing was run");
    expect(r.calls).toEqual(["aws sts get-caller-identity --output json", "kubectl version --client -o json"]);
    expect(Object.values(stages()).every((s) => s === "deployed")).toBe(true);
  });

  it("confirmed, lifts the guards held in state, then destroys every stack, bootstrap last", () => {
    const r = runner("destroy", ["--yes", "--delete-data"], {}, "kubeflow\n");
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
});
