/**
 * npm run deploy -- [--from <stage>] [--only <stage>] [--yes] [--dry-run] [--skip-image-preflight]
 *                     [--remove-components] [--prune-crds-with-instances]   (passed to the Kubeflow install)
 * npm run destroy -- [--from <stage>] [--only <stage>] [--yes] [--dry-run] [--delete-data]
 *
 * Every stage in order (lib/stages.ts), each through `cdktf deploy`/`cdktf destroy`, which shows the
 * plan and asks (--yes approves). A stage whose plan has nothing to change is skipped, so a run that
 * stopped is resumed by running it again, or with --from. --dry-run prints the plan and runs nothing.
 * Before the first stage that runs an image whose promotion is unproven offline, the deploy looks
 * it up in its registry (scripts/image-preflight.ts); --skip-image-preflight skips that.
 * A parked fsx stage (npm run fsx -- park, scripts/fsx.ts) stays parked: its state's output says so,
 * and the deploy deploys it from the parked synthesis, the teardown keeps it as it is.
 *
 * Executables: cdktf (the project's, on PATH under npm run), terraform (or TERRAFORM_BINARY_NAME,
 * as cdktf uses), aws, kubectl. KF_POLL_SECONDS (default 15): how often the waits look again.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { ConfigError, configPathFromEnv, loadConfig } from "../config/load";
import type { Config } from "../config/schema";
import { ReleaseError } from "../lib/kubeflow-release";
import {
  deployPlan,
  describeAction,
  describeStep,
  destroyPlan,
  IN_CLUSTER_RESOURCE,
  interruptedParkMessage,
  parkedDeployNotice,
  parseRunArgs,
  readFsxState,
  parseStateLock,
  resumeCommand,
  stateLockMessage,
  synthEnvironment,
  synthsOf,
  SYNTH_OUT,
  UsageError,
  type FsxState,
  type RunOptions,
  type StageId,
  type Step,
  type SynthKind,
} from "../lib/stages";
import { CleanupError, cleanUpCluster, clusterExists } from "./cluster-cleanup";
import { imagePreflight, ImagePreflightError, type ImagePreflightOptions } from "./image-preflight";
import {
  commandRunner,
  install,
  InstallError,
  requireCluster,
  requireKubectl,
  runCommand,
  waitForIngressAddress,
  type CommandResult,
} from "./kubeflow-install";

const ROOT = path.resolve(__dirname, "..");

/** The kubeconfig the runners write for the cluster (aws eks update-kubeconfig), so kubectl never talks to another one. */
export function kubeconfigPath(config: Config): string {
  return path.join(ROOT, ".cache", "kubeconfig", `${config.environment}-${config.cluster.name}`);
}
const log = (line: string) => process.stderr.write(`${line}\n`);

/** A stage that failed; the message is what the user needs, the runner adds the stage and the resume command. */
export class StageError extends Error {}

const terraformBinary = () => process.env.TERRAFORM_BINARY_NAME || "terraform";

/** Runs with the user's terminal attached (plans, approval prompts). */
function interactive(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: ROOT, env });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new StageError(missing ? `${command}: command not found` : String(result.error));
  }
  return result.status ?? 1;
}

/** Output kept for the runner to read; the environment is read at each call (KUBECONFIG is set on the way). */
const captured = (command: string, args: readonly string[], env?: NodeJS.ProcessEnv): CommandResult =>
  commandRunner({ cwd: ROOT, env: env ?? process.env })(command, args);

function tail(text: string, lines = 25): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

interface Context {
  readonly command: "deploy" | "destroy";
  readonly options: RunOptions;
  readonly config: Config;
  /** The kubeconfig this run writes for the cluster, so kubectl never talks to another one. */
  readonly kubeconfig: string;
  /** What this run has synthesized so far. */
  readonly synthesized: Set<SynthKind>;
  stage?: StageId;
}

function stackDir(synth: SynthKind, stage: StageId): string {
  return path.join(SYNTH_OUT[synth], "stacks", stage);
}

/** terraform in a synthesized stack's folder; a lock failure becomes the lock message. */
function terraform(ctx: Context, synth: SynthKind, stage: StageId, args: readonly string[]): CommandResult {
  const dir = stackDir(synth, stage);
  const result = captured(terraformBinary(), [`-chdir=${dir}`, ...args]);
  if (result.status === 127) {
    throw new StageError(
      `${terraformBinary()} not found: install Terraform or OpenTofu 1.10 or newer (for OpenTofu set TERRAFORM_BINARY_NAME=tofu)`,
    );
  }
  const lock = parseStateLock(result.stdout + result.stderr);
  if (lock) throw new StageError(stateLockMessage(stage, lock, dir, resumeCommand(ctx.command, stage, ctx.options)));
  return result;
}

