/**
 * Evaluates the plan-time expressions of a synthesized stack with the real `terraform` binary,
 * offline: the stack's locals go into a config of locals only (no provider, no init), with the
 * zone data sources replaced by made-up offerings, and `terraform console` evaluates what a test
 * asks for. So the zone placement is checked by Terraform's own semantics, not by reading strings.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { SynthJson } from "./helpers";

/** The terraform binary on PATH, or undefined (the tests that need it are then skipped, loudly). */
export const TERRAFORM: string | undefined = (() => {
  const found = spawnSync("terraform", ["version"], { encoding: "utf8", env: terraformEnv() });
  return found.status === 0 ? "terraform" : undefined;
})();

function terraformEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };
}

export interface FakeZones {
  /** The region's standard zones (aws_availability_zones.names). */
  readonly zones: readonly string[];
  /** Zones offering each instance type; a type left out is offered in every zone. */
  readonly offerings?: Readonly<Record<string, readonly string[]>>;
  /**
   * Other data sources by address ("data.<type>.<name>"), as the value a reference to that
   * address stands for (a list of objects for one with count).
   */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Replaces the zone data sources' attributes (and any other faked data source) with locals holding made-up values. */
function withFakeData(text: string, data: Readonly<Record<string, unknown>> = {}): string {
  let replaced = text;
  Object.keys(data).forEach((address, i) => {
    replaced = replaced.split(address).join(`local.fake_data_${i}`);
  });
  return replaced
    .replace(
      /data\.aws_ec2_instance_type_offerings\.([A-Za-z0-9_-]+)\.locations/g,
      (_m, id: string) => `local.fake_offered_${id}`,
    )
    .replace(/data\.aws_availability_zones\.[A-Za-z0-9_-]+\.names/g, "local.fake_zones");
}

/**
 * Evaluates `expressions` (Terraform JSON strings such as "${local.x}" or attribute values copied
 * from the stack) against the stack's locals and fake zone data; returns their values.
 */
export function evaluate(
  stack: SynthJson,
  expressions: Readonly<Record<string, unknown>>,
  fake: FakeZones,
): Record<string, unknown> {
  if (!TERRAFORM) throw new Error("terraform is not on PATH");
  const locals = JSON.parse(withFakeData(JSON.stringify(stack.locals ?? {}), fake.data)) as Record<string, unknown>;
  Object.values(fake.data ?? {}).forEach((value, i) => {
    locals[`fake_data_${i}`] = value;
  });
  for (const [id, body] of Object.entries(stack.data?.aws_ec2_instance_type_offerings ?? {})) {
    const type = (body.filter as { values: string[] }[])[0].values[0];
    locals[`fake_offered_${id}`] = fake.offerings?.[type] ?? fake.zones;
  }
  locals.fake_zones = fake.zones;
  locals.test_result = JSON.parse(withFakeData(JSON.stringify(expressions), fake.data));
  const dir = mkdtempSync(path.join(tmpdir(), "tf-eval-"));
  try {
    writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ locals }));
    const result = spawnSync(TERRAFORM, ["console"], {
      cwd: dir,
      input: "jsonencode(local.test_result)\n",
      encoding: "utf8",
      env: terraformEnv(),
    });
    const out = result.stdout.trim();
    if (result.status !== 0 || !out.startsWith('"'))
      // Drop the ANSI colours terraform prints diagnostics in.
      throw new Error(`terraform console failed:\n${out}\n${result.stderr}`.split(String.fromCharCode(27)).join(""));
    return JSON.parse(JSON.parse(out) as string) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `describe` when terraform is there, else a skipped block that says why. */
export const describeWithTerraform: jest.Describe = TERRAFORM
  ? describe
  : (((name: string, fn: () => void) =>
      describe.skip(`${name} (skipped: terraform is not on PATH)`, fn)) as unknown as jest.Describe);

/**
 * Applies `before` and then plans `after` (Terraform JSON configs) in one working directory with
 * the real terraform binary, offline: both may use only Terraform's built-in provider
 * (terraform_data), which needs no download. Tests use it to check Terraform's own semantics
 * (ignore_changes, removed blocks) on stand-ins shaped like the resources we emit.
 */
export function applyThenPlan(before: object, after: object): { exitCode: number; output: string } {
  if (!TERRAFORM) throw new Error("terraform is not on PATH");
  const dir = mkdtempSync(path.join(tmpdir(), "tf-plan-"));
  const run = (args: string[]) => spawnSync(TERRAFORM!, args, { cwd: dir, encoding: "utf8", env: terraformEnv() });
  try {
    writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(before));
    const applied = run(["apply", "-auto-approve", "-no-color", "-input=false"]);
    if (applied.status !== 0) throw new Error(`terraform apply failed:\n${applied.stdout}\n${applied.stderr}`);
    writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(after));
    const planned = run(["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    return { exitCode: planned.status ?? -1, output: planned.stdout + planned.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
