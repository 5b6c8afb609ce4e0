/**
 * npm run fsx -- park|unpark|status [--yes] [--dry-run]
 *
 * park: the FSx file system is deleted when nobody works, with nothing lost. It refuses while a pod
 * mounts the shared claim, exports every file to the linked S3 prefix with a data repository task
 * and reads the task's completion report; only an export that SUCCEEDED with no failed file lets
 * it deploy the fsx stage parked (stacks/fsx-parked-stack.ts), which deletes the file system, its
 * S3 link, the volume, the claim and the CSI driver and keeps the rest (the data bucket and its key
 * are never touched). unpark deploys the stage whole again: a new file system linked to the same
 * bucket and prefix, which imports its listing (the S3 link's BatchImportMetaDataOnCreate), and the
 * same claim. Both find out first what the stage's state says, so running one again does nothing,
 * and a run that stopped is finished by running it again. --dry-run prints the plan, offline.
 *
 * AWS API facts below are from the FSx API model in aws-sdk v2.1693.0: operations and shapes from
 * apis/fsx-2018-03-01.min.json, their enums and documentation from clients/fsx.d.ts. Task types
 * (DataRepositoryTaskType: EXPORT_TO_REPOSITORY, IMPORT_METADATA_FROM_REPOSITORY), lifecycles
 * (DataRepositoryTaskLifecycle: PENDING, EXECUTING, FAILED, SUCCEEDED, CANCELED, CANCELING), counts
 * (DataRepositoryTaskStatus: TotalCount, SucceededCount, FailedCount), the filters of
 * DescribeDataRepositoryTasks (file-system-id), the completion report (CompletionReport: Enabled,
 * Path "within the file system's ExportPath", Format REPORT_CSV_20191124 "delivered to
 * {path}/task-{id}/failures.csv", Scope FAILED_FILES_ONLY), file system and S3 link lifecycles
 * (FileSystemLifecycle, DataRepositoryLifecycle), and DeleteFileSystem's "If you have automatic
 * export enabled and want to use an export data repository task, you have to disable automatic
 * export before executing the export data repository task".
 *
 * Executables: cdktf, terraform (or TERRAFORM_BINARY_NAME), aws, kubectl. KF_POLL_SECONDS (default 15).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { ConfigError, configPathFromEnv, loadConfig } from "../config/load";
import type { Config } from "../config/schema";
import { LINK_EVENTS, linkedS3Path } from "../constructs/lustre-file-system";
import {
  FSX_CLAIM_NAME,
  FSX_SKIP_FINAL_BACKUP_VARIABLE,
  IN_CLUSTER_RESOURCE,
  parseStateLock,
  readFsxState,
  stateLockMessage,
  synthEnvironment,
  SYNTH_OUT,
  UsageError,
  type FsxState,
  type SynthKind,
} from "../lib/stages";
import { clusterExists } from "./cluster-cleanup";
import { kubeconfigPath, prepareEnvironment, requireCredentials } from "./deploy";
import { commandRunner, type CommandResult, type Runner } from "./kubeflow-install";

const ROOT = path.resolve(__dirname, "..");

export type FsxCommand = "park" | "unpark" | "status";

export interface FsxArgs {
  readonly command: FsxCommand;
  /** Approve the stage's plan (cdktf --auto-approve). */
  readonly yes: boolean;
  /** Print the plan; run nothing, call nothing. */
  readonly dryRun: boolean;
}

const USAGE = "npm run fsx -- park|unpark|status [--yes] [--dry-run]";

export function parseFsxArgs(argv: readonly string[]): FsxArgs {
  const [command, ...rest] = argv;
  if (command !== "park" && command !== "unpark" && command !== "status")
    throw new UsageError(`unknown command "${command ?? ""}": ${USAGE}`);
  let yes = false;
  let dryRun = false;
  for (const arg of rest) {
    if (arg === "--yes" || arg === "-y") yes = true;
    else if (arg === "--dry-run") dryRun = true;
    else throw new UsageError(`unknown argument "${arg}": ${USAGE}`);
  }
  return { command, yes, dryRun };
}

/** Why park or unpark stopped; what it says is what the user needs. */
export class FsxError extends Error {}

/** What the commands run: captured (aws, kubectl, terraform), on the terminal (cdktf deploy), and the synth. */
export interface FsxTools {
  readonly run: Runner;
  /** A command with the user's terminal attached (cdktf deploy shows its plan and asks); its exit status. */
  readonly interactive: (command: string, args: readonly string[]) => number;
  /** `cdktf synth` of a kind into its folder (lib/stages.ts SYNTH_OUT). */
  readonly synth: (kind: SynthKind) => CommandResult;
}

export interface FsxOptions extends FsxArgs {
  readonly config: Config;
  /** The kubeconfig written for the cluster (aws eks update-kubeconfig), passed to every kubectl. */
  readonly kubeconfig: string;
  readonly log: (line: string) => void;
  readonly sleep: (seconds: number) => Promise<void>;
  readonly now: () => number;
  readonly pollSeconds: number;
  /**
   * How long park waits for its export task before it stops (running park again waits again).
   * @default 6 hours
   */
  readonly exportTimeoutSeconds?: number;
  /**
   * How long unpark waits for the S3 link's import to finish.
   * @default 2 hours
   */
  readonly importTimeoutSeconds?: number;
  /** @default "terraform" (TERRAFORM_BINARY_NAME, as cdktf reads it) */
  readonly terraformBinary?: string;
}

export type FsxOutcome = "planned" | "parked" | "already-parked" | "unparked" | "already-running" | "status";

