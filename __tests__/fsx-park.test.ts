/**
 * npm run fsx -- park / unpark (scripts/fsx.ts), run in-process against a fake world: aws, kubectl,
 * terraform and cdktf answer from it as the real ones would (the FSx API's task lifecycles, counts
 * and completion report objects; the fsx stage's state as `terraform show -json` prints it), and
 * change it when the command would. The real Terraform and cdktf are not run here: what the parked
 * stage synthesizes to is teardown-stacks.test.ts's subject, how the deploy treats it deploy-e2e's.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseConfig } from "../config/load";
import type { Config } from "../config/schema";
import { SYNTH_OUT, type SynthKind } from "../lib/stages";
import {
  FsxError,
  parseFsxArgs,
  parseReport,
  podsMounting,
  runFsx,
  type FsxCommand,
  type FsxTools,
} from "../scripts/fsx";
import type { CommandResult } from "../scripts/kubeflow-install";

// Not from ./helpers: that loads the whole app, which nothing here uses.
const CONFIG_TEXT = readFileSync(path.join(__dirname, "..", "config", "default.yaml"), "utf8");
const defaults = parseConfig(CONFIG_TEXT, "default.yaml");
const BUCKET = defaults.fsx.dataBucket.name;
const FS_ADDRESS = "aws_fsx_lustre_file_system.lustre_file-system_4C99FD79";

interface Task {
  TaskId: string;
  Type: string;
  FileSystemId: string;
  Lifecycle: string;
  Report?: { Path?: string };
  Status?: { TotalCount: number; SucceededCount: number; FailedCount: number };
  FailureDetails?: { Message: string };
  /** What the task ends as, and the rows of its report, once it has been looked at twice. */
  end: { lifecycle: string; failed: number; report?: string };
  polls: number;
}

/** The cluster, FSx, S3 and the fsx stage's state, as the fake tools see and change them. */
interface World {
  cluster: boolean;
  pods: { name: string; claim?: string; phase: string; startTime?: string }[];
  /** The fsx stage's state: its output, and whether it holds the file system. */
  state: { deployed: boolean; parkedOutput: boolean; fileSystemId?: string; skipFinalBackup: boolean };
  /** The stage's configuration differs from its state in more than skip_final_backup (a change not deployed). */
  pendingChange: boolean;
  fs?: {
    id: string;
    lifecycle: string;
    deletingPolls?: number;
    link?: { id: string; path: string; lifecycle: string; importEvents: string[]; exportEvents: string[] };
  };
  nextId: number;
  tasks: Task[];
  /** What the next export task ends as. */
  exportEndsAs: Task["end"];
  /** S3 objects by s3://bucket/key. */
  objects: Map<string, string>;
  /** The final backup the deletion took: skip_final_backup in state when the file system was deleted. */
  deletedWithSkip?: boolean;
  calls: string[];
}

function runningWorld(): World {
  return {
    cluster: true,
    pods: [
      // The permission Job's pod has ended: it mounts nothing any more.
      {
        name: "fsx-claim-permissions-7xk2p",
        claim: "fsx-claim",
        phase: "Succeeded",
        startTime: "2026-01-02T03:04:05Z",
      },
      { name: "ml-pipeline-ui", claim: "workspace-ana", phase: "Running" },
    ],
    state: { deployed: true, parkedOutput: false, fileSystemId: "fs-0aaa", skipFinalBackup: false },
    pendingChange: false,
    fs: {
      id: "fs-0aaa",
      lifecycle: "AVAILABLE",
      link: {
        id: "dra-0aaa",
        path: `s3://${BUCKET}`,
        lifecycle: "AVAILABLE",
        importEvents: ["NEW", "CHANGED", "DELETED"],
        exportEvents: ["NEW", "CHANGED", "DELETED"],
      },
    },
    nextId: 1,
    tasks: [],
    exportEndsAs: { lifecycle: "SUCCEEDED", failed: 0 },
    objects: new Map(),
    calls: [],
  };
}

const ok = (stdout: unknown = ""): CommandResult => ({
  status: 0,
  stdout: typeof stdout === "string" ? stdout : JSON.stringify(stdout),
  stderr: "",
});
const fail = (stderr: string, status = 254): CommandResult => ({ status, stdout: "", stderr });
const flag = (args: readonly string[], name: string) => args[args.indexOf(name) + 1];
/** A task as FSx returns it: without what the fake keeps to play it out. */
const wire = (value: unknown) =>
  JSON.stringify(value, (key, v: unknown) => (key === "end" || key === "polls" ? undefined : v));

