/**
 * npm run conformance [-- --timings]
 *
 * Checks everything the stacks emit against the vendored upstream artifacts (conformance/): the
 * vendored files' sums, Helm value keys, Kubernetes and Karpenter object schemas, IAM actions,
 * controller policies against upstream's, cluster-autoscaler flags, pinned images. Reads the
 * config like synth does (KF_CONFIG or config/default.yaml). Offline. Exits 1 on any finding.
 */
import { loadConfig } from "../config/load";
import { runConformance } from "../conformance";

async function main(argv: readonly string[]): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const { findings, timings } = await runConformance(config);
  if (argv.includes("--timings")) {
    for (const [check, ms] of Object.entries(timings)) process.stderr.write(`  ${check}: ${ms} ms\n`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (findings.length > 0) {
    const byCheck = new Map<string, typeof findings>();
    for (const f of findings) byCheck.set(f.check, [...(byCheck.get(f.check) ?? []), f]);
    for (const [check, list] of byCheck) {
      process.stderr.write(`${check}:\n`);
      for (const f of list) process.stderr.write(`  ${f.where}: ${f.message}\n`);
    }
    process.stderr.write(`conformance: ${findings.length} findings (${seconds} s)\n`);
    process.exit(1);
  }
  process.stderr.write(`conformance: no findings in ${Object.keys(timings).length - 1} checks (${seconds} s)\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