/** The tag on park's export tasks, which tells them from others (aws fsx describe-data-repository-tasks). */
export const PARK_TASK_TAG = { Key: "kubeflow-eks/purpose", Value: "park" } as const;
/** The folder under the exported prefix that holds park's completion reports. */
export const REPORTS_FOLDER = ".fsx-park-reports";
/** Task lifecycles that are still going (DataRepositoryTaskLifecycle). */
const TASK_RUNNING = ["PENDING", "EXECUTING", "CANCELING"];
/** The plan file of park's state-only change before the deletion (in the stage's folder). */
const FINAL_BACKUP_PLAN = "park-final-backup.tfplan";

/** Where park exports to and unpark links to, from the config. */
export interface ParkLayout {
  readonly fileSystemName: string;
  readonly deploymentType: Config["fsx"]["deploymentType"];
  /** The S3 path the file system is linked to and imports from: the same before and after parking. */
  readonly linkedPath: string;
  /** Where the export task writes: the linked path (PERSISTENT_2) or the export path (SCRATCH_2). */
  readonly exportPath: string;
  /** Where the completion reports go (must be within the export path: CompletionReport.Path). */
  readonly reportPath: string;
  readonly namespace: string;
  readonly claim: string;
  readonly bucket: string;
}

export function parkLayout(config: Config): ParkLayout {
  const fsx = config.fsx;
  const linkedPath = linkedS3Path(fsx.dataBucket.name, fsx.s3Prefix);
  const exportPath =
    fsx.deploymentType === "SCRATCH_2" ? linkedS3Path(fsx.dataBucket.name, fsx.exportPrefix) : linkedPath;
  return {
    fileSystemName: `${config.cluster.name}-shared`,
    deploymentType: fsx.deploymentType,
    linkedPath,
    exportPath,
    reportPath: `${exportPath}/${REPORTS_FOLDER}`,
    namespace: config.kubeflow.profile.name,
    claim: FSX_CLAIM_NAME,
    bucket: fsx.dataBucket.name,
  };
}

/**
 * SCRATCH_2 exports to fsx.exportPrefix but a new file system imports fsx.s3Prefix: park is only
 * allowed when the two are the same path (then every file comes back where it was). undefined when
 * park can go ahead.
 */
export function scratchRefusal(layout: ParkLayout): string | undefined {
  if (layout.deploymentType !== "SCRATCH_2") return undefined;
  // Export tasks write new and changed files under the export path: unless it is the path a new file
  // system imports, a changed file would come back beside its old version, not in its place.
  if (layout.exportPath === layout.linkedPath) return undefined;
  return (
    `park refused, nothing was run: this SCRATCH_2 file system exports to ${layout.exportPath} (fsx.exportPrefix), ` +
    `not ${layout.linkedPath} (fsx.s3Prefix), the path a file system created by unpark imports; what park ` +
    "exports would not come back in place of what it imports. Copy what you need to S3 yourself, or set " +
    "fsx.exportPrefix to fsx.s3Prefix."
  );
}

export function planLines(command: FsxCommand, config: Config): string[] {
  const l = parkLayout(config);
  const parked = SYNTH_OUT["fsx-parked"];
  const stages = SYNTH_OUT.stages;
  const persistent = l.deploymentType === "PERSISTENT_2";
  if (command === "park")
    return [
      `park: delete the FSx file system ${l.fileSystemName} (${l.deploymentType}) once everything on it is in ${l.exportPath}`,
      `  1. read the fsx stage's state (terraform show in ${parked}/stacks/fsx): if it says parked, stop there, nothing more is run`,
      `  2. refuse while a pod in ${l.namespace} mounts the claim ${l.claim}, naming each pod`,
      ...(persistent
        ? [
            "  3. turn the S3 link's automatic export off (FSx runs no export task alongside it: DeleteFileSystem in the FSx API reference)",
          ]
        : []),
      `  ${persistent ? 4 : 3}. export every file to ${l.exportPath} with a data repository task (EXPORT_TO_REPOSITORY), ` +
        `its completion report (failed files only) under ${l.reportPath}/; wait until it has SUCCEEDED with 0 failed files ` +
        "and read the report. Anything else refuses the park: the failed files are named, nothing is deleted" +
        (persistent ? ", and the automatic export is turned back on" : ""),
      `  ${persistent ? 5 : 4}. look for pods mounting the claim again`,
      ...(persistent
        ? [
            `  6. skip_final_backup = true in the state (terraform plan and apply of the file system alone in ${stages}/stacks/fsx, ` +
              "refused if it would change anything else): its deletion takes no backup",
          ]
        : []),
      `  ${persistent ? 7 : 5}. cdktf deploy fsx from ${parked} (shows the plan and asks unless --yes): deletes the file system, ` +
        `${persistent ? "its S3 link, " : ""}the volume, the claim and the CSI driver; keeps the security group, the logs` +
        `${persistent ? ", the file system's KMS key" : ""}; the state's output says parked = true`,
      `  never touched: the data bucket s3://${l.bucket} and its KMS key. Running park again finishes a park that stopped.`,
    ];
  if (command === "unpark")
    return [
      `unpark: create the FSx file system ${l.fileSystemName} again, linked to ${l.linkedPath}, and the claim ${l.namespace}/${l.claim}`,
      `  1. read the fsx stage's state (terraform show in ${stages}/stacks/fsx): if it does not say parked, stop there, nothing more is run`,
      "  2. needs the cluster (the claim lives in it)",
      `  3. cdktf deploy fsx from ${stages} (shows the plan and asks unless --yes): the file system, ` +
        (persistent
          ? "its S3 link importing the listing of what is in S3 as it is created (BatchImportMetaDataOnCreate), "
          : "which imports the listing of what is in S3 as it is created (import path), ") +
        "the CSI driver, the volume and the claim",
      ...(persistent
        ? ["  4. wait until the S3 link's import task has finished, and say how many files it imported"]
        : []),
    ];
  return [
    `status: what the fsx stage's state says (terraform show in ${stages}/stacks/fsx) and the file system's lifecycle`,
  ];
}