function stateJson(w: World): string {
  if (!w.state.deployed) return JSON.stringify({ format_version: "1.0" });
  const resource = (address: string, id: string) => ({
    address,
    mode: "managed",
    type: address.split(".")[0],
    name: address.split(".")[1],
    values: { id },
  });
  const resources = [
    resource("aws_s3_bucket.data-bucket_bucket_5E6F7A8B", BUCKET),
    resource("aws_security_group.lustre_security-group_0F1E2D3C", "sg-0aaa"),
    ...(w.state.fileSystemId ? [resource(FS_ADDRESS, w.state.fileSystemId)] : []),
    ...(w.state.parkedOutput ? [] : [resource("kubernetes_persistent_volume_claim_v1.notebook-volume_claim_1", "x")]),
  ];
  return JSON.stringify({
    format_version: "1.0",
    values: { outputs: { parked: { value: w.state.parkedOutput } }, root_module: { resources } },
  });
}

/** The plan of the file system alone with skip_final_backup=true, as `terraform show -json <plan>` prints it. */
function finalBackupPlanJson(w: World): string {
  const before = { id: w.state.fileSystemId, skip_final_backup: w.state.skipFinalBackup, storage_capacity: 1200 };
  const after = { ...before, skip_final_backup: true, storage_capacity: w.pendingChange ? 2400 : 1200 };
  const changed = JSON.stringify(before) !== JSON.stringify(after);
  return JSON.stringify({
    resource_changes: [
      {
        address: "aws_security_group.lustre_security-group_0F1E2D3C",
        change: { actions: ["no-op"], before: { id: "sg-0aaa" }, after: { id: "sg-0aaa" }, after_unknown: {} },
      },
      { address: FS_ADDRESS, change: { actions: [changed ? "update" : "no-op"], before, after, after_unknown: {} } },
    ],
  });
}

function advance(w: World, task: Task): void {
  if (!["PENDING", "EXECUTING"].includes(task.Lifecycle)) return;
  task.polls++;
  if (task.polls < 2) {
    task.Lifecycle = "EXECUTING";
    task.Status = { TotalCount: 40, SucceededCount: 10, FailedCount: 0 };
    return;
  }
  task.Lifecycle = task.end.lifecycle;
  task.Status = { TotalCount: 40, SucceededCount: 40 - task.end.failed, FailedCount: task.end.failed };
  if (task.end.lifecycle === "FAILED") task.FailureDetails = { Message: "Some files could not be exported" };
  if (task.end.report !== undefined)
    w.objects.set(`${task.Report!.Path}/task-${task.TaskId}/failures.csv`, task.end.report);
}