function init(ctx: Context, synth: SynthKind, stage: StageId): void {
  const result = terraform(ctx, synth, stage, ["init", "-input=false", "-no-color"]);
  if (result.status !== 0) throw new StageError(`terraform init failed:\n${tail(result.stdout + result.stderr)}`);
}

/** True when the stage's plan (or destroy plan) has something to do: terraform plan -detailed-exitcode. */
function hasChanges(ctx: Context, synth: SynthKind, stage: StageId, destroy: boolean): boolean {
  const result = terraform(ctx, synth, stage, [
    "plan",
    "-input=false",
    "-no-color",
    "-detailed-exitcode",
    "-lock-timeout=0s",
    ...(destroy ? ["-destroy"] : []),
  ]);
  if (result.status === 0) return false;
  if (result.status === 2) return true;
  throw new StageError(`terraform plan failed:\n${tail(result.stdout + result.stderr)}`);
}

function stateAddresses(ctx: Context, synth: SynthKind, stage: StageId): string[] {
  const result = terraform(ctx, synth, stage, ["state", "list"]);
  if (result.status !== 0) throw new StageError(`terraform state list failed:\n${tail(result.stdout + result.stderr)}`);
  return result.stdout.split("\n").filter((l) => l.trim() !== "");
}

function cdktf(ctx: Context, verb: "deploy" | "destroy", synth: SynthKind, stage: StageId): void {
  const args = [verb, stage, "--output", SYNTH_OUT[synth], "--skip-synth", "--ignore-missing-stack-dependencies"];
  if (ctx.options.yes) args.push("--auto-approve");
  const status = interactive("cdktf", args);
  if (status !== 0) throw new StageError(`cdktf ${verb} ${stage} failed (exit ${status}); its output is above`);
}

type Outcome = "done" | "skipped" | "kept";

/** Applies (or destroys) an initialized stage when its plan has changes, then checks nothing is left to do. */
function converge(ctx: Context, verb: "deploy" | "destroy", synth: SynthKind, stage: StageId): Outcome {
  const destroy = verb === "destroy";
  if (!hasChanges(ctx, synth, stage, destroy)) return "skipped";
  cdktf(ctx, verb, synth, stage);
  // cdktf exits 0 when its plan is declined: the plan again says whether it was applied.
  if (hasChanges(ctx, synth, stage, destroy)) {
    throw new StageError(`the plan of ${stage} was not applied (declined, or it still has changes)`);
  }
  return "done";
}

function writeKubeconfig(ctx: Context): void {
  mkdirSync(path.dirname(ctx.kubeconfig), { recursive: true });
  const { name } = ctx.config.cluster;
  const result = captured("aws", [
    "eks",
    "update-kubeconfig",
    "--name",
    name,
    "--region",
    ctx.config.region,
    "--kubeconfig",
    ctx.kubeconfig,
  ]);
  if (result.status !== 0)
    throw new StageError(`aws eks update-kubeconfig --name ${name} failed: ${result.stderr.trim()}`);
  process.env.KUBECONFIG = ctx.kubeconfig;
}

const sleep = (s: number) => new Promise<void>((resolve) => setTimeout(resolve, s * 1000));
const pollSeconds = () => Number(process.env.KF_POLL_SECONDS ?? 15);

/** The fsx stage's state as `terraform show -json` gives it, from an initialized folder of the stage. */
function fsxState(ctx: Context, synth: SynthKind): FsxState {
  const result = terraform(ctx, synth, "fsx", ["show", "-json", "-no-color"]);
  if (result.status !== 0) throw new StageError(`terraform show failed:\n${tail(result.stdout + result.stderr)}`);
  return readFsxState(result.stdout);
}

/**
 * A parked fsx stage is deployed parked (FsxParkedStack): the full stack would create the file system
 * again. A state that says parked but still holds the file system is a park stopped halfway; that
 * stops the run rather than finish the park (only npm run fsx -- park deletes, after its export).
 */
function deployParkedFsx(ctx: Context, state: FsxState): Outcome {
  if (state.fileSystem) throw new StageError(interruptedParkMessage(state.fileSystem));
  log(`  ${parkedDeployNotice()}`);
  synthOnce(ctx, "fsx-parked");
  init(ctx, "fsx-parked", "fsx");
  return converge(ctx, "deploy", "fsx-parked", "fsx");
}