interface Ctx {
  readonly o: FsxOptions;
  readonly t: FsxTools;
  readonly layout: ParkLayout;
  readonly resume: string;
  /**
   * How to deploy the stage whole: a state that says parked (a park that stopped) makes npm run
   * deploy stop, so unpark does it then.
   */
  deployHint: string;
}

const tail = (text: string, lines = 25) => text.trim().split("\n").slice(-lines).join("\n");
const region = (c: Ctx) => ["--region", c.o.config.region, "--output", "json"];

function terraform(c: Ctx, kind: SynthKind, args: readonly string[]): CommandResult {
  const dir = path.join(SYNTH_OUT[kind], "stacks", "fsx");
  const binary = c.o.terraformBinary ?? "terraform";
  const result = c.t.run(binary, [`-chdir=${dir}`, ...args]);
  if (result.status === 127) throw new FsxError(`${binary} not found: install Terraform 1.10 or newer`);
  const lock = parseStateLock(result.stdout + result.stderr);
  if (lock) throw new FsxError(stateLockMessage("fsx", lock, dir, c.resume));
  return result;
}

function terraformOk(c: Ctx, kind: SynthKind, args: readonly string[]): string {
  const result = terraform(c, kind, args);
  if (result.status !== 0) throw new FsxError(`terraform ${args[0]} failed:\n${tail(result.stdout + result.stderr)}`);
  return result.stdout;
}

function synthAndInit(c: Ctx, kind: SynthKind): void {
  c.o.log(`synthesizing ${SYNTH_OUT[kind]}/`);
  const result = c.t.synth(kind);
  if (result.status !== 0) throw new FsxError(`cdktf synth failed:\n${tail(result.stdout + result.stderr)}`);
  terraformOk(c, kind, ["init", "-input=false", "-no-color"]);
}

function stageState(c: Ctx, kind: SynthKind): FsxState {
  return readFsxState(terraformOk(c, kind, ["show", "-json", "-no-color"]));
}

/** Plans, deploys with cdktf when there is something to do, and plans again to be sure it was applied. */
function converge(c: Ctx, kind: SynthKind): void {
  const changes = () => {
    const r = terraform(c, kind, ["plan", "-input=false", "-no-color", "-detailed-exitcode", "-lock-timeout=0s"]);
    if (r.status === 0) return false;
    if (r.status === 2) return true;
    throw new FsxError(`terraform plan failed:\n${tail(r.stdout + r.stderr)}`);
  };
  if (!changes()) return;
  const args = ["deploy", "fsx", "--output", SYNTH_OUT[kind], "--skip-synth", "--ignore-missing-stack-dependencies"];
  if (c.o.yes) args.push("--auto-approve");
  const status = c.t.interactive("cdktf", args);
  if (status !== 0) throw new FsxError(`cdktf deploy fsx failed (exit ${status}); its output is above`);
  if (changes()) throw new FsxError("the plan of fsx was not applied (declined, or it still has changes)");
}