function fakeAws(w: World, args: readonly string[]): CommandResult {
  const line = args.join(" ");
  if (line.startsWith("sts get-caller-identity")) return ok({ Arn: "arn:aws:sts::fake:assumed-role/operator/test" });
  if (line.startsWith("eks describe-cluster"))
    return w.cluster ? ok({ cluster: { status: "ACTIVE" } }) : fail("ResourceNotFoundException: No cluster found");
  if (line.startsWith("eks update-kubeconfig")) return ok();
  if (line.startsWith("fsx describe-file-systems")) {
    const fs = w.fs;
    if (!fs || fs.id !== flag(args, "--file-system-ids"))
      return fail("An error occurred (FileSystemNotFound) when calling the DescribeFileSystems operation");
    if (fs.lifecycle === "DELETING" && (fs.deletingPolls = (fs.deletingPolls ?? 0) + 1) > 2) {
      w.fs = undefined;
      return fail("An error occurred (FileSystemNotFound) when calling the DescribeFileSystems operation");
    }
    return ok({
      FileSystems: [
        { FileSystemId: fs.id, Lifecycle: fs.lifecycle, LustreConfiguration: { DeploymentType: "PERSISTENT_2" } },
      ],
    });
  }
  if (line.startsWith("fsx describe-data-repository-associations")) {
    const link = w.fs?.link;
    const wanted = args.includes("--association-ids") ? flag(args, "--association-ids") : undefined;
    const found = link && (wanted === undefined || wanted === link.id) ? [link] : [];
    return ok({
      Associations: found.map((l) => ({
        AssociationId: l.id,
        Lifecycle: l.lifecycle,
        FileSystemId: w.fs!.id,
        FileSystemPath: "/",
        DataRepositoryPath: l.path,
        S3: { AutoImportPolicy: { Events: l.importEvents }, AutoExportPolicy: { Events: l.exportEvents } },
      })),
    });
  }
  if (line.startsWith("fsx update-data-repository-association")) {
    const link = w.fs!.link!;
    const s3 = JSON.parse(flag(args, "--s3")) as {
      AutoImportPolicy: { Events: string[] };
      AutoExportPolicy: { Events: string[] };
    };
    link.importEvents = s3.AutoImportPolicy.Events;
    link.exportEvents = s3.AutoExportPolicy.Events;
    return ok({});
  }
  if (line.startsWith("fsx create-data-repository-task")) {
    // FSx runs no export task while the link exports automatically (DeleteFileSystem, FSx API reference).
    if ((w.fs?.link?.exportEvents ?? []).length > 0)
      return fail("An error occurred (BadRequest): automatic export is enabled on a data repository association");
    const report = JSON.parse(flag(args, "--report")) as { Path: string };
    const task: Task = {
      TaskId: `task-${String(w.nextId++).padStart(17, "0")}`,
      Type: flag(args, "--type"),
      FileSystemId: flag(args, "--file-system-id"),
      Lifecycle: "PENDING",
      Report: { Path: report.Path },
      end: { ...w.exportEndsAs },
      polls: 0,
    };
    w.tasks.push(task);
    return ok(wire({ DataRepositoryTask: task }));
  }
  if (line.startsWith("fsx describe-data-repository-tasks")) {
    const shown = args.includes("--task-ids")
      ? w.tasks.filter((t) => t.TaskId === flag(args, "--task-ids"))
      : w.tasks.filter((t) => `Name=file-system-id,Values=${t.FileSystemId}` === flag(args, "--filters"));
    for (const t of shown) advance(w, t);
    return ok(wire({ DataRepositoryTasks: shown }));
  }
  if (line.startsWith("s3api list-objects-v2")) {
    const prefix = `s3://${flag(args, "--bucket")}/${flag(args, "--prefix")}`;
    const keys = [...w.objects.keys()].filter((k) => k.startsWith(prefix));
    return ok({ Contents: keys.map((k) => ({ Key: k.replace(`s3://${flag(args, "--bucket")}/`, "") })) });
  }
  if (line.startsWith("s3 cp ")) {
    const body = w.objects.get(args[2]);
    return body === undefined ? fail("An error occurred (404) when calling the HeadObject operation") : ok(body);
  }
  return fail(`fake aws: unexpected ${line}`, 1);
}

