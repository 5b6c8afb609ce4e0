/**
 * npm run bench [-- --runs N]
 *
 * Times `cdktf synth` of this app against a baseline app of the same eight stacks holding only a
 * backend and a provider (bench/baseline.ts), alternating the two, with the same app command and
 * node_modules; reports medians of wall time and peak memory (the largest process's maximum
 * resident set, from GNU time) and their ratio. Then times `npm test` once.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const GNU_TIME = "/usr/bin/time";

interface Sample {
  readonly seconds: number;
  readonly peakMB: number;
}

function measure(command: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const result = spawnSync(GNU_TIME, ["-f", "BENCH %e %M", ...command], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  const line = result.stderr.split("\n").find((l) => l.startsWith("BENCH "));
  if (result.status !== 0 || !line)
    throw new Error(`${command.join(" ")} failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
  const [, seconds, kb] = line.split(" ");
  return { seconds: Number(seconds), peakMB: Number(kb) / 1024 };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function synth(app: string | undefined): Sample {
  const out = mkdtempSync(path.join(tmpdir(), "bench-synth-"));
  try {
    return measure(["npx", "cdktf", "synth", "--output", out, ...(app ? ["--app", app] : [])]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function main(): void {
  if (!existsSync(GNU_TIME)) {
    process.stderr.write("npm run bench needs GNU time at /usr/bin/time (Debian: apt-get install time)\n");
    process.exit(1);
  }
  const runsArg = process.argv.indexOf("--runs");
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
  const ours: Sample[] = [];
  const base: Sample[] = [];
  // One unmeasured run of each warms the file system cache.
  synth(undefined);
  synth("node --require ./scripts/register-ts.cjs bench/baseline.ts");
  for (let i = 0; i < runs; i++) {
    ours.push(synth(undefined));
    base.push(synth("node --require ./scripts/register-ts.cjs bench/baseline.ts"));
    process.stderr.write(
      `run ${i + 1}/${runs}: ours ${ours[i].seconds.toFixed(2)} s, baseline ${base[i].seconds.toFixed(2)} s\n`,
    );
  }
  const tests = measure(["npm", "test", "--silent"]);

  const row = (name: string, s: number, mb: number, ratio = "") =>
    `| ${name.padEnd(32)} | ${s.toFixed(2).padStart(7)} | ${mb.toFixed(0).padStart(13)} | ${ratio.padStart(16)} |`;
  const oursS = median(ours.map((s) => s.seconds));
  const baseS = median(base.map((s) => s.seconds));
  const oursMB = median(ours.map((s) => s.peakMB));
  const baseMB = median(base.map((s) => s.peakMB));
  const lines = [
    `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, medians of ${runs} alternating runs`,
    "",
    `| ${"what".padEnd(32)} | ${"wall s".padStart(7)} | ${"peak RSS (MB)".padStart(13)} | ${"ratio to baseline".padStart(16)} |`,
    `| ${"-".repeat(32)} | ${"-".repeat(7)} | ${"-".repeat(13)} | ${"-".repeat(16)} |`,
    row("cdktf synth, baseline (8 stacks)", baseS, baseMB),
    row("cdktf synth, this app (8 stacks)", oursS, oursMB, `${(oursS / baseS).toFixed(2)} x time`),
    row("npm test", tests.seconds, tests.peakMB),
    "",
    `goals: synth <= 1.2 x baseline: ${oursS / baseS <= 1.2 ? "met" : "NOT met"}; synth peak <= 600 MB: ${oursMB <= 600 ? "met" : "NOT met"}; npm test <= 45 s: ${tests.seconds <= 45 ? "met" : "NOT met"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (require.main === module) main();
