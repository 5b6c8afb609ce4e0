import {
  DESTROY_ORDER,
  deployPlan,
  describeStep,
  destroyPlan,
  keptByStage,
  parseRunArgs,
  parseStateLock,
  readFsxState,
  resumeCommand,
  STAGE_IDS,
  stateLockMessage,
  synthEnvironment,
  synthsOf,
  UsageError,
  type RunOptions,
} from "../lib/stages";
import { configWith, defaultConfig } from "./helpers";

const config = defaultConfig();
const run = (o: Partial<RunOptions> = {}): RunOptions => ({
  yes: false,
  dryRun: false,
  deleteData: false,
  skipImagePreflight: false,
  ...o,
});
const stagesOf = (steps: { stage: string }[]) => steps.map((s) => s.stage);

describe("deploy plan", () => {
  it("runs every stage in order, the Kubeflow install between kubeflow and dns", () => {
    const steps = deployPlan(run());
    expect(stagesOf(steps)).toEqual([
      "bootstrap",
      "eks",
      "addons",
      "auth",
      "kubeflow",
      "kubeflow-install",
      "dns",
      "dashboard",
      "fsx",
    ]);
    expect(steps.map((s) => s.action)).toEqual([...Array(5).fill("deploy"), "install", ...Array(3).fill("deploy")]);
    expect(synthsOf(steps)).toEqual(["stages"]);
  });

  it("starts at --from and runs just --only", () => {
    expect(stagesOf(deployPlan(run({ from: "dns" })))).toEqual(["dns", "dashboard", "fsx"]);
    expect(stagesOf(deployPlan(run({ only: "kubeflow-install" })))).toEqual(["kubeflow-install"]);
  });
});

describe("destroy plan", () => {
  const steps = destroyPlan(run(), config);

  it("cleans up in the cluster first, then goes through the stacks in reverse", () => {
    expect(stagesOf(steps)).toEqual([...DESTROY_ORDER]);
    expect(DESTROY_ORDER[0]).toBe("kubeflow-install");
    const stacks = DESTROY_ORDER.slice(1);
    const reverse = [...STAGE_IDS].reverse().filter((s) => s !== "kubeflow-install");
    expect(stacks).toEqual(reverse);
    expect(steps[0]).toEqual({ stage: "kubeflow-install", action: "cleanup", karpenter: false });
  });

  it("keeps the data by default: bootstrap and auth untouched, eks, kubeflow and fsx reduced to what they keep", () => {
    const byStage = Object.fromEntries(steps.map((s) => [s.stage, s]));
    expect(byStage.bootstrap).toMatchObject({ action: "keep" });
    expect(byStage.auth).toMatchObject({ action: "keep" });
    expect(byStage.eks).toMatchObject({ action: "deploy-kept", synth: "keep-data" });
    expect(byStage.fsx).toMatchObject({ action: "deploy-kept", synth: "keep-data" });
    expect(byStage.dns).toMatchObject({ action: "deploy-kept", synth: "keep-data", keeps: [] });
    for (const s of ["dashboard", "addons"])
      expect(byStage[s]).toEqual({ stage: s, action: "destroy", synth: "stages", unprotect: false });
    expect(synthsOf(steps).sort()).toEqual(["keep-data", "stages"]);
  });

  it("keeps kubeflow's generated credentials by deploying its kept stack, never by destroying it", () => {
    const kubeflow = steps.filter((s) => s.stage === "kubeflow");
    expect(kubeflow).toEqual([
      {
        stage: "kubeflow",
        action: "deploy-kept",
        synth: "keep-data",
        keeps: [
          "the generated root passwords of Kubeflow Pipelines' and Katib's MySQL and the artifact store's keys " +
            "(random_password: in Terraform state only, nothing in AWS, so keeping them costs nothing); " +
            "a re-deploy installs the same ones, which databases kept on Retain volumes still accept",
        ],
      },
    ]);
    // Alone, too: a teardown resumed at kubeflow, or of kubeflow only.
    for (const options of [run({ from: "kubeflow" }), run({ only: "kubeflow" })])
      expect(destroyPlan(options, config).find((s) => s.stage === "kubeflow")).toMatchObject({
        action: "deploy-kept",
        synth: "keep-data",
      });
    expect(describeStep(kubeflow[0])).toMatch(
      /^kubeflow: cdktf deploy kubeflow \(cdktf\.out\.keep-data\): deletes the rest, keeps the generated root passwords of Kubeflow Pipelines' and Katib's MySQL and the artifact store's keys \(random_password: in Terraform state only, nothing in AWS, so keeping them costs nothing\)/,
    );
  });

  it("names what it keeps, one stage a line", () => {
    const lines = steps.map(describeStep);
    expect(lines).toHaveLength(DESTROY_ORDER.length);
    const text = lines.join("\n");
    expect(text).toContain("bootstrap: kept, nothing run: the state bucket s3://example-kubeflow-tfstate");
    expect(text).toContain("auth: kept, nothing run: the Cognito user pool");
    expect(text).toMatch(
      /fsx: .*keeps the FSx for Lustre file system kubeflow-shared.*the data bucket s3:\/\/example-kubeflow-datasets/,
    );
    expect(text).toMatch(/eks: .*keeps the network \(VPC, subnets, NAT gateway\).*KMS keys/);
    expect(lines[0]).toMatch(
      /^kubeflow-install: delete Kubeflow's Ingress and wait until its ALB and the controller's security groups are gone/,
    );
    expect(lines[0]).not.toContain("NodePools");
  });

  it("in Karpenter mode also deletes the NodePools and waits for their nodes", () => {
    const karpenter = destroyPlan(
      run(),
      configWith((c) => ({ ...c, autoscaler: "karpenter" })),
    );
    expect(karpenter[0]).toMatchObject({ action: "cleanup", karpenter: true });
    expect(describeStep(karpenter[0])).toContain(
      "delete Karpenter's NodePools and wait until their nodes have terminated",
    );
  });

  it("with --delete-data destroys every stack from the unguarded synthesis, lifting the guards held in state first", () => {
    const all = destroyPlan(run({ deleteData: true }), config);
    expect(stagesOf(all)).toEqual([...DESTROY_ORDER]);
    expect(all.filter((s) => s.action === "keep")).toEqual([]);
    const unprotected = all.filter((s) => s.action === "destroy" && s.unprotect).map((s) => s.stage);
    expect(unprotected.sort()).toEqual(["auth", "bootstrap", "fsx"]);
    expect(synthsOf(all)).toEqual(["delete-data"]);
    expect(all.find((s) => s.stage === "dns")).toMatchObject({ action: "deploy-kept", synth: "delete-data" });
    // The generated credentials go with the data.
    expect(all.find((s) => s.stage === "kubeflow")).toEqual({
      stage: "kubeflow",
      action: "destroy",
      synth: "delete-data",
      unprotect: false,
    });
  });

  it("reflects an existing data bucket and per-zone NAT in what it says it keeps", () => {
    const kept = keptByStage(
      configWith((c) => ({
        ...c,
        network: { ...c.network, natGateways: "per-az" },
        fsx: { ...c.fsx, dataBucket: { ...c.fsx.dataBucket, create: false } },
      })),
    );
    expect(kept.fsx![1]).toContain("not ours: fsx.dataBucket.create is false");
    expect(kept.eks![0]).toContain("NAT gateways)");
  });
});