function fakeTerraform(w: World, args: readonly string[]): CommandResult {
  const dir = args[0].replace(/^-chdir=/, "");
  const [sub, ...rest] = args.slice(1);
  const parkedDir = dir === path.join(SYNTH_OUT["fsx-parked"], "stacks", "fsx");
  if (sub === "init") return ok();
  if (sub === "show") return ok(rest.includes("park-final-backup.tfplan") ? finalBackupPlanJson(w) : stateJson(w));
  if (sub === "plan" && rest.some((a) => a.startsWith("-target="))) return ok("Saved the plan");
  if (sub === "plan") {
    // A parked configuration matches a parked state; the whole stage matches a state with the file system.
    const matches = parkedDir ? w.state.parkedOutput && !w.state.fileSystemId : !w.state.parkedOutput;
    return matches ? ok("No changes.") : { status: 2, stdout: "Plan: 1 to add", stderr: "" };
  }
  if (sub === "apply") {
    w.state.skipFinalBackup = true;
    return ok("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
  }
  return fail(`fake terraform: unexpected ${args.join(" ")}`, 1);
}

/** cdktf deploy fsx from a synthesis: what Terraform's apply of it does to the world. */
function fakeDeploy(w: World, args: readonly string[]): number {
  const out = flag(args, "--output");
  if (out === SYNTH_OUT["fsx-parked"]) {
    if (w.fs) w.deletedWithSkip = w.state.skipFinalBackup;
    w.fs = undefined;
    w.state = { deployed: true, parkedOutput: true, skipFinalBackup: false };
    return 0;
  }
  if (out === SYNTH_OUT.stages) {
    const id = `fs-0b${w.nextId++}`;
    w.fs = {
      id,
      lifecycle: "AVAILABLE",
      link: {
        id: `dra-0b${w.nextId++}`,
        path: `s3://${BUCKET}`,
        lifecycle: "AVAILABLE",
        importEvents: ["NEW", "CHANGED", "DELETED"],
        exportEvents: ["NEW", "CHANGED", "DELETED"],
      },
    };
    // The link's BatchImportMetaDataOnCreate: an import task of the new file system.
    w.tasks.push({
      TaskId: `task-${String(w.nextId++).padStart(17, "0")}`,
      Type: "IMPORT_METADATA_FROM_REPOSITORY",
      FileSystemId: id,
      Lifecycle: "EXECUTING",
      end: { lifecycle: "SUCCEEDED", failed: 0 },
      polls: 0,
    });
    w.state = { deployed: true, parkedOutput: false, fileSystemId: id, skipFinalBackup: false };
    return 0;
  }
  return 1;
}

function tools(w: World): FsxTools {
  return {
    run: (command, args) => {
      w.calls.push(`${command} ${args.join(" ")}`);
      if (command === "aws") return fakeAws(w, args);
      if (command === "terraform") return fakeTerraform(w, args);
      if (command === "kubectl" && args.includes("pods"))
        return ok({
          items: w.pods.map((p) => ({
            metadata: { name: p.name, namespace: flag(args, "-n") },
            spec: { volumes: p.claim ? [{ name: "data", persistentVolumeClaim: { claimName: p.claim } }] : [] },
            status: { phase: p.phase, ...(p.startTime ? { startTime: p.startTime } : {}) },
          })),
        });
      return fail(`fake: unexpected ${command} ${args.join(" ")}`, 1);
    },
    interactive: (command, args) => {
      w.calls.push(`${command} ${args.join(" ")}`);
      return command === "cdktf" && args[0] === "deploy" && args[1] === "fsx" ? fakeDeploy(w, args) : 1;
    },
    synth: (kind: SynthKind) => {
      w.calls.push(`cdktf synth --output ${SYNTH_OUT[kind]}`);
      return ok();
    },
  };
}

async function fsx(
  w: World,
  command: FsxCommand,
  flags: { dryRun?: boolean; config?: Config } = {},
): Promise<{ outcome?: string; error?: Error; log: string[] }> {
  const log: string[] = [];
  w.calls = [];
  try {
    const outcome = await runFsx(
      {
        command,
        yes: true,
        dryRun: flags.dryRun ?? false,
        config: flags.config ?? defaults,
        kubeconfig: path.join(__dirname, "..", ".cache", "kubeconfig", "test-fsx-park"),
        log: (l) => log.push(l),
        sleep: async () => {},
        now: () => 0,
        pollSeconds: 0,
      },
      tools(w),
    );
    return { outcome, log };
  } catch (error) {
    return { error: error as Error, log };
  }
}

const deploys = (w: World) => w.calls.filter((c) => c.startsWith("cdktf deploy"));
/** Every call that could change something in AWS or the cluster, other than the ones park is allowed. */
const changes = (w: World) =>
  w.calls.filter(
    (c) =>
      /^aws /.test(c) &&
      !/^aws (sts get-caller-identity|eks (describe-cluster|update-kubeconfig)|fsx describe-|s3api list-objects-v2|s3 cp s3:\/\/\S+ - )/.test(
        c,
      ),
  );

describe("npm run fsx -- park", () => {
  it("refuses while a pod mounts the claim, naming it, and deletes nothing", async () => {
    const w = runningWorld();
    w.pods.push({ name: "ana-notebook-0", claim: "fsx-claim", phase: "Running" });
    const r = await fsx(w, "park");
    expect(r.error).toBeInstanceOf(FsxError);
    expect(r.error!.message).toBe(
      "park refused, nothing was deleted: a pod mounts the claim data-science/fsx-claim: data-science/ana-notebook-0. " +
        "Stop them (a notebook: stop its server in the Kubeflow dashboard) and run npm run fsx -- park again.",
    );
    expect(changes(w)).toEqual([]);
    expect(deploys(w)).toEqual([]);
    expect(w.fs).toMatchObject({ id: "fs-0aaa", lifecycle: "AVAILABLE" });
  });

  const report = 'dir1/myLargeFile,failed,FileSizeTooLarge\n"file,name.txt",failed,S3AccessDenied\n';
  it.each([
    ["FAILED", 2, report],
    ["SUCCEEDED", 2, report],
    ["SUCCEEDED", 0, "dir2/late,failed,S3AccessDenied\n"],
  ])(
    "refuses an export that ended %s with %i failed files (or a report listing one), naming them; deletes nothing, export back on",
    async (lifecycle, failed, csv) => {
      const w = runningWorld();
      w.exportEndsAs = { lifecycle, failed, report: csv };
      const r = await fsx(w, "park");
      expect(r.error).toBeInstanceOf(FsxError);
      const [task] = w.tasks;
      const lines = r.error!.message.split("\n");
      expect(lines[0]).toMatch(
        new RegExp(
          `^park refused, nothing was deleted: the export did not prove complete\\. Task ${task.TaskId} ended ${lifecycle}`,
        ),
      );
      // Where FSx delivers it: {path}/task-{id}/failures.csv (CompletionReport.Format).
      expect(lines[1]).toBe(
        `Failed files, from the completion report s3://${BUCKET}/.fsx-park-reports/task-${task.TaskId}/failures.csv:`,
      );
      const named = parseReport(csv).map((f) => `    ${f.path} (${f.code})`);
      expect(lines.slice(2, 2 + named.length)).toEqual(named);
      expect(r.error!.message).toMatch(/The S3 link's automatic export is on again\.$/);
      expect(deploys(w)).toEqual([]);
      expect(w.calls.filter((c) => / apply /.test(c))).toEqual([]);
      expect(w.fs?.link?.exportEvents).toEqual(["NEW", "CHANGED", "DELETED"]);
      expect(w.state).toMatchObject({ parkedOutput: false, fileSystemId: "fs-0aaa", skipFinalBackup: false });
    },
  );

  it("stops before deleting anything when the stage has changes not deployed yet", async () => {
    const w = runningWorld();
    w.pendingChange = true;
    const r = await fsx(w, "park");
    expect(r.error?.message).toMatch(
      /^park stopped before deleting anything: the fsx stage has changes not deployed yet, aws_fsx_lustre_file_system\.lustre_file-system_4C99FD79 \(update: skip_final_backup, storage_capacity\)\. Deploy them first/,
    );
    expect(deploys(w)).toEqual([]);
    expect(w.state.skipFinalBackup).toBe(false);
    expect(w.fs?.link?.exportEvents).toEqual(["NEW", "CHANGED", "DELETED"]);
  });

  let world: World;
  it("exports everything with a report, and only once that proves complete deploys the stage parked", async () => {
    world = runningWorld();
    const r = await fsx(world, "park");
    expect(r.error).toBeUndefined();
    expect(r.outcome).toBe("parked");
    const at = (pattern: RegExp) => world.calls.findIndex((c) => pattern.test(c));
    const steps = [
      at(/^kubectl .* -n data-science get pods -o json$/),
      at(/^aws fsx update-data-repository-association --association-id dra-0aaa /),
      at(/^aws fsx create-data-repository-task /),
      at(/^terraform -chdir=cdktf\.out\/stacks\/fsx apply .*park-final-backup\.tfplan$/),
      at(/^cdktf deploy fsx --output cdktf\.out\.fsx-parked /),
    ];
    expect(steps.every((i) => i >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    const create = world.calls[steps[2]].split(" ");
    expect(flag(create, "--type")).toBe("EXPORT_TO_REPOSITORY");
    expect(JSON.parse(flag(create, "--report"))).toEqual({
      Enabled: true,
      Path: `s3://${BUCKET}/.fsx-park-reports`,
      Format: "REPORT_CSV_20191124",
      Scope: "FAILED_FILES_ONLY",
    });
    // The report was looked for where FSx writes it, after the task had ended.
    const listed = world.calls.findIndex((c) => c.startsWith("aws s3api list-objects-v2"));
    expect(world.calls[listed]).toBe(
      `aws s3api list-objects-v2 --bucket ${BUCKET} --prefix .fsx-park-reports/ --region us-west-2 --output json`,
    );
    expect(listed).toBeGreaterThan(
      world.calls.lastIndexOf(
        `aws fsx describe-data-repository-tasks --task-ids ${world.tasks[0].TaskId} --region us-west-2 --output json`,
      ),
    );
    // The state said skip_final_backup before the file system left it, and nothing else changed then.
    expect(world.deletedWithSkip).toBe(true);
    expect(world.calls).toContain(
      `terraform -chdir=cdktf.out/stacks/fsx plan -input=false -no-color -lock-timeout=0s -target=${FS_ADDRESS} -var=skip_final_backup=true -out=park-final-backup.tfplan`,
    );
    expect(world.fs).toBeUndefined();
    expect(world.state).toEqual({ deployed: true, parkedOutput: true, skipFinalBackup: false });
    // Never the bucket or a key: the only changes were the link's export setting and the task.
    expect(changes(world).map((c) => c.split(" ").slice(0, 3).join(" "))).toEqual([
      "aws fsx update-data-repository-association",
      "aws fsx create-data-repository-task",
    ]);
    expect(r.log.at(-1)).toContain("FSx costs nothing while parked; the bucket and the keys stay");
  });

  it("says so when run on a parked stage, and runs nothing else", async () => {
    const r = await fsx(world, "park");
    expect(r.outcome).toBe("already-parked");
    expect(r.log.at(-1)).toBe(
      "fsx is already parked: nothing to do. npm run fsx -- unpark brings the file system back.",
    );
    expect(world.calls).toEqual([
      "aws sts get-caller-identity --output json",
      "cdktf synth --output cdktf.out.fsx-parked",
      "terraform -chdir=cdktf.out.fsx-parked/stacks/fsx init -input=false -no-color",
      "terraform -chdir=cdktf.out.fsx-parked/stacks/fsx show -json -no-color",
    ]);
  });

  it("finishes a park that stopped while the file system was being deleted, without exporting again", async () => {
    const w = runningWorld();
    w.fs!.lifecycle = "DELETING";
    w.state.parkedOutput = true;
    const r = await fsx(w, "park");
    expect(r.outcome).toBe("parked");
    expect(w.calls.filter((c) => c.startsWith("aws fsx create-data-repository-task"))).toEqual([]);
    expect(deploys(w)).toEqual([
      "cdktf deploy fsx --output cdktf.out.fsx-parked --skip-synth --ignore-missing-stack-dependencies --auto-approve",
    ]);
    expect(w.state.parkedOutput).toBe(true);
    expect(w.state.fileSystemId).toBeUndefined();
  });

  it("refuses, running nothing, a SCRATCH_2 file system whose export would not come back on unpark", async () => {
    const w = runningWorld();
    const scratch = {
      ...defaults,
      fsx: { ...defaults.fsx, deploymentType: "SCRATCH_2" as const, s3Prefix: "datasets/" },
    };
    const r = await fsx(w, "park", { config: scratch });
    expect(r.error?.message).toMatch(
      new RegExp(
        `exports to s3://${BUCKET}/fsx-exports \\(fsx\\.exportPrefix\\), not s3://${BUCKET}/datasets \\(fsx\\.s3Prefix\\)`,
      ),
    );
    expect(w.calls).toEqual([]);
    // An export prefix inside the imported one is refused too: a changed file would come back beside
    // its old version (under fsx-exports/), not in its place.
    const nested = { ...defaults, fsx: { ...defaults.fsx, deploymentType: "SCRATCH_2" as const, s3Prefix: "" } };
    const n = await fsx(runningWorld(), "park", { config: nested });
    expect(n.error?.message).toMatch(/not s3:\/\/[^ ]+ \(fsx\.s3Prefix\)/);
    // With dynamic provisioning, the driver parking removes serves other claims' file systems.
    const dynamic = { ...defaults, fsx: { ...defaults.fsx, dynamicProvisioning: true } };
    const d = await fsx(runningWorld(), "park", { config: dynamic });
    expect(d.error?.message).toMatch(/^park refused, nothing was run: fsx\.dynamicProvisioning is on/);
  });
});

describe("npm run fsx -- unpark", () => {
  let world: World;
  beforeAll(async () => {
    world = runningWorld();
    expect((await fsx(world, "park")).outcome).toBe("parked");
  });

  it("deploys the stage whole: a new file system linked to the same bucket and prefix, the same claim, its import awaited", async () => {
    const r = await fsx(world, "unpark");
    expect(r.error).toBeUndefined();
    expect(r.outcome).toBe("unparked");
    expect(deploys(world)).toEqual([
      "cdktf deploy fsx --output cdktf.out --skip-synth --ignore-missing-stack-dependencies --auto-approve",
    ]);
    expect(world.fs?.id).not.toBe("fs-0aaa");
    expect(world.fs?.link?.path).toBe(`s3://${BUCKET}`);
    expect(world.state).toMatchObject({ parkedOutput: false, fileSystemId: world.fs!.id });
    const imported = world.tasks.find((t) => t.Type === "IMPORT_METADATA_FROM_REPOSITORY")!;
    expect(r.log).toContain(`  import task ${imported.TaskId} SUCCEEDED: 40 of 40 files done, 0 failed`);
    expect(r.log.at(-1)).toBe(
      `fsx is unparked: file system ${world.fs!.id}, linked to s3://${BUCKET}, and the claim data-science/fsx-claim ` +
        "bound to it; start the notebooks that mount it again.",
    );
  });

  it("says so when the file system runs, and runs nothing else", async () => {
    const r = await fsx(world, "unpark");
    expect(r.outcome).toBe("already-running");
    expect(deploys(world)).toEqual([]);
    expect(changes(world)).toEqual([]);
  });

  it("needs the cluster the claim lives in", async () => {
    const w = runningWorld();
    w.state = { deployed: true, parkedOutput: true, skipFinalBackup: false };
    w.fs = undefined;
    w.cluster = false;
    const r = await fsx(w, "unpark");
    expect(r.error?.message).toBe(
      "unpark needs the cluster kubeflow, where the claim lives, and it does not exist: run npm run deploy " +
        "(which keeps fsx parked), then npm run fsx -- unpark",
    );
    expect(deploys(w)).toEqual([]);
  });
});

describe("npm run fsx -- status", () => {
  it("says from the stage's state whether it is parked, and which file system runs", async () => {
    const w = runningWorld();
    expect((await fsx(w, "status")).log.at(-1)).toBe("fsx runs: file system fs-0aaa AVAILABLE");
    w.state = { deployed: true, parkedOutput: true, skipFinalBackup: false };
    expect((await fsx(w, "status")).log.at(-1)).toBe(
      `fsx is parked: no file system; its data is in s3://${BUCKET}. npm run fsx -- unpark brings it back.`,
    );
    expect(changes(w)).toEqual([]);
  });
});

describe("npm run fsx -- --dry-run and arguments", () => {
  it.each(["park", "unpark"] as const)("%s --dry-run prints the plan and calls nothing", async (command) => {
    const w = runningWorld();
    const r = await fsx(w, command, { dryRun: true });
    expect(r.outcome).toBe("planned");
    expect(w.calls).toEqual([]);
    expect(r.log[0]).toMatch(new RegExp(`^${command}: `));
    expect(r.log.join("\n")).toContain(`s3://${BUCKET}`);
  });

  it("takes park, unpark or status, --yes and --dry-run", () => {
    expect(parseFsxArgs(["park", "--dry-run"])).toEqual({ command: "park", yes: false, dryRun: true });
    expect(() => parseFsxArgs(["prak"])).toThrow(
      'unknown command "prak": npm run fsx -- park|unpark|status [--yes] [--dry-run]',
    );
    expect(() => parseFsxArgs(["park", "--force"])).toThrow('unknown argument "--force"');
  });

  it("counts a pod as mounting the claim while it has not ended", () => {
    const pod = (name: string, phase: string, claim = "fsx-claim") => ({
      metadata: { name, namespace: "ns" },
      spec: { volumes: [{ persistentVolumeClaim: { claimName: claim } }] },
      status: { phase },
    });
    const items = [
      pod("a", "Running"),
      pod("b", "Pending"),
      pod("c", "Succeeded"),
      pod("d", "Failed"),
      pod("e", "Running", "other"),
    ];
    expect(podsMounting(JSON.stringify({ items }), "fsx-claim")).toEqual(["ns/a", "ns/b"]);
    // After the export began, a pod that used the claim counts even if it has ended: it may have
    // written files the export had already passed. One that ended before it does not.
    const at = (name: string, phase: string, startTime: string) => ({
      ...pod(name, phase),
      status: { phase, startTime },
    });
    const since = Date.parse("2026-12-06T10:00:00Z");
    const later = [at("early", "Succeeded", "2026-12-06T09:59:59Z"), at("step", "Succeeded", "2026-12-06T10:00:00Z")];
    expect(podsMounting(JSON.stringify({ items: later }), "fsx-claim", since)).toEqual(["ns/step"]);
  });
});