async function runStep(ctx: Context, step: Step): Promise<Outcome> {
  switch (step.action) {
    case "deploy":
      init(ctx, step.synth, step.stage);
      if (step.stage === "fsx") {
        const state = fsxState(ctx, step.synth);
        if (state.parked) return deployParkedFsx(ctx, state);
      }
      return converge(ctx, "deploy", step.synth, step.stage);
    case "destroy": {
      init(ctx, step.synth, step.stage);
      const inState = stateAddresses(ctx, step.synth, step.stage);
      if (inState.length === 0) return "skipped";
      forgetObjectsOfDeletedCluster(ctx, step.synth, step.stage, inState);
      if (step.unprotect) unprotect(ctx, step.synth, step.stage, inState);
      return converge(ctx, "destroy", step.synth, step.stage);
    }
    case "deploy-kept": {
      init(ctx, step.synth, step.stage);
      // Never create what was not there: a stage with no state has nothing to tear down.
      const inState = stateAddresses(ctx, step.synth, step.stage);
      if (inState.length === 0) return "skipped";
      forgetObjectsOfDeletedCluster(ctx, step.synth, step.stage, inState);
      if (step.stage === "fsx") {
        // The kept stack holds a file system: deploying it on a parked stage would create one.
        const state = fsxState(ctx, step.synth);
        if (state.parked && !state.fileSystem) {
          log("  fsx is parked: no file system and nothing in the cluster to delete; kept as it is");
          return "kept";
        }
      }
      return converge(ctx, "deploy", step.synth, step.stage);
    }
    case "keep":
      return "kept";
    case "install": {
      writeKubeconfig(ctx);
      const result = await install({
        dryRun: false,
        timeoutSeconds: 20 * 60,
        maxPasses: 15,
        pauseSeconds: 20,
        pollSeconds: pollSeconds(),
        log,
        sleep,
        now: () => Date.now(),
        pruneCrdsWithInstances: ctx.options.pruneCrdsWithInstances,
        removeComponents: ctx.options.removeComponents,
        confirm: ctx.options.yes
          ? undefined
          : async (plan) => {
              for (const line of plan) log(`  ${line}`);
              return /^y(es)?$/i.test((await ask("Apply the Kubeflow install? [y/N] ")).trim());
            },
      });
      if (result === "declined") throw new StageError("the Kubeflow install was declined");
      const address = await waitForIngressAddress({
        timeoutSeconds: 10 * 60,
        pollSeconds: pollSeconds(),
        log,
        sleep,
        now: () => Date.now(),
      });
      log(`  the Kubeflow Ingress has its ALB: ${address}`);
      return result === "unchanged" ? "skipped" : "done";
    }
    case "cleanup": {
      const cluster = { clusterName: ctx.config.cluster.name, region: ctx.config.region };
      if (!clusterExists(cluster, runCommand)) {
        log(`  cluster ${cluster.clusterName} is gone: nothing to clean up in it`);
        return "skipped";
      }
      writeKubeconfig(ctx);
      requireCluster();
      await cleanUpCluster(
        {
          ...cluster,
          karpenter: step.karpenter,
          timeoutSeconds: 15 * 60,
          pollSeconds: pollSeconds(),
          log: (l) => log(`  ${l}`),
          sleep,
          now: () => Date.now(),
        },
        runCommand,
      );
      return "done";
    }
  }
}

export { IN_CLUSTER_RESOURCE };

/**
 * A teardown resumed after the cluster was deleted (the eks stage kept, or the cluster removed by
 * hand) may find Kubernetes objects or Helm releases still in a stage's state (fsx's CSI driver and
 * volume; kubeflow's load balancer controller, ConfigMap and Secrets); Terraform would try to read
 * them from an API that no longer exists and fail the plan. They went with the cluster, so they are
 * dropped from state (terraform state rm), each named, before the stage is planned: before every
 * kept stack is deployed and every stage destroyed, whichever synthesis it comes from.
 */
function forgetObjectsOfDeletedCluster(ctx: Context, synth: SynthKind, stage: StageId, inState: string[]): void {
  const objects = inState.filter((a) => IN_CLUSTER_RESOURCE.test(a));
  if (objects.length === 0) return;
  if (clusterExists({ clusterName: ctx.config.cluster.name, region: ctx.config.region }, runCommand)) return;
  log(
    `  cluster ${ctx.config.cluster.name} is gone, and with it ${objects.length} object(s) still in ${stage}'s state; ` +
      `forgetting them: ${objects.join(", ")}`,
  );
  const result = terraform(ctx, synth, stage, ["state", "rm", ...objects]);
  if (result.status !== 0) throw new StageError(`terraform state rm failed:\n${tail(result.stdout + result.stderr)}`);
}

