/**
 * The stages of a deployment and the ordered plans `npm run deploy` and `npm run destroy` carry out
 * (scripts/deploy.ts runs them). Pure: no process, no network, so `--dry-run` and the tests use it as is.
 */
import type { Config } from "../config/schema";

/** Every stage, in deploy order. All but kubeflow-install are cdktf stacks of the same id. */
export const STAGE_IDS = [
  "bootstrap",
  "eks",
  "addons",
  "auth",
  "kubeflow",
  "kubeflow-install",
  "dns",
  "dashboard",
  "fsx",
] as const;
export type StageId = (typeof STAGE_IDS)[number];

/** Destroy order: the cleanup Terraform cannot do first, then the stacks in reverse. */
export const DESTROY_ORDER: readonly StageId[] = [
  "kubeflow-install",
  "fsx",
  "dashboard",
  "dns",
  "kubeflow",
  "auth",
  "addons",
  "eks",
  "bootstrap",
];

/**
 * Where each synthesis goes: the stages as deployed, the two teardown variants (app.ts,
 * buildTeardownStages) and the fsx stage parked (app.ts, buildParkedFsxStages).
 */
export const SYNTH_OUT = {
  stages: "cdktf.out",
  "keep-data": "cdktf.out.keep-data",
  "delete-data": "cdktf.out.delete-data",
  "fsx-parked": "cdktf.out.fsx-parked",
} as const;
export type SynthKind = keyof typeof SYNTH_OUT;

/** The environment `cdktf synth` of a kind runs with: main.ts picks the variant from KF_TEARDOWN and KF_FSX. */
export function synthEnvironment(kind: SynthKind, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env.KF_TEARDOWN;
  delete env.KF_FSX;
  if (kind === "keep-data" || kind === "delete-data") env.KF_TEARDOWN = kind;
  if (kind === "fsx-parked") env.KF_FSX = "parked";
  return env;
}

export type Step =
  /** `cdktf deploy <stage>` from `out`, skipped when the plan has nothing to change. */
  | { readonly stage: StageId; readonly action: "deploy"; readonly synth: SynthKind }
  /** The Kubeflow install (npm run kubeflow -- install), then a wait for the ALB's address. */
  | { readonly stage: "kubeflow-install"; readonly action: "install" }
  /** The cleanup before any stack is destroyed; nothing to do once the cluster is gone. */
  | { readonly stage: "kubeflow-install"; readonly action: "cleanup"; readonly karpenter: boolean }
  /** `cdktf destroy <stage>`, skipped when nothing is left. */
  | { readonly stage: StageId; readonly action: "destroy"; readonly synth: SynthKind; readonly unprotect: boolean }
  /** Teardown by deploying what the stage keeps: everything else in it is deleted, the kept part is untouched. */
  | {
      readonly stage: StageId;
      readonly action: "deploy-kept";
      readonly synth: SynthKind;
      readonly keeps: readonly string[];
    }
  /** Nothing is run: the whole stage is kept. */
  | { readonly stage: StageId; readonly action: "keep"; readonly keeps: readonly string[] };

export class UsageError extends Error {}

export interface RunOptions {
  readonly from?: StageId;
  readonly only?: StageId;
  /** Approve every plan (cdktf --auto-approve); the typed confirmation of --delete-data is still asked. */
  readonly yes: boolean;
  readonly dryRun: boolean;
  /** destroy only */
  readonly deleteData: boolean;
  /** deploy only: no registry lookup of images whose promotion is unproven offline (scripts/image-preflight.ts). */
  readonly skipImagePreflight: boolean;
  /** deploy only, for the Kubeflow install: remove the components kubeflow.components leaves out. */
  readonly removeComponents?: boolean;
  /** deploy only, for the Kubeflow install: delete users' objects of the CRDs it removes first. */
  readonly pruneCrdsWithInstances?: boolean;
}