function awsJson<T>(c: Ctx, args: readonly string[], what: string): T {
  const result = c.t.run("aws", [...args, ...region(c)]);
  if (result.status !== 0) throw new FsxError(`${what} failed: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout || "{}") as T;
}

interface FileSystem {
  readonly FileSystemId: string;
  readonly Lifecycle?: string;
  readonly LustreConfiguration?: {
    readonly DeploymentType?: string;
    readonly DataRepositoryConfiguration?: { readonly ImportPath?: string; readonly ExportPath?: string };
  };
}

/** The file system, or undefined once FSx no longer knows it (FileSystemNotFound). */
function describeFileSystem(c: Ctx, id: string): FileSystem | undefined {
  const result = c.t.run("aws", ["fsx", "describe-file-systems", "--file-system-ids", id, ...region(c)]);
  if (result.status !== 0) {
    if (/FileSystemNotFound/.test(result.stderr)) return undefined;
    throw new FsxError(`aws fsx describe-file-systems ${id} failed: ${result.stderr.trim()}`);
  }
  return (JSON.parse(result.stdout) as { FileSystems?: FileSystem[] }).FileSystems?.[0];
}

interface Association {
  readonly AssociationId: string;
  readonly Lifecycle?: string;
  readonly FileSystemPath?: string;
  readonly DataRepositoryPath?: string;
  readonly S3?: {
    readonly AutoImportPolicy?: { readonly Events?: string[] };
    readonly AutoExportPolicy?: { readonly Events?: string[] };
  };
}

function associations(c: Ctx, fileSystemId: string): Association[] {
  return (
    awsJson<{ Associations?: Association[] }>(
      c,
      ["fsx", "describe-data-repository-associations", "--filters", `Name=file-system-id,Values=${fileSystemId}`],
      "aws fsx describe-data-repository-associations",
    ).Associations ?? []
  );
}

interface Task {
  readonly TaskId: string;
  readonly Lifecycle: string;
  readonly Type: string;
  readonly FailureDetails?: { readonly Message?: string };
  readonly Status?: { readonly TotalCount?: number; readonly SucceededCount?: number; readonly FailedCount?: number };
  readonly Report?: { readonly Path?: string };
}

function tasks(c: Ctx, filters: readonly string[]): Task[] {
  return (
    awsJson<{ DataRepositoryTasks?: Task[] }>(
      c,
      ["fsx", "describe-data-repository-tasks", "--filters", ...filters],
      "aws fsx describe-data-repository-tasks",
    ).DataRepositoryTasks ?? []
  );
}

const counts = (t: Task) =>
  `${t.Status?.SucceededCount ?? "?"} of ${t.Status?.TotalCount ?? "?"} files done, ${t.Status?.FailedCount ?? "?"} failed`;

async function waitUntil<T>(
  c: Ctx,
  timeoutSeconds: number,
  check: () => T | undefined,
  waiting: () => string,
  timedOut: () => string,
): Promise<T> {
  const deadline = c.o.now() + timeoutSeconds * 1000;
  for (;;) {
    const done = check();
    if (done !== undefined) return done;
    if (c.o.now() >= deadline) throw new FsxError(timedOut());
    c.o.log(`  ${waiting()}`);
    await c.o.sleep(c.o.pollSeconds);
  }
}

/**
 * Pods in the profile namespace whose volumes use the claim: those that have not ended, and, with
 * `startedSince` (ms), any that started since then, ended or not (a pipeline step that wrote to the
 * file system after the export passed its files and has finished): ns/name each.
 */
export function podsMounting(podsJson: string, claim: string, startedSince?: number): string[] {
  const pods = (
    JSON.parse(podsJson) as {
      items?: {
        metadata: { name: string; namespace: string; creationTimestamp?: string };
        spec?: { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] };
        status?: { phase?: string; startTime?: string };
      }[];
    }
  ).items;
  const since = (p: { metadata: { creationTimestamp?: string }; status?: { startTime?: string } }) => {
    const at = Date.parse(p.status?.startTime ?? p.metadata.creationTimestamp ?? "");
    // A pod with no time it started is taken as new.
    return startedSince !== undefined && (Number.isNaN(at) || at >= startedSince);
  };
  return (pods ?? [])
    .filter((p) => (p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed") || since(p))
    .filter((p) => (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim))
    .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
}

/** Refuses while a pod mounts the claim. A cluster that is gone has no pod. */
function refuseWhileMounted(c: Ctx, startedSince?: number): void {
  const cluster = { clusterName: c.o.config.cluster.name, region: c.o.config.region };
  if (!clusterExists(cluster, c.t.run)) {
    c.o.log(`  cluster ${cluster.clusterName} does not exist: no pod mounts the claim`);
    return;
  }
  mkdirSync(path.dirname(c.o.kubeconfig), { recursive: true });
  const kubeconfig = c.t.run("aws", [
    "eks",
    "update-kubeconfig",
    "--name",
    cluster.clusterName,
    "--region",
    cluster.region,
    "--kubeconfig",
    c.o.kubeconfig,
  ]);
  if (kubeconfig.status !== 0)
    throw new FsxError(`aws eks update-kubeconfig --name ${cluster.clusterName} failed: ${kubeconfig.stderr.trim()}`);
  const { namespace, claim } = c.layout;
  const result = c.t.run("kubectl", ["--kubeconfig", c.o.kubeconfig, "-n", namespace, "get", "pods", "-o", "json"]);
  if (result.status !== 0) throw new FsxError(`kubectl -n ${namespace} get pods failed: ${result.stderr.trim()}`);
  const mounting = podsMounting(result.stdout, claim, startedSince);
  if (mounting.length > 0)
    throw new FsxError(
      `park refused, nothing was deleted: ${mounting.length === 1 ? "a pod mounts" : `${mounting.length} pods mount`} ` +
        `the claim ${namespace}/${claim}: ${mounting.join(", ")}. Stop them (a notebook: stop its server in the ` +
        "Kubeflow dashboard) and run npm run fsx -- park again.",
    );
  c.o.log(`  no pod mounts the claim ${namespace}/${claim}`);
}

const normalize = (s3Path: string | undefined) => (s3Path ?? "").replace(/\/+$/, "");

/** The S3 link of a PERSISTENT_2 file system, checked against the config: the export must land where unpark links. */
function checkedLink(c: Ctx, fileSystemId: string): Association {
  const root = associations(c, fileSystemId).filter((a) => a.FileSystemPath === "/");
  const link = root[0];
  if (!link)
    throw new FsxError(
      `park refused, nothing was deleted: file system ${fileSystemId} has no S3 link at / to export to. Deploy the fsx stage whole (${c.deployHint}), then park again.`,
    );
  if (normalize(link.DataRepositoryPath) !== c.layout.linkedPath)
    throw new FsxError(
      `park refused, nothing was deleted: file system ${fileSystemId} is linked to ${link.DataRepositoryPath}, but the configuration ` +
        `links ${c.layout.linkedPath}, which unpark would import: deploy the configuration first (${c.deployHint}).`,
    );
  if (link.Lifecycle !== "AVAILABLE")
    throw new FsxError(
      `park refused, nothing was deleted: the S3 link ${link.AssociationId} is ${link.Lifecycle}, so nothing can be exported through it; ` +
        "fix it (aws fsx describe-data-repository-associations shows why) and run park again.",
    );
  return link;
}

/**
 * Sets the S3 link's automatic export events (none turns it off: AutoExportPolicy.Events is an
 * optional list of NEW, CHANGED, DELETED), keeping its import events. Through the FSx API, not
 * Terraform: the provider's `events` is Optional and Computed (terraform-provider-aws v6.25.0
 * resourceDataRepositoryAssociation:111-115), so an empty list in the configuration would plan no
 * change. The parked stage deletes the link anyway; a refused park turns the export back on.
 */
function setAutoExport(c: Ctx, link: Association, events: readonly string[]): void {
  const s3 = {
    AutoImportPolicy: { Events: link.S3?.AutoImportPolicy?.Events ?? [...LINK_EVENTS] },
    AutoExportPolicy: { Events: [...events] },
  };
  awsJson(
    c,
    ["fsx", "update-data-repository-association", "--association-id", link.AssociationId, "--s3", JSON.stringify(s3)],
    "aws fsx update-data-repository-association",
  );
}

async function waitForLink(c: Ctx, associationId: string): Promise<void> {
  await waitUntil(
    c,
    15 * 60,
    () => {
      const [link] = awsJson<{ Associations?: Association[] }>(
        c,
        ["fsx", "describe-data-repository-associations", "--association-ids", associationId],
        "aws fsx describe-data-repository-associations",
      ).Associations ?? [undefined];
      return link?.Lifecycle === "AVAILABLE" ? true : undefined;
    },
    () => `waiting for the S3 link ${associationId} to be AVAILABLE again`,
    () => `the S3 link ${associationId} is not AVAILABLE after 15 minutes: run park again`,
  );
}

/** Turns the automatic export back on after a refusal, as the configuration has it; says so either way. */
async function restoreAutoExport(c: Ctx, fileSystemId: string, associationId: string): Promise<string> {
  try {
    const link = associations(c, fileSystemId).find((a) => a.AssociationId === associationId);
    if (!link) return "";
    setAutoExport(c, link, LINK_EVENTS);
    await waitForLink(c, associationId);
    return " The S3 link's automatic export is on again.";
  } catch (err) {
    return (
      ` Turning the S3 link's automatic export back on failed (${(err as Error).message}): ` +
      "npm run deploy -- --only fsx turns it on again."
    );
  }
}

