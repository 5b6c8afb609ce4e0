/**
 * Every Helm release is of a vendored chart at its pinned version, and every value key it sets
 * exists in that chart: in its values.yaml, or read by its templates (`.Values.<key>`). Below a key
 * the chart passes through whole (`toYaml .Values.<key>`, `range ... .Values.<key>`, or an empty
 * default such as `nodeSelector: {}`), anything goes: that is Kubernetes' to check. A chart with a
 * values.schema.json also gets its values validated against it, as Helm does at install.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { provenanceEntry, readProvenance, REPO_ROOT } from "../lib/provenance";
import { constructPath, type StackJson } from "./app";
import { finding, type Finding } from "./findings";

const CHECK = "helm values";

/** A chart as Helm fetches it, and where its vendored copy is. */
export interface VendoredChart {
  readonly repository: string;
  readonly chart: string;
  /** PROVENANCE entry. */
  readonly entry: string;
  /** The chart's folder in the entry (its path in the upstream repository). */
  readonly dir: string;
}

export const VENDORED_CHARTS: readonly VendoredChart[] = [
  {
    repository: "https://kubernetes.github.io/autoscaler",
    chart: "cluster-autoscaler",
    entry: "cluster-autoscaler-chart",
    dir: "cluster-autoscaler/charts/cluster-autoscaler",
  },
  {
    repository: "https://nvidia.github.io/k8s-device-plugin",
    chart: "nvidia-device-plugin",
    entry: "nvidia-device-plugin",
    dir: "deployments/helm/nvidia-device-plugin",
  },
  {
    repository: "https://kubernetes-sigs.github.io/headlamp/",
    chart: "headlamp",
    entry: "headlamp",
    dir: "charts/headlamp",
  },
  {
    repository: "oci://public.ecr.aws/karpenter",
    chart: "karpenter",
    entry: "karpenter-chart",
    dir: "charts/karpenter",
  },
  {
    repository: "oci://public.ecr.aws/karpenter",
    chart: "karpenter-crd",
    entry: "karpenter-chart",
    dir: "charts/karpenter-crd",
  },
  {
    repository: "https://aws.github.io/eks-charts",
    chart: "aws-load-balancer-controller",
    entry: "aws-load-balancer-controller-chart",
    dir: "stable/aws-load-balancer-controller",
  },
];

/** Local charts of this project (no repository): their values are ours; what they render is checked elsewhere. */
export const LOCAL_CHARTS = ["raw-resources"];

export interface ChartFiles {
  readonly chartYaml: { readonly name: string; readonly version: string };
  readonly values: Record<string, unknown>;
  /** Every template, concatenated. */
  readonly templates: string;
  readonly schema?: object;
}

function templateText(dir: string): string {
  if (!existsSync(dir)) return "";
  return readdirSync(dir)
    .map((f) => path.join(dir, f))
    .map((f) => (statSync(f).isDirectory() ? templateText(f) : readFileSync(f, "utf8")))
    .join("\n");
}