/**
 * --delete-data: a bucket's force_destroy and the user pool's deletion protection are state, so
 * they are applied (only to those resources, and only if they exist) before the destroy.
 */
function unprotect(ctx: Context, synth: SynthKind, stage: StageId, inState: readonly string[]): void {
  const targets = inState.filter((a) => /^aws_(s3_bucket|cognito_user_pool)\.[^.]+$/.test(a));
  if (targets.length === 0) return;
  log(`  lifting the guards first (force_destroy, deletion protection): ${targets.join(", ")}`);
  const args = [`-chdir=${stackDir(synth, stage)}`, "apply", "-input=true", ...targets.map((t) => `-target=${t}`)];
  if (ctx.options.yes) args.push("-auto-approve");
  const status = interactive(terraformBinary(), args);
  if (status !== 0) throw new StageError(`lifting the guards of ${targets.join(", ")} failed (exit ${status})`);
}

/** Stops before anything runs when the AWS CLI or credentials are missing; says whose credentials they are. */
export function requireCredentials(
  run: (command: string, args: readonly string[]) => CommandResult = captured,
  say: (line: string) => void = log,
): void {
  const result = run("aws", ["sts", "get-caller-identity", "--output", "json"]);
  if (result.status === 127)
    throw new UsageError("the AWS CLI (aws, v2) is required and was not found on PATH: nothing was run");
  if (result.status !== 0) {
    throw new UsageError(
      "no usable AWS credentials (aws sts get-caller-identity failed), so nothing was run. Sign in first: " +
        "aws sso login --profile <name> and export AWS_PROFILE=<name>, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. " +
        `(${tail(result.stderr, 3)})`,
    );
  }
  const who = JSON.parse(result.stdout) as { Arn?: string };
  say(`AWS identity: ${who.Arn ?? "unknown"}`);
}

function synth(kind: SynthKind): void {
  log(`synthesizing ${SYNTH_OUT[kind]}/`);
  const result = captured("cdktf", ["synth", "--output", SYNTH_OUT[kind]], synthEnvironment(kind, process.env));
  if (result.status !== 0)
    throw new UsageError(`cdktf synth failed, nothing was run:\n${tail(result.stdout + result.stderr)}`);
}

/** A synthesis a stage finds it needs on the way (the parked fsx stage): once per run. */
function synthOnce(ctx: Context, kind: SynthKind): void {
  if (ctx.synthesized.has(kind)) return;
  log(`  synthesizing ${SYNTH_OUT[kind]}/`);
  const result = captured("cdktf", ["synth", "--output", SYNTH_OUT[kind]], synthEnvironment(kind, process.env));
  if (result.status !== 0) throw new StageError(`cdktf synth failed:\n${tail(result.stdout + result.stderr)}`);
  ctx.synthesized.add(kind);
}

async function confirmDeleteData(config: Config, steps: readonly Step[]): Promise<void> {
  log("--delete-data also deletes, for good:");
  log(`  the data bucket s3://${config.fsx.dataBucket.name} with every object version (if this project created it)`);
  log(`  the FSx file system ${config.cluster.name}-shared (FSx keeps a final backup, billed until you delete it)`);
  log("  the Cognito user pool and its users");
  if (steps.some((s) => s.stage === "bootstrap"))
    log(`  the state bucket s3://${config.state.bucket} with every stage's state`);
  log("  the KMS keys (scheduled for deletion after 30 days; cancel with aws kms cancel-key-deletion)");
  const answer = (await ask(`Type the cluster name (${config.cluster.name}) to delete the data: `)).trim();
  if (answer !== config.cluster.name) throw new UsageError("not confirmed: nothing was run");
}

/**
 * The environment every tool runs with: no checkpoint calls (cdktf's and Terraform's), and the
 * provider cache cdktf itself sets up (~/.terraform.d/plugin-cache unless told otherwise), so the
 * plans this runner makes share the providers cdktf downloaded.
 */
export function prepareEnvironment(): void {
  process.env.CHECKPOINT_DISABLE = "1";
  if (!process.env.TF_PLUGIN_CACHE_DIR && !process.env.CDKTF_DISABLE_PLUGIN_CACHE_ENV) {
    process.env.TF_PLUGIN_CACHE_DIR = path.join(homedir(), ".terraform.d", "plugin-cache");
    mkdirSync(process.env.TF_PLUGIN_CACHE_DIR, { recursive: true });
  }
}