describe("a parked fsx stage (npm run fsx -- park)", () => {
  it("is synthesized with KF_FSX=parked and no teardown; every other synthesis without KF_FSX", () => {
    const base = { PATH: "/bin", KF_FSX: "parked", KF_TEARDOWN: "keep-data" };
    expect(synthEnvironment("fsx-parked", base)).toEqual({ PATH: "/bin", KF_FSX: "parked" });
    expect(synthEnvironment("stages", base)).toEqual({ PATH: "/bin" });
    expect(synthEnvironment("delete-data", base)).toEqual({ PATH: "/bin", KF_TEARDOWN: "delete-data" });
  });

  it("is told from the stage's state: its output, and whether it holds the file system", () => {
    expect(readFsxState('{"format_version":"1.0"}')).toEqual({ empty: true, parked: false, addresses: [] });
    const fs = {
      address: "aws_fsx_lustre_file_system.lustre_file-system_1",
      mode: "managed",
      type: "aws_fsx_lustre_file_system",
    };
    const shown = (parked: boolean) =>
      JSON.stringify({
        values: {
          outputs: { parked: { value: parked } },
          root_module: {
            resources: [
              { ...fs, values: { id: "fs-0aaa" } },
              { address: "data.x.y", mode: "data", type: "x" },
            ],
          },
        },
      });
    expect(readFsxState(shown(false))).toEqual({
      empty: false,
      parked: false,
      fileSystem: { address: fs.address, id: "fs-0aaa" },
      addresses: [fs.address],
    });
    expect(readFsxState(shown(true)).parked).toBe(true);
  });

  it("is named in the dry run: a deploy deploys it parked, a teardown keeps it", () => {
    const deploy = describeStep(deployPlan(run({ only: "fsx" }))[0]);
    expect(deploy).toBe(
      "fsx: cdktf deploy fsx (cdktf.out), skipped when its plan has nothing to change; parked (npm run fsx -- park), " +
        "it is deployed parked, from cdktf.out.fsx-parked",
    );
    expect(describeStep(destroyPlan(run({ only: "fsx" }), config)[0])).toMatch(
      /; parked \(npm run fsx -- park\), it has no file system and nothing in the cluster, and is kept as it is$/,
    );
  });
});