/** A completion report's rows (RFC 4180, as FSx writes it): FilePath, FileStatus, ErrorCode. */
export function parseReport(csv: string): { path: string; status: string; code: string }[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i];
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && csv[i + 1] === "\n") i++;
      row.push(field);
      if (row.some((f) => f !== "")) rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f !== "")) rows.push(row);
  return rows.map(([p = "", status = "", code = ""]) => ({ path: p, status, code }));
}

function s3Location(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new FsxError(`not an S3 path: ${uri}`);
  return { bucket: match[1], key: match[2].replace(/\/+$/, "") };
}

/**
 * The failed files a task's completion report lists, read from its S3 objects. FSx delivers it to
 * "{path}/task-{id}/failures.csv" (CompletionReport.Format); whether {id} is the TaskId, which
 * starts with "task-" itself, the model does not say, so the task's folder is either.
 */
function reportedFailures(c: Ctx, task: Task): { where: string; files: { path: string; code: string }[] } {
  const { bucket, key } = s3Location(task.Report?.Path ?? c.layout.reportPath);
  const prefix = key ? `${key}/` : "";
  const listed = awsJson<{ Contents?: { Key: string }[] }>(
    c,
    ["s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix],
    "aws s3api list-objects-v2 (the completion report)",
  );
  const folders = [task.TaskId, `task-${task.TaskId}`];
  const ours = (listed.Contents ?? []).filter(
    ({ Key }) => Key.endsWith(".csv") && folders.includes(Key.slice(prefix.length).split("/")[0]),
  );
  const files: { path: string; code: string }[] = [];
  for (const { Key } of ours) {
    const object = c.t.run("aws", ["s3", "cp", `s3://${bucket}/${Key}`, "-", "--region", c.o.config.region]);
    if (object.status !== 0)
      throw new FsxError(`reading the completion report s3://${bucket}/${Key} failed: ${object.stderr.trim()}`);
    for (const r of parseReport(object.stdout)) files.push({ path: r.path, code: r.code });
  }
  const where = ours.length > 0 ? `s3://${bucket}/${ours[0].Key}` : `s3://${bucket}/${prefix}(task ${task.TaskId})`;
  return { where, files };
}

/** Runs the export and proves it complete, or throws saying why not and which files failed. */
async function exportEverything(c: Ctx, fileSystemId: string): Promise<Task> {
  const filter = `Name=file-system-id,Values=${fileSystemId}`;
  // One task at a time: an earlier one (a park that stopped, or anyone's) ends first, then ours starts,
  // so everything written before it is in it.
  await waitUntil(
    c,
    c.o.exportTimeoutSeconds ?? 6 * 3600,
    () => (tasks(c, [filter]).some((t) => TASK_RUNNING.includes(t.Lifecycle)) ? undefined : true),
    () => `waiting for the data repository tasks already running on ${fileSystemId} to end first`,
    () => `data repository tasks are still running on ${fileSystemId}: run park again later`,
  );
  const report = {
    Enabled: true,
    Path: c.layout.reportPath,
    Format: "REPORT_CSV_20191124",
    Scope: "FAILED_FILES_ONLY",
  };
  const created = awsJson<{ DataRepositoryTask?: Task }>(
    c,
    [
      "fsx",
      "create-data-repository-task",
      "--file-system-id",
      fileSystemId,
      "--type",
      "EXPORT_TO_REPOSITORY",
      "--report",
      JSON.stringify(report),
      "--tags",
      `Key=${PARK_TASK_TAG.Key},Value=${PARK_TASK_TAG.Value}`,
    ],
    "aws fsx create-data-repository-task",
  ).DataRepositoryTask;
  if (!created?.TaskId) throw new FsxError("aws fsx create-data-repository-task returned no task");
  c.o.log(`  export task ${created.TaskId} started`);
  let last = created;
  const minutes = Math.round((c.o.exportTimeoutSeconds ?? 6 * 3600) / 60);
  const task = await waitUntil(
    c,
    c.o.exportTimeoutSeconds ?? 6 * 3600,
    () => {
      [last] = awsJson<{ DataRepositoryTasks?: Task[] }>(
        c,
        ["fsx", "describe-data-repository-tasks", "--task-ids", created.TaskId],
        "aws fsx describe-data-repository-tasks",
      ).DataRepositoryTasks ?? [last];
      return TASK_RUNNING.includes(last.Lifecycle) ? undefined : last;
    },
    () => `export task ${created.TaskId} ${last.Lifecycle}: ${counts(last)}`,
    () =>
      `park stopped, nothing was deleted: export task ${created.TaskId} is still ${last.Lifecycle} after ${minutes} minutes ` +
      `(${counts(last)}). Run npm run fsx -- park again: it waits for it, then exports what is left.`,
  );
  const failures = reportedFailures(c, task);
  const failed = task.Status?.FailedCount;
  if (task.Lifecycle === "SUCCEEDED" && failed === 0 && failures.files.length === 0) {
    c.o.log(`  export task ${task.TaskId} SUCCEEDED: ${counts(task)}; its report lists no failed file`);
    return task;
  }
  const shown = failures.files.slice(0, 20).map((f) => `    ${f.path}${f.code ? ` (${f.code})` : ""}`);
  const more = failures.files.length > shown.length ? [`    ... and ${failures.files.length - shown.length} more`] : [];
  throw new FsxError(
    [
      `park refused, nothing was deleted: the export did not prove complete. Task ${task.TaskId} ended ${task.Lifecycle}` +
        `${task.FailureDetails?.Message ? ` (${task.FailureDetails.Message})` : ""}: ${counts(task)}.`,
      failures.files.length > 0
        ? `Failed files, from the completion report ${failures.where}:`
        : `The completion report under ${failures.where} lists no file${failed ? ", though the task counts failures" : ""}.`,
      ...shown,
      ...more,
      'Fix them (FSx for Lustre user guide, "Troubleshooting data repository task failures") and run npm run fsx -- park again.',
    ].join("\n"),
  );
}

interface PlannedChange {
  readonly address: string;
  readonly change: { readonly actions: string[]; readonly before?: unknown; readonly after?: unknown };
}

/** The attributes a planned change alters, by name; `after_unknown` values count as altered. */
function alteredAttributes(change: PlannedChange["change"] & { after_unknown?: unknown }): string[] {
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  const unknown = (change.after_unknown ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys].filter(
    (k) => unknown[k] === true || JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
  );
}

/**
 * skip_final_backup = true in state before the file system leaves the configuration (the provider's
 * delete reads it from state), by a plan of the file system alone with the stage's variable set,
 * applied only when it changes nothing but that attribute. FSx takes no backup of a file system
 * linked to S3 anyway (FSx for Lustre user guide, "Working with backups"; DeleteFileSystem: "Backups
 * cannot be enabled on S3-linked file systems"), so asking for a final one could only fail the delete.
 */
function skipFinalBackup(c: Ctx, fileSystemAddress: string): void {
  synthAndInit(c, "stages");
  terraformOk(c, "stages", [
    "plan",
    "-input=false",
    "-no-color",
    "-lock-timeout=0s",
    `-target=${fileSystemAddress}`,
    `-var=${FSX_SKIP_FINAL_BACKUP_VARIABLE}=true`,
    `-out=${FINAL_BACKUP_PLAN}`,
  ]);
  // The plan file holds the stage's state: it goes once read or applied.
  const planFile = path.join(ROOT, SYNTH_OUT.stages, "stacks", "fsx", FINAL_BACKUP_PLAN);
  try {
    applyFinalBackupPlan(c, fileSystemAddress);
  } finally {
    rmSync(planFile, { force: true });
  }
}

function applyFinalBackupPlan(c: Ctx, fileSystemAddress: string): void {
  const plan = JSON.parse(terraformOk(c, "stages", ["show", "-json", "-no-color", FINAL_BACKUP_PLAN])) as {
    resource_changes?: (PlannedChange & { change: { after_unknown?: unknown } })[];
  };
  const unexpected: string[] = [];
  let needed = false;
  for (const rc of plan.resource_changes ?? []) {
    const actions = rc.change.actions.join(",");
    if (actions === "no-op" || actions === "read") continue;
    const altered = alteredAttributes(rc.change);
    if (rc.address === fileSystemAddress && actions === "update" && altered.every((a) => a === "skip_final_backup"))
      needed = true;
    else unexpected.push(`${rc.address} (${actions}${altered.length ? `: ${altered.join(", ")}` : ""})`);
  }
  if (unexpected.length > 0)
    throw new FsxError(
      `park stopped before deleting anything: the fsx stage has changes not deployed yet, ${unexpected.join("; ")}. ` +
        `Deploy them first (${c.deployHint}) and run park again.`,
    );
  if (!needed) {
    c.o.log("  skip_final_backup is already true in the state");
    return;
  }
  terraformOk(c, "stages", ["apply", "-input=false", "-no-color", "-lock-timeout=0s", FINAL_BACKUP_PLAN]);
  c.o.log("  skip_final_backup = true in the state (nothing else changed)");
}

/** Objects of a cluster that is gone cannot be read, so they leave the state first (as npm run destroy does). */
function forgetObjectsOfDeletedCluster(c: Ctx, kind: SynthKind, state: FsxState): void {
  const objects = state.addresses.filter((a) => IN_CLUSTER_RESOURCE.test(a));
  if (objects.length === 0) return;
  if (clusterExists({ clusterName: c.o.config.cluster.name, region: c.o.config.region }, c.t.run)) return;
  c.o.log(`  cluster ${c.o.config.cluster.name} is gone, and with it ${objects.join(", ")}: forgetting them`);
  terraformOk(c, kind, ["state", "rm", ...objects]);
}

/**
 * Parking removes the FSx CSI driver with the file system; with fsx.dynamicProvisioning, claims the
 * driver provisioned (file systems of their own) could then neither mount nor be deleted.
 */
export function parkRefusal(config: Config, layout: ParkLayout): string | undefined {
  if (config.fsx.dynamicProvisioning)
    return (
      "park refused, nothing was run: fsx.dynamicProvisioning is on, and parking removes the FSx CSI driver, " +
      "which the file systems it provisioned for other claims need (to mount, and to be deleted). Delete those " +
      "claims first and set fsx.dynamicProvisioning to false, or keep the file system running."
    );
  return scratchRefusal(layout);
}

async function park(c: Ctx): Promise<FsxOutcome> {
  const refusal = parkRefusal(c.o.config, c.layout);
  if (refusal) throw new FsxError(refusal);
  requireCredentials(c.t.run, c.o.log);
  synthAndInit(c, "fsx-parked");
  const state = stageState(c, "fsx-parked");
  if (state.parked && !state.fileSystem) {
    c.o.log("fsx is already parked: nothing to do. npm run fsx -- unpark brings the file system back.");
    return "already-parked";
  }
  if (state.empty) throw new FsxError("the fsx stage is not deployed (its state is empty): there is nothing to park");
  if (!state.fileSystem)
    throw new FsxError(
      "the fsx stage's state holds no file system and does not say parked: deploy the stage (npm run deploy -- --only fsx) first",
    );
  const { id, address } = state.fileSystem;
  const persistent = c.layout.deploymentType === "PERSISTENT_2";
  if (state.parked) c.deployHint = "npm run fsx -- unpark";

  let fs = describeFileSystem(c, id);
  if (fs?.Lifecycle === "DELETING") {
    // A park that stopped while Terraform waited for the deletion: its export was proven before that.
    await waitUntil(
      c,
      3600,
      () => (describeFileSystem(c, id) ? undefined : true),
      () => `file system ${id} is DELETING`,
      () => `file system ${id} is still DELETING after an hour: run park again later`,
    );
    fs = undefined;
  }
  if (!fs) {
    c.o.log(
      `file system ${id} no longer exists (FSx: FileSystemNotFound): nothing is left to export; recording the park`,
    );
    forgetObjectsOfDeletedCluster(c, "fsx-parked", state);
    deployParked(c);
    c.o.log("fsx is parked. npm run fsx -- unpark creates the file system again.");
    return "parked";
  }
  if (fs.Lifecycle !== "AVAILABLE")
    throw new FsxError(
      `park refused, nothing was deleted: file system ${id} is ${fs.Lifecycle}; park needs it AVAILABLE. Run it again once it is.`,
    );
  if (!persistent) {
    const paths = fs.LustreConfiguration?.DataRepositoryConfiguration;
    if (normalize(paths?.ExportPath) !== c.layout.exportPath || normalize(paths?.ImportPath) !== c.layout.linkedPath)
      throw new FsxError(
        `park refused, nothing was deleted: file system ${id} imports ${paths?.ImportPath} and exports to ${paths?.ExportPath}, ` +
          `not ${c.layout.linkedPath} and ${c.layout.exportPath} as configured: deploy the configuration first (${c.deployHint}).`,
      );
  }
  c.o.log(`file system ${id} (${address}) is AVAILABLE`);
  refuseWhileMounted(c);
  const link = persistent ? checkedLink(c, id) : undefined;
  try {
    if (link && (link.S3?.AutoExportPolicy?.Events ?? []).length > 0) {
      c.o.log(`  turning the automatic export of the S3 link ${link.AssociationId} off for the export task`);
      setAutoExport(c, link, []);
      await waitForLink(c, link.AssociationId);
    }
    // Second-resolution pod times: a pod that started in the second the export began counts as after it.
    const exportBegan = Math.floor(Date.now() / 1000) * 1000;
    await exportEverything(c, id);
    refuseWhileMounted(c, exportBegan);
    if (persistent) skipFinalBackup(c, address);
    forgetObjectsOfDeletedCluster(c, "fsx-parked", state);
    deployParked(c);
  } catch (err) {
    // Until the deletion, the file system is in use as before: with its automatic export on.
    if (!link) throw err;
    const note = await restoreAutoExport(c, id, link.AssociationId);
    if (err instanceof FsxError) throw new FsxError(err.message + note);
    c.o.log(note.trim());
    throw err;
  }
  c.o.log(
    `fsx is parked: file system ${id} is deleted, everything on it is in ${c.layout.exportPath}. The data bucket ` +
      `s3://${c.layout.bucket} and its key are as they were. FSx costs nothing while parked; the bucket and the keys ` +
      "stay. npm run fsx -- unpark brings the file system back.",
  );
  return "parked";
}

/** Deploys the stage parked and checks that its state now says so. */
function deployParked(c: Ctx): void {
  c.o.log(`deploying fsx parked, from ${SYNTH_OUT["fsx-parked"]}`);
  converge(c, "fsx-parked");
  const state = stageState(c, "fsx-parked");
  if (!state.parked || state.fileSystem)
    throw new FsxError("the fsx stage was deployed parked, but its state does not say parked without a file system");
}
/** Waits for the import the new S3 link runs (BatchImportMetaDataOnCreate) and says how it went. */
async function waitForImport(c: Ctx, fileSystemId: string): Promise<void> {
  const filter = `Name=file-system-id,Values=${fileSystemId}`;
  const imports = () => tasks(c, [filter]).filter((t) => t.Type === "IMPORT_METADATA_FROM_REPOSITORY");
  const started = c.o.now();
  const done = await waitUntil(
    c,
    c.o.importTimeoutSeconds ?? 2 * 3600,
    () => {
      const all = imports();
      if (all.length === 0)
        // The link lists nothing yet; after a few minutes, none is coming.
        return c.o.now() - started >= 5 * 60 * 1000 ? null : undefined;
      return all.some((t) => TASK_RUNNING.includes(t.Lifecycle)) ? undefined : all;
    },
    () => `waiting for the S3 link's import on ${fileSystemId}`,
    () =>
      `the file system and the claim are back, but the S3 link's import on ${fileSystemId} is still running: ` +
      "files appear as it goes (aws fsx describe-data-repository-tasks shows it)",
  );
  if (done === null) {
    c.o.log(`  no import task is listed for ${fileSystemId}: files appear as FSx imports them from S3`);
    return;
  }
  const failed = done.filter((t) => t.Lifecycle !== "SUCCEEDED" || (t.Status?.FailedCount ?? 0) > 0);
  for (const t of done) c.o.log(`  import task ${t.TaskId} ${t.Lifecycle}: ${counts(t)}`);
  if (failed.length > 0)
    throw new FsxError(
      `the file system and the claim are back, but the S3 link's import did not complete: ` +
        failed
          .map(
            (t) =>
              `task ${t.TaskId} ${t.Lifecycle}${t.FailureDetails?.Message ? ` (${t.FailureDetails.Message})` : ""}, ${counts(t)}`,
          )
          .join("; ") +
        ". Nothing in S3 changed; run an import task for the missing files (aws fsx create-data-repository-task --type IMPORT_METADATA_FROM_REPOSITORY).",
    );
}

async function unpark(c: Ctx): Promise<FsxOutcome> {
  requireCredentials(c.t.run, c.o.log);
  synthAndInit(c, "stages");
  const state = stageState(c, "stages");
  if (state.empty)
    throw new FsxError("the fsx stage is not deployed (its state is empty): deploy it with npm run deploy");
  if (!state.parked) {
    if (state.fileSystem) {
      c.o.log(`fsx is not parked: file system ${state.fileSystem.id} is in its state. Nothing to do.`);
      return "already-running";
    }
    throw new FsxError(
      "the fsx stage's state holds no file system and does not say parked: deploy the stage (npm run deploy -- --only fsx)",
    );
  }
  const cluster = { clusterName: c.o.config.cluster.name, region: c.o.config.region };
  if (!clusterExists(cluster, c.t.run))
    throw new FsxError(
      `unpark needs the cluster ${cluster.clusterName}, where the claim lives, and it does not exist: run npm run deploy ` +
        "(which keeps fsx parked), then npm run fsx -- unpark",
    );
  c.o.log(`deploying fsx whole, from ${SYNTH_OUT.stages}`);
  converge(c, "stages");
  const after = stageState(c, "stages");
  if (after.parked || !after.fileSystem)
    throw new FsxError("the fsx stage was deployed, but its state does not hold a file system that is not parked");
  if (c.layout.deploymentType === "PERSISTENT_2") await waitForImport(c, after.fileSystem.id);
  c.o.log(
    `fsx is unparked: file system ${after.fileSystem.id}, linked to ${c.layout.linkedPath}, and the claim ` +
      `${c.layout.namespace}/${c.layout.claim} bound to it; start the notebooks that mount it again.`,
  );
  return "unparked";
}

async function status(c: Ctx): Promise<FsxOutcome> {
  requireCredentials(c.t.run, c.o.log);
  synthAndInit(c, "stages");
  const state = stageState(c, "stages");
  if (state.empty) c.o.log("fsx is not deployed");
  else if (state.parked && !state.fileSystem)
    c.o.log(
      `fsx is parked: no file system; its data is in ${c.layout.exportPath}. npm run fsx -- unpark brings it back.`,
    );
  else if (state.fileSystem) {
    const fs = describeFileSystem(c, state.fileSystem.id);
    c.o.log(
      `fsx ${state.parked ? "is half parked (a park stopped: run it again, or unpark)" : "runs"}: file system ` +
        `${state.fileSystem.id} ${fs ? fs.Lifecycle : "no longer exists in FSx"}`,
    );
  } else c.o.log("fsx has no file system in its state and does not say parked: npm run deploy -- --only fsx");
  return "status";
}

export async function runFsx(options: FsxOptions, tools: FsxTools): Promise<FsxOutcome> {
  const c: Ctx = {
    o: options,
    t: tools,
    layout: parkLayout(options.config),
    resume: `npm run fsx -- ${options.command}${options.yes ? " --yes" : ""}`,
    deployHint: "npm run deploy -- --only fsx",
  };
  for (const line of planLines(options.command, options.config)) options.log(line);
  if (options.dryRun) {
    const refusal = options.command === "park" ? parkRefusal(options.config, c.layout) : undefined;
    if (refusal) options.log(refusal);
    return "planned";
  }
  if (options.command === "park") return park(c);
  if (options.command === "unpark") return unpark(c);
  return status(c);
}

/** The real tools: processes in the project folder, cdktf deploy on the terminal. */
export function processTools(): FsxTools {
  return {
    run: commandRunner({ cwd: ROOT }),
    interactive: (command, args) => {
      const result = spawnSync(command, args, { stdio: "inherit", cwd: ROOT, env: process.env });
      if (result.error) throw new FsxError(`${command}: ${String(result.error)}`);
      return result.status ?? 1;
    },
    synth: (kind) =>
      commandRunner({ cwd: ROOT, env: synthEnvironment(kind, process.env) })("cdktf", [
        "synth",
        "--output",
        SYNTH_OUT[kind],
      ]),
  };
}

/** Runs a command as the command line does: its exit status, with the reason for a failure on stderr. */
export async function runCommandLine(argv: readonly string[], tools?: FsxTools): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const args = parseFsxArgs(argv);
    const config = loadConfig(configPathFromEnv());
    if (!args.dryRun) prepareEnvironment();
    await runFsx(
      {
        ...args,
        config,
        kubeconfig: kubeconfigPath(config),
        log,
        sleep: (s) => new Promise((resolve) => setTimeout(resolve, s * 1000)),
        now: () => Date.now(),
        pollSeconds: Number(process.env.KF_POLL_SECONDS ?? 15),
        terraformBinary: process.env.TERRAFORM_BINARY_NAME || "terraform",
      },
      tools ?? processTools(),
    );
    return 0;
  } catch (err) {
    const known = err instanceof FsxError || err instanceof UsageError || err instanceof ConfigError;
    log(known ? `error: ${(err as Error).message}` : String(err instanceof Error ? err.stack : err));
    return 1;
  }
}

if (require.main === module) {
  void runCommandLine(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
