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
 * for a change that means to run other images; the diff of upstream/PROVENANCE.json shows them, and
 * the command prints where each added one is run from (an object and field; PROVENANCE holds
 * references only). One that names no release is never recorded (the check refuses it).
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
import { formatImageReference, normalizeImageReference } from "../lib/image-ref";
import { readProvenance, writeProvenanceEntry } from "../lib/provenance";
import { buildOverlay, documentsOf } from "./kubeflow-install";
import { renderParams } from "./kubeflow";
import { installableComponents } from "../lib/kubeflow-components";

/**
 * The images the Kubeflow install can run: the committed render built with our overlay (placeholder
 * parameters) and every component the release can install, so that any selection is covered.
 */
function kubeflowBuildImages(): DeployedImage[] {
  const params = renderParams([]);
  const objects = documentsOf(buildOverlay({ ...params, components: installableComponents(params.manifestsVersion) }))
    .filter((d) => d.kind !== "CustomResourceDefinition")
    .map((d) => parse(d.text) as Record<string, unknown>);
  return kubeflowImages(objects);
}

/** Whether `reference` is `full` once normalized (false for one that does not parse). */
function normalizes(reference: string, full: string): boolean {
  try {
    return normalizeImageReference(reference) === full;
  } catch {
    return false;
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  if (argv.includes("--record-images")) {
    const deployed = [...stackImages(synthesizeVariants(config)).images, ...kubeflowBuildImages()];
    const record = imagesToRecord(deployed, readProvenance());
    for (const entry of readProvenance()) {
      const images = record.get(entry.name) ?? [];
      // PROVENANCE records references only: say where each new one is run from, for the review of the diff.
      const before = new Set(entry.images.map((i) => formatImageReference(i)));
      const after = new Set(images.map((i) => formatImageReference(i)));
      for (const ref of after) {
        if (before.has(ref)) continue;
        const from = deployed.filter((d) => d.entry === entry.name && normalizes(d.reference, ref)).map((d) => d.where);
        process.stderr.write(`+ ${entry.name}: ${ref}\n${from.map((w) => `    from ${w}\n`).join("")}`);
      }
      for (const ref of before) if (!after.has(ref)) process.stderr.write(`- ${entry.name}: ${ref}\n`);
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