/** The deploy's flag that turns the image preflight off (parsed by lib/stages.ts). */
export const SKIP_IMAGE_PREFLIGHT = "--skip-image-preflight";

/** What a run can be given in place of the real thing, for tests that run it in-process. */
export interface RunnerOptions {
  /**
   * The image preflight's registry and images (ImagePreflightOptions), or false for none.
   * @default the registries themselves, and the unproven images of the stacks just synthesized
   */
  readonly imagePreflight?: Partial<Omit<ImagePreflightOptions, "log" | "outdir">> | false;
}

export async function main(
  command: "deploy" | "destroy",
  argv: readonly string[],
  runner: RunnerOptions = {},
): Promise<void> {
  const options = parseRunArgs(command, argv);
  const skipPreflight = options.skipImagePreflight;
  const config = loadConfig(configPathFromEnv());
  const steps = command === "deploy" ? deployPlan(options) : destroyPlan(options, config);

  const title =
    command === "deploy" ? "deploy" : options.deleteData ? "destroy, deleting the data" : "destroy, keeping the data";
  log(`${title}: ${steps.length} stage${steps.length === 1 ? "" : "s"}, in order`);
  steps.forEach((s, i) => log(`  ${i + 1}. ${describeStep(s)}`));
  const preflight = command === "deploy" && !skipPreflight && runner.imagePreflight !== false;
  if (preflight && options.dryRun)
    log(
      "  before the first stage that runs an image whose promotion is unproven offline (npm run conformance names it), " +
        `that image is looked up in its registry (${SKIP_IMAGE_PREFLIGHT} skips this)`,
    );
  if (options.dryRun) return;

  prepareEnvironment();
  requireCredentials();
  if (steps.some((s) => s.action === "install" || s.action === "cleanup")) requireKubectl();
  if (command === "destroy" && options.deleteData) await confirmDeleteData(config, steps);
  for (const kind of synthsOf(steps)) synth(kind);

  const ctx: Context = {
    command,
    options,
    config,
    kubeconfig: kubeconfigPath(config),
    synthesized: new Set(synthsOf(steps)),
  };
  // Only a stage's deploy runs its images; the lookups are made when the first such stage is reached.
  const beforeStage = preflight
    ? imagePreflight({ ...(runner.imagePreflight || {}), outdir: path.join(ROOT, SYNTH_OUT.stages), log })
    : undefined;
  const started = Date.now();
  for (const [i, step] of steps.entries()) {
    const at = `[${i + 1}/${steps.length}] ${step.stage}`;
    const t0 = Date.now();
    log(`${at}: ${describeAction(step)}`);
    ctx.stage = step.stage;
    let outcome: Outcome;
    try {
      if (beforeStage && step.action === "deploy") await beforeStage(step.stage);
      outcome = await runStep(ctx, step);
    } catch (err) {
      const known =
        err instanceof StageError ||
        err instanceof InstallError ||
        err instanceof CleanupError ||
        err instanceof ImagePreflightError;
      const reason = known ? (err as Error).message : String(err instanceof Error ? err.stack : err);
      throw new StageError(
        `${command} stopped at stage ${step.stage} (${i + 1} of ${steps.length}) after ${elapsed(Date.now() - t0)}:\n` +
          `${reason}\nResume with: ${resumeCommand(command, step.stage, options)}`,
      );
    }
    const word = { done: "done", skipped: "skipped, nothing to change", kept: "kept" }[outcome];
    log(`${at}: ${word} (${elapsed(Date.now() - t0)}; ${elapsed(Date.now() - started)} in all)`);
  }
  log(`${command} finished in ${elapsed(Date.now() - started)}`);
}

/** Runs `main` as the command line does: its exit status, with the reason for a failure on stderr. */
export async function runCommandLine(
  command: "deploy" | "destroy",
  argv: readonly string[],
  runner: RunnerOptions = {},
): Promise<number> {
  try {
    await main(command, argv, runner);
    return 0;
  } catch (err) {
    const known =
      err instanceof StageError ||
      err instanceof UsageError ||
      err instanceof ConfigError ||
      err instanceof InstallError ||
      err instanceof ReleaseError;
    log(known ? `error: ${(err as Error).message}` : String(err instanceof Error ? err.stack : err));
    return 1;
  }
}

if (require.main === module) {
  const [command, ...argv] = process.argv.slice(2);
  if (command !== "deploy" && command !== "destroy") {
    log(`usage: scripts/deploy.ts deploy|destroy [options] (got "${command ?? ""}")`);
    process.exit(2);
  }
  void runCommandLine(command, argv).then((status) => {
    process.exitCode = status;
  });
}