export function readChart(chart: VendoredChart, root: string = REPO_ROOT): ChartFiles {
  const dir = path.join(root, "upstream", chart.entry, chart.dir);
  const schemaFile = path.join(dir, "values.schema.json");
  return {
    chartYaml: parse(readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as ChartFiles["chartYaml"],
    values: (parse(readFileSync(path.join(dir, "values.yaml"), "utf8")) ?? {}) as Record<string, unknown>,
    templates: templateText(path.join(dir, "templates")),
    schema: existsSync(schemaFile) ? (JSON.parse(readFileSync(schemaFile, "utf8")) as object) : undefined,
  };
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Key paths in `values` that the chart neither defines nor reads. */
export function deadKeys(values: Record<string, unknown>, chart: ChartFiles, prefix: readonly string[] = []): string[] {
  const dead: string[] = [];
  const defaults = prefix.reduce<unknown>((d, k) => (isMap(d) ? d[k] : undefined), chart.values);
  for (const [key, value] of Object.entries(values)) {
    const keyPath = [...prefix, key];
    const dotted = keyPath.join(".");
    const read = new RegExp(`\\.Values\\.${escape(dotted)}(?![\\w-])`).test(chart.templates);
    const readWhole = new RegExp(`\\.Values\\.${escape(dotted)}(?![\\w.-])`).test(chart.templates);
    const defined = isMap(defaults) && key in defaults;
    if (!defined && !read) {
      dead.push(dotted);
      continue;
    }
    const d = isMap(defaults) ? defaults[key] : undefined;
    const freeForm = readWhole || (isMap(d) && Object.keys(d).length === 0) || d === null;
    if (isMap(value) && !freeForm) dead.push(...deadKeys(value, chart, keyPath));
  }
  return dead;
}

/** `overlay` merged onto `base` the way Helm merges user values onto a chart's defaults (maps deep, the rest replaced). */
export function mergeValues(base: unknown, overlay: unknown): unknown {
  if (!isMap(base) || !isMap(overlay)) return overlay === undefined ? base : overlay;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overlay)) out[k] = mergeValues(base[k], v);
  return out;
}

export interface HelmRelease {
  readonly stack: string;
  readonly id: string;
  readonly path: string;
  readonly chart: string;
  readonly repository?: string;
  readonly version: string;
  readonly values: Record<string, unknown>;
}

export function helmReleases(stacks: readonly StackJson[]): HelmRelease[] {
  return stacks.flatMap((s) =>
    Object.entries(s.json.resource?.helm_release ?? {}).map(([id, r]) => ({
      stack: s.name,
      id,
      path: constructPath(r, id),
      chart: String(r.chart),
      repository: r.repository as string | undefined,
      version: String(r.version),
      values: ((r.values as string[] | undefined) ?? []).reduce<Record<string, unknown>>(
        (acc, text) => mergeValues(acc, parse(text) ?? {}) as Record<string, unknown>,
        {},
      ),
    })),
  );
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

export function checkHelmValues(stacks: readonly StackJson[], root: string = REPO_ROOT): Finding[] {
  const findings: Finding[] = [];
  const entries = readProvenance(path.join(root, "upstream", "PROVENANCE.json"));
  for (const release of helmReleases(stacks)) {
    const where = `${release.stack} ${release.path}`;
    if (!release.repository) {
      if (!LOCAL_CHARTS.includes(path.basename(release.chart)))
        findings.push(finding(CHECK, where, `local chart ${release.chart} is not one of this project's charts`));
      continue;
    }
    const vendored = VENDORED_CHARTS.find((c) => c.repository === release.repository && c.chart === release.chart);
    if (!vendored) {
      findings.push(
        finding(
          CHECK,
          where,
          `chart ${release.chart} from ${release.repository} is not vendored: add it to VENDORED_CHARTS and npm run vendor`,
        ),
      );
      continue;
    }
    const chart = readChart(vendored, root);
    const entry = provenanceEntry(vendored.entry, entries);
    if (chart.chartYaml.name !== release.chart || String(chart.chartYaml.version) !== release.version) {
      findings.push(
        finding(
          CHECK,
          where,
          `installs ${release.chart} ${release.version}, but the vendored chart (entry "${entry.name}", ${entry.tag}) is ${chart.chartYaml.name} ${chart.chartYaml.version}`,
        ),
      );
    }
    for (const key of deadKeys(release.values, chart)) {
      findings.push(
        finding(
          CHECK,
          `${where} values.${key}`,
          `${release.chart} ${chart.chartYaml.version} has no value "${key}" (not in values.yaml, not read by a template)`,
        ),
      );
    }
    if (chart.schema) {
      const validate = ajv.compile(chart.schema);
      if (!validate(mergeValues(chart.values, release.values))) {
        for (const e of validate.errors ?? []) {
          findings.push(
            finding(CHECK, `${where} values${e.instancePath.replace(/\//g, ".")}`, `values.schema.json: ${e.message}`),
          );
        }
      }
    }
  }
  return findings;
}
