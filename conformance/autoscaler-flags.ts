/**
 * Every flag cluster-autoscaler is started with exists in the pinned release: the keys of the
 * chart's `extraArgs` (its defaults merged with ours) and the flags the chart's Deployment template
 * passes itself. The autoscaler's own flags are defined in config/flags/flags.go; its logging flags
 * (logtostderr, v, ...) are klog's, registered by klog.InitFlags, at the klog version its go.mod
 * requires (entry "klog", which must be that version).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { provenanceEntry, readProvenance, REPO_ROOT } from "../lib/provenance";
import type { StackJson } from "./app";
import { finding, type Finding } from "./findings";
import { helmReleases, mergeValues, readChart, VENDORED_CHARTS } from "./helm-values";

const CHECK = "autoscaler flags";
const AUTOSCALER = "upstream/cluster-autoscaler/cluster-autoscaler";

/** The flags a release of the autoscaler accepts. */
export function autoscalerFlags(root: string = REPO_ROOT): Set<string> {
  const flagsGo = readFileSync(path.join(root, AUTOSCALER, "config/flags/flags.go"), "utf8");
  const klogGo = readFileSync(path.join(root, "upstream/klog/klog.go"), "utf8");
  const own = [...flagsGo.matchAll(/(?:\bflag\.\w+|\bmultiStringFlag|\bpflag\.\w+)\(\s*"([a-z0-9][a-z0-9-]*)"/g)].map(
    (m) => m[1],
  );
  const klog = [...klogGo.matchAll(/commandLine\.\w+\([^,]*,\s*"([a-z_]+)"/g)].map((m) => m[1]);
  return new Set([...own, ...klog]);
}

export function checkAutoscalerFlags(stacks: readonly StackJson[], root: string = REPO_ROOT): Finding[] {
  const findings: Finding[] = [];
  const entries = readProvenance(path.join(root, "upstream", "PROVENANCE.json"));
  const goMod = readFileSync(path.join(root, AUTOSCALER, "go.mod"), "utf8");
  const required = /^\s*k8s\.io\/klog\/v2 v(\S+)$/m.exec(goMod)?.[1];
  const klog = provenanceEntry("klog", entries);
  if (required !== klog.version) {
    findings.push(
      finding(
        CHECK,
        "upstream/klog",
        `cluster-autoscaler's go.mod requires klog ${required}, but entry "klog" is ${klog.version}: npm run vendor -- klog --version ${required}`,
      ),
    );
  }
  const flags = autoscalerFlags(root);
  const vendored = VENDORED_CHARTS.find((c) => c.chart === "cluster-autoscaler")!;
  const chart = readChart(vendored, root);
  const passedByChart = [...chart.templates.matchAll(/^\s*-\s*--([a-z0-9][a-z0-9-]*)/gm)].map((m) => m[1]);
  for (const flag of new Set(passedByChart)) {
    if (!flags.has(flag))
      findings.push(
        finding(
          CHECK,
          `${vendored.dir}/templates`,
          `the chart passes --${flag}, which the pinned autoscaler does not define`,
        ),
      );
  }
  for (const release of helmReleases(stacks).filter((r) => r.chart === "cluster-autoscaler")) {
    const extraArgs = mergeValues(chart.values.extraArgs, release.values.extraArgs) as Record<string, unknown>;
    for (const key of Object.keys(extraArgs ?? {})) {
      // The chart's rule: "Everything after the first _ will be ignored".
      const flag = key.split("_")[0];
      if (!flags.has(flag)) {
        findings.push(
          finding(
            CHECK,
            `${release.stack} ${release.path} values.extraArgs.${key}`,
            `cluster-autoscaler ${provenanceEntry("cluster-autoscaler", entries).version} has no flag --${flag}`,
          ),
        );
      }
    }
  }
  return findings;
}
