/**
 * npm run conformance [-- --timings]
 * npm run conformance -- --record-images   record in upstream/PROVENANCE.json the images we run
 *
 * Checks everything the stacks emit against the vendored upstream artifacts (conformance/): the
 * vendored files' sums, Helm value keys, Kubernetes and Karpenter object schemas, IAM actions,
 * controller policies against upstream's, cluster-autoscaler flags, and every image we run (the
 * stacks' and the Kubeflow install's, built with kubectl kustomize as the install builds it). Reads
 * the config like synth does (KF_CONFIG or config/default.yaml). Offline. Exits 1 on any finding.
 *
 * --record-images writes each entry's `images` as what we apply runs from it (conformance/images.ts),
 * for a change that means to run other images; the diff of upstream/PROVENANCE.json shows them.
 */
import { parse } from "yaml";
import { loadConfig } from "../config/load";
import { runChecks } from "../conformance";
import { synthesizeVariants } from "../conformance/app";
import {
  checkDeployedImages,
  imagesToRecord,
  kubeflowImages,
  KUBEFLOW_IMAGES_ENTRY,
  stackImages,
  type DeployedImage,
} from "../conformance/images";
import { readProvenance, writeProvenanceEntry } from "../lib/provenance";
import { buildOverlay, documentsOf } from "./kubeflow-install";
import { renderParams } from "./kubeflow";

/** The images the Kubeflow install runs: the committed render built with our overlay (placeholder parameters). */
function kubeflowBuildImages(): DeployedImage[] {
  const objects = documentsOf(buildOverlay(renderParams([])))
    .filter((d) => d.kind !== "CustomResourceDefinition")
    .map((d) => parse(d.text) as Record<string, unknown>);
  return kubeflowImages(objects);
}

async function main(argv: readonly string[]): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  if (argv.includes("--record-images")) {
    const deployed = [...stackImages(synthesizeVariants(config)).images, ...kubeflowBuildImages()];
    for (const entry of readProvenance()) {
      const images = imagesToRecord(deployed, readProvenance()).get(entry.name) ?? [];
      writeProvenanceEntry({ ...entry, images });
    }
    process.stderr.write(`recorded the images of ${new Set(deployed.map((d) => d.entry)).size} entries\n`);
    return;
  }
  const synthStart = Date.now();
  const stacks = synthesizeVariants(config);
  const synthMs = Date.now() - synthStart;
  const result = await runChecks(stacks);
  const findings = [...result.findings];
  const timings: Record<string, number> = { synth: synthMs, ...result.timings };
  const kubeflowStart = Date.now();
  const kubeflow = kubeflowBuildImages();
  findings.push(...checkDeployedImages(kubeflow, { entries: [KUBEFLOW_IMAGES_ENTRY] }).findings);
  timings["kubeflow images"] = Date.now() - kubeflowStart;
  // Accepted without a promoter manifest to show it: said every time, so nobody forgets.
  const unproven = new Map(
    checkDeployedImages([...stackImages(stacks).images, ...kubeflow]).unproven.map((u) => [u.reference, u.evidence]),
  );
  for (const [reference, evidence] of unproven) process.stderr.write(`unproven promotion: ${reference}: ${evidence}\n`);
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