describe("arguments", () => {
  it("reads the flags, with or without =", () => {
    expect(parseRunArgs("deploy", ["--from", "eks", "--yes"])).toEqual({
      from: "eks",
      only: undefined,
      yes: true,
      dryRun: false,
      deleteData: false,
      skipImagePreflight: false,
    });
    expect(parseRunArgs("destroy", ["--only=fsx", "--dry-run", "--delete-data"])).toMatchObject({
      only: "fsx",
      dryRun: true,
      deleteData: true,
    });
  });

  it("takes --skip-image-preflight for a deploy only, and a resume keeps it", () => {
    const options = parseRunArgs("deploy", ["--skip-image-preflight", "--yes"]);
    expect(options.skipImagePreflight).toBe(true);
    expect(resumeCommand("deploy", "addons", options)).toBe(
      "npm run deploy -- --from addons --yes --skip-image-preflight",
    );
    // A switch takes no value: "--remove-components=false" is refused, not read as the switch.
    expect(() => parseRunArgs("deploy", ["--remove-components=false"])).toThrow(
      /^--remove-components takes no value \(got "--remove-components=false"\)/,
    );
    // The Kubeflow install's flags ride along, and a resume keeps them too.
    const install = parseRunArgs("deploy", ["--remove-components", "--prune-crds-with-instances"]);
    expect([install.removeComponents, install.pruneCrdsWithInstances]).toEqual([true, true]);
    expect(resumeCommand("deploy", "kubeflow-install", install)).toBe(
      "npm run deploy -- --from kubeflow-install --remove-components --prune-crds-with-instances",
    );
    expect(() => parseRunArgs("destroy", ["--skip-image-preflight"])).toThrow(
      'unknown argument "--skip-image-preflight": npm run destroy -- [--from <stage>] [--only <stage>] [--yes] [--dry-run] [--delete-data]',
    );
  });

  it("rejects an unknown stage, listing the valid ones", () => {
    expect(() => parseRunArgs("deploy", ["--from", "kubflow"])).toThrow(
      new UsageError(
        'unknown stage "kubflow" for --from: the stages are bootstrap, eks, addons, auth, kubeflow, kubeflow-install, dns, dashboard, fsx',
      ),
    );
    expect(() => parseRunArgs("destroy", ["--only"])).toThrow(/--only needs a stage: one of bootstrap, eks/);
  });

  it("rejects unknown flags, --delete-data on deploy, and --from with --only", () => {
    expect(() => parseRunArgs("deploy", ["--force"])).toThrow(
      /unknown argument "--force": npm run deploy -- \[--from <stage>\]/,
    );
    expect(() => parseRunArgs("deploy", ["--delete-data"])).toThrow(/unknown argument "--delete-data"/);
    expect(() => parseRunArgs("deploy", ["--from", "eks", "--only", "dns"])).toThrow(/give one of them/);
  });

  it("resumes with the same flags", () => {
    expect(resumeCommand("deploy", "dns", run())).toBe("npm run deploy -- --from dns");
    expect(resumeCommand("destroy", "eks", run({ yes: true, deleteData: true }))).toBe(
      "npm run destroy -- --from eks --yes --delete-data",
    );
  });
});

describe("a locked state", () => {
  // Terraform's own wording (internal/command/clistate: "Error acquiring the state lock" and the LockInfo fields).
  const output = `
╷
│ Error: Error acquiring the state lock
│
│ Error message: operation error S3: PutObject, https response error StatusCode: 412, PreconditionFailed
│ Lock Info:
│   ID:        0f6c3a9e-1d2b-4c5d-8e7f-0123456789ab
│   Path:      example-kubeflow-tfstate/dev/addons.tfstate
│   Operation: OperationTypeApply
│   Who:       alice@laptop
│   Version:   1.10.5
│   Created:   2026-12-03 10:00:00.000000000 +0000 UTC
│   Info:
│
│ Terraform acquires a state lock to protect the state from being written
│ by multiple users at the same time.
╵`;

  it("is parsed from Terraform's message", () => {
    expect(parseStateLock(output)).toEqual({
      id: "0f6c3a9e-1d2b-4c5d-8e7f-0123456789ab",
      path: "example-kubeflow-tfstate/dev/addons.tfstate",
      operation: "OperationTypeApply",
      who: "alice@laptop",
      created: "2026-12-03 10:00:00.000000000 +0000 UTC",
    });
    expect(parseStateLock("Error: something else\n  ID: 1")).toBeUndefined();
  });

  it("is explained: whose lock, wait if it runs, force-unlock only if nothing holds it, then resume", () => {
    const message = stateLockMessage(
      "addons",
      parseStateLock(output)!,
      "cdktf.out/stacks/addons",
      "npm run deploy -- --from addons",
    );
    expect(message).toContain(
      "the state of stage addons is locked: lock ID 0f6c3a9e-1d2b-4c5d-8e7f-0123456789ab on example-kubeflow-tfstate/dev/addons.tfstate (held by alice@laptop, for OperationTypeApply, since 2026-12-03",
    );
    expect(message).toContain("wait for it to finish");
    expect(message).toContain("never unlock a running one");
    expect(message).toContain(
      "Only if no run holds it (the one that took it crashed or was killed), release it: terraform -chdir=cdktf.out/stacks/addons force-unlock 0f6c3a9e-1d2b-4c5d-8e7f-0123456789ab",
    );
    expect(message).toMatch(/Then resume: npm run deploy -- --from addons$/);
  });
});