function stageId(value: string | undefined, flag: string): StageId {
  if (value === undefined || value.startsWith("--")) {
    throw new UsageError(`${flag} needs a stage: one of ${STAGE_IDS.join(", ")}`);
  }
  if (!(STAGE_IDS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown stage "${value}" for ${flag}: the stages are ${STAGE_IDS.join(", ")}`);
  }
  return value as StageId;
}

/** Parses the arguments of `npm run deploy --` / `npm run destroy --`. */
export function parseRunArgs(command: "deploy" | "destroy", argv: readonly string[]): RunOptions {
  let from: StageId | undefined;
  let only: StageId | undefined;
  let yes = false;
  let dryRun = false;
  let deleteData = false;
  let skipImagePreflight = false;
  let removeComponents = false;
  let pruneCrdsWithInstances = false;
  const flags = [
    "--from <stage>",
    "--only <stage>",
    "--yes",
    "--dry-run",
    ...(command === "destroy"
      ? ["--delete-data"]
      : ["--skip-image-preflight", "--remove-components", "--prune-crds-with-instances"]),
  ];
  for (let i = 0; i < argv.length; i++) {
    const [arg, inline] = argv[i].split("=", 2) as [string, string | undefined];
    if (arg === "--from" || arg === "--only") {
      const value = inline ?? argv[++i];
      if (arg === "--from") from = stageId(value, arg);
      else only = stageId(value, arg);
    } else if (inline !== undefined) {
      throw new UsageError(`${arg} takes no value (got "${argv[i]}"): npm run ${command} -- [${flags.join("] [")}]`);
    } else if (arg === "--yes" || arg === "-y") yes = true;
    else if (arg === "--dry-run") dryRun = true;
    else if (arg === "--delete-data" && command === "destroy") deleteData = true;
    else if (arg === "--skip-image-preflight" && command === "deploy") skipImagePreflight = true;
    else if (arg === "--remove-components" && command === "deploy") removeComponents = true;
    else if (arg === "--prune-crds-with-instances" && command === "deploy") pruneCrdsWithInstances = true;
    else throw new UsageError(`unknown argument "${argv[i]}": npm run ${command} -- [${flags.join("] [")}]`);
  }
  if (from && only) throw new UsageError("--from and --only together: give one of them");
  return {
    from,
    only,
    yes,
    dryRun,
    deleteData,
    skipImagePreflight,
    ...(removeComponents ? { removeComponents } : {}),
    ...(pruneCrdsWithInstances ? { pruneCrdsWithInstances } : {}),
  };
}

/** What each stage keeps in a teardown that keeps the data, for the plan and the README. */
export function keptByStage(config: Config): Partial<Record<StageId, readonly string[]>> {
  const bucket = config.fsx.dataBucket;
  return {
    bootstrap: [`the state bucket s3://${config.state.bucket} and its KMS key (it holds every stage's state)`],
    auth: ["the Cognito user pool with its users and groups, app client, login domain and certificate"],
    fsx: [
      `the FSx for Lustre file system ${config.cluster.name}-shared with its KMS key, security group, logs and S3 link`,
      bucket.create
        ? `the data bucket s3://${bucket.name} and its KMS key`
        : `the data bucket s3://${bucket.name} (not ours: fsx.dataBucket.create is false)`,
    ],
    kubeflow: [
      "the generated root passwords of Kubeflow Pipelines' and Katib's MySQL and the artifact store's keys " +
        "(random_password: in Terraform state only, nothing in AWS, so keeping them costs nothing); " +
        "a re-deploy installs the same ones, which databases kept on Retain volumes still accept",
    ],
    eks: [
      `the network (VPC, subnets, NAT gateway${config.network.natGateways === "single" ? "" : "s"}): the file system lives in it, and NAT bills by the hour while kept`,
      "the KMS keys of the cluster's Secrets and of its EBS volumes",
    ],
  };
}

/** The stages a teardown that keeps the data reduces to what they keep, by deploying their kept stack (app.ts). */
const REDUCED_BY_TEARDOWN: readonly StageId[] = ["fsx", "kubeflow", "eks"];

function select(order: readonly StageId[], options: RunOptions): StageId[] {
  if (options.only) return [options.only];
  const start = options.from ? order.indexOf(options.from) : 0;
  return order.slice(start);
}

/** The deploy plan: every stage in order, or from --from, or just --only. */
export function deployPlan(options: RunOptions): Step[] {
  return select(STAGE_IDS, options).map((stage) =>
    stage === "kubeflow-install"
      ? { stage, action: "install" as const }
      : { stage, action: "deploy" as const, synth: "stages" as const },
  );
}

/** The destroy plan, keeping the data unless --delete-data. */
export function destroyPlan(options: RunOptions, config: Config): Step[] {
  const karpenter = config.autoscaler === "karpenter";
  const kept = keptByStage(config);
  return select(DESTROY_ORDER, options).map((stage): Step => {
    if (stage === "kubeflow-install") return { stage, action: "cleanup", karpenter };
    // An empty dns stack deletes the record without looking up a load balancer that may be gone.
    if (stage === "dns")
      return { stage, action: "deploy-kept", synth: options.deleteData ? "delete-data" : "keep-data", keeps: [] };
    if (options.deleteData) {
      const unprotect = stage === "bootstrap" || stage === "auth" || stage === "fsx";
      return { stage, action: "destroy", synth: "delete-data", unprotect };
    }
    if (stage === "bootstrap" || stage === "auth") return { stage, action: "keep", keeps: kept[stage]! };
    if (REDUCED_BY_TEARDOWN.includes(stage))
      return { stage, action: "deploy-kept", synth: "keep-data", keeps: kept[stage]! };
    return { stage, action: "destroy", synth: "stages", unprotect: false };
  });
}

/** The synth outputs a plan needs, each once. */
export function synthsOf(steps: readonly Step[]): SynthKind[] {
  const kinds = steps.flatMap((s) => ("synth" in s ? [s.synth] : []));
  return [...new Set(kinds)];
}

/** What a step does, for the progress log ("[3/9] addons: <this>"). */
export function describeAction(step: Step): string {
  const out = "synth" in step ? SYNTH_OUT[step.synth] : "";
  switch (step.action) {
    case "deploy":
      return (
        `cdktf deploy ${step.stage} (${out}), skipped when its plan has nothing to change` +
        (step.stage === "fsx" && step.synth === "stages" ? FSX_PARKED_DEPLOY : "")
      );
    case "install":
      return "npm run kubeflow -- install (skipped when nothing would change), then wait for the ALB's address";
    case "cleanup":
      return (
        "delete Kubeflow's Ingress and wait until its ALB and the controller's security groups are gone; " +
        "uninstall Kubeflow" +
        (step.karpenter ? "; delete Karpenter's NodePools and wait until their nodes have terminated" : "") +
        "; delete the remaining volume claims and wait until their dynamically provisioned volumes are gone (skipped once the cluster is gone)"
      );
    case "destroy":
      return (
        `cdktf destroy ${step.stage} (${out})` +
        (step.unprotect ? ", after applying force_destroy / deletion protection off to its bucket or user pool" : "")
      );
    case "deploy-kept":
      return step.keeps.length === 0
        ? `cdktf deploy ${step.stage} (${out}, empty): deletes everything in it`
        : `cdktf deploy ${step.stage} (${out}): deletes the rest, keeps ${step.keeps.join("; ")}` +
            (step.stage === "fsx" ? FSX_PARKED_TEARDOWN : "");
    case "keep":
      return `kept, nothing run: ${step.keeps.join("; ")}`;
  }
}

/** What deploying or tearing down the fsx stage does when its file system is parked (npm run fsx -- park). */
const FSX_PARKED_DEPLOY = `; parked (npm run fsx -- park), it is deployed parked, from ${SYNTH_OUT["fsx-parked"]}`;
const FSX_PARKED_TEARDOWN =
  "; parked (npm run fsx -- park), it has no file system and nothing in the cluster, and is kept as it is";

/** One line per step, for --dry-run. */
export function describeStep(step: Step): string {
  return `${step.stage}: ${describeAction(step)}`;
}

/** The command that resumes a run at a stage. */
export function resumeCommand(command: "deploy" | "destroy", stage: StageId, options: RunOptions): string {
  const extra = [
    options.yes ? "--yes" : "",
    options.deleteData ? "--delete-data" : "",
    options.skipImagePreflight ? "--skip-image-preflight" : "",
    options.removeComponents ? "--remove-components" : "",
    options.pruneCrdsWithInstances ? "--prune-crds-with-instances" : "",
  ]
    .filter(Boolean)
    .join(" ");
  return `npm run ${command} -- --from ${stage}${extra ? ` ${extra}` : ""}`;
}

/** A Terraform state lock as its "Error acquiring the state lock" message describes it. */
export interface StateLock {
  readonly id: string;
  readonly path?: string;
  readonly operation?: string;
  readonly who?: string;
  readonly created?: string;
}

/** The lock Terraform reported in its output, if it failed to acquire one. */
export function parseStateLock(output: string): StateLock | undefined {
  if (!/Error acquiring the state lock/i.test(output)) return undefined;
  // Plain (-no-color) or boxed ("│ ") diagnostics: the fields of LockInfo.String() (internal/states/statemgr/locker.go).
  const field = (name: string) =>
    new RegExp(`^[\\s│]*${name}:[ \\t]*(.*)$`, "m").exec(output)?.[1]?.trim() || undefined;
  const id = field("ID");
  if (!id) return undefined;
  return { id, path: field("Path"), operation: field("Operation"), who: field("Who"), created: field("Created") };
}

/** What to tell the user about a locked stage: whose lock, and how to release it safely. */
export function stateLockMessage(stage: StageId, lock: StateLock, dir: string, resume: string): string {
  const holder = [
    lock.who && `held by ${lock.who}`,
    lock.operation && `for ${lock.operation}`,
    lock.created && `since ${lock.created}`,
  ]
    .filter(Boolean)
    .join(", ");
  return [
    `the state of stage ${stage} is locked: lock ID ${lock.id}${lock.path ? ` on ${lock.path}` : ""}${holder ? ` (${holder})` : ""}.`,
    "If that run is still going (another terminal, a CI job), wait for it to finish and resume; never unlock a running one.",
    `Only if no run holds it (the one that took it crashed or was killed), release it: terraform -chdir=${dir} force-unlock ${lock.id}`,
    `Then resume: ${resume}`,
  ].join("\n");
}

/** Resources that live in the cluster (Kubernetes objects, Helm releases): gone when it is. */
export const IN_CLUSTER_RESOURCE = /^(kubernetes_[a-z0-9_]+|helm_release)\./;

/** The shared volume's claim in the team's profile namespace (kubeflow.profile.name); stacks/fsx-stack.ts. */
export const FSX_CLAIM_NAME = "fsx-claim";

/**
 * The fsx stage's output that says whether its file system is parked (npm run fsx -- park): false
 * from FsxStack, true from FsxParkedStack, absent from FsxKeptStack.
 */
export const FSX_PARKED_OUTPUT = "parked";

/**
 * The fsx stage's variable that `npm run fsx -- park` sets, in a plan of the file system alone, so
 * that its deletion skips the final backup (stacks/fsx-stack.ts, sharedData).
 */
export const FSX_SKIP_FINAL_BACKUP_VARIABLE = "skip_final_backup";

/** What the fsx stage's state says (terraform show -json): parked or not, and its file system. */
export interface FsxState {
  /** Nothing in state: the stage was never deployed, or was destroyed. */
  readonly empty: boolean;
  /** Its output `parked` is true (stacks/fsx-parked-stack.ts). */
  readonly parked: boolean;
  /** The file system, when the state holds one. */
  readonly fileSystem?: { readonly address: string; readonly id: string };
  /** Every managed resource's address. */
  readonly addresses: readonly string[];
}

interface ShownState {
  readonly values?: {
    readonly outputs?: Record<string, { readonly value?: unknown }>;
    readonly root_module?: {
      readonly resources?: readonly {
        readonly address: string;
        readonly mode: string;
        readonly type: string;
        readonly values?: { readonly id?: string };
      }[];
    };
  };
}

/**
 * Reads `terraform show -json` of the fsx stage (with no plan file: the state; an empty state is
 * `{"format_version":"1.0"}` with no values).
 */
export function readFsxState(showJson: string): FsxState {
  const shown = JSON.parse(showJson) as ShownState;
  const managed = (shown.values?.root_module?.resources ?? []).filter((r) => r.mode === "managed");
  const fs = managed.find((r) => r.type === "aws_fsx_lustre_file_system");
  return {
    empty: managed.length === 0,
    parked: shown.values?.outputs?.[FSX_PARKED_OUTPUT]?.value === true,
    fileSystem: fs ? { address: fs.address, id: fs.values?.id ?? "" } : undefined,
    addresses: managed.map((r) => r.address),
  };
}

/** What a deploy says when the fsx stage is parked. */
export function parkedDeployNotice(): string {
  return (
    "fsx is parked (npm run fsx -- park): it stays parked, deployed from " +
    `${SYNTH_OUT["fsx-parked"]}; bring the file system back with: npm run fsx -- unpark`
  );
}

/** What stops a run that finds a park stopped halfway: the state says parked and still holds the file system. */
export function interruptedParkMessage(fileSystem: { readonly address: string; readonly id: string }): string {
  return (
    `the fsx stage's state says parked but still holds the file system ${fileSystem.id} (${fileSystem.address}): ` +
    "a park stopped before it finished, so nothing deletes or changes the file system here. Finish the park with " +
    "npm run fsx -- park (it checks the pods and exports again first), or bring the file system back with npm run fsx -- unpark."
  );
}
