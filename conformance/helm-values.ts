/**
 * Every Helm release is of a vendored chart at its pinned version, and every value key it sets
 * exists in that chart: in its values.yaml, or read by its templates (`.Values.<key>`). A key the
 * chart passes through whole (`toYaml .Values.<key>`, `with .Values.<key>`, `range ... .Values.<key>`,
 * or an empty default such as `nodeSelector: {}`) becomes part of a Kubernetes object as it is:
 * each such subtree we set, merged with the chart's default as Helm merges it, is validated strictly
 * (unknown fields rejected) against the vendored Kubernetes OpenAPI for the type the chart's template
 * places it in (FREE_FORM_VALUES, which cites the template lines; every line that reads the key
 * must be accounted for). A pass-through key that is not a Kubernetes type (flags, a ConfigMap's
 * text) is listed with its reason in NOT_KUBERNETES_VALUES; any other is a finding. A chart with a
 * values.schema.json also gets its values validated against it, as Helm does at install.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { provenanceEntry, readProvenance, REPO_ROOT } from "../lib/provenance";
import { constructPath, type StackJson } from "./app";
import { finding, type Finding } from "./findings";
import { definitionRef, loadSchemas, valueErrors, type SchemaSet } from "./kubernetes-schema";

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
  /** Each template by its path in the chart ("templates/deployment.yaml"). */
  readonly templateFiles: ReadonlyMap<string, string>;
  readonly schema?: object;
}

function templateFiles(dir: string, prefix: string = "templates"): [string, string][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f): [string, string][] => {
    const full = path.join(dir, f);
    return statSync(full).isDirectory()
      ? templateFiles(full, `${prefix}/${f}`)
      : [[`${prefix}/${f}`, readFileSync(full, "utf8")]];
  });
}

export function readChart(chart: VendoredChart, root: string = REPO_ROOT): ChartFiles {
  const dir = path.join(root, "upstream", chart.entry, chart.dir);
  const schemaFile = path.join(dir, "values.schema.json");
  const templates = templateFiles(path.join(dir, "templates"));
  return {
    chartYaml: parse(readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as ChartFiles["chartYaml"],
    values: (parse(readFileSync(path.join(dir, "values.yaml"), "utf8")) ?? {}) as Record<string, unknown>,
    templates: templates.map(([, text]) => text).join("\n"),
    templateFiles: new Map(templates),
    schema: existsSync(schemaFile) ? (JSON.parse(readFileSync(schemaFile, "utf8")) as object) : undefined,
  };
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface ValueWalk {
  /** Key paths that the chart neither defines nor reads. */
  readonly dead: string[];
  /** Maps and lists set under keys the chart passes through whole (a list is never looked into). */
  readonly whole: { readonly path: string; readonly value: unknown }[];
}

function walkValues(
  values: Record<string, unknown>,
  chart: ChartFiles,
  prefix: readonly string[] = [],
  out: ValueWalk = { dead: [], whole: [] },
): ValueWalk {
  const defaults = prefix.reduce<unknown>((d, k) => (isMap(d) ? d[k] : undefined), chart.values);
  for (const [key, value] of Object.entries(values)) {
    const keyPath = [...prefix, key];
    const dotted = keyPath.join(".");
    const read = new RegExp(`\\.Values\\.${escape(dotted)}(?![\\w-])`).test(chart.templates);
    const readWhole = new RegExp(`\\.Values\\.${escape(dotted)}(?![\\w.-])`).test(chart.templates);
    const defined = isMap(defaults) && key in defaults;
    if (!defined && !read) {
      out.dead.push(dotted);
      continue;
    }
    const d = isMap(defaults) ? defaults[key] : undefined;
    const freeForm = readWhole || (isMap(d) && Object.keys(d).length === 0) || d === null;
    if (isMap(value) && !freeForm) walkValues(value, chart, keyPath, out);
    else if (isMap(value) || Array.isArray(value)) out.whole.push({ path: dotted, value });
  }
  return out;
}

/** Key paths in `values` that the chart neither defines nor reads. */
export function deadKeys(values: Record<string, unknown>, chart: ChartFiles): string[] {
  return walkValues(values, chart).dead;
}

/** The subtrees of `values` the chart passes through whole: maps and lists under such keys, by dotted path. */
export function passedWhole(
  values: Record<string, unknown>,
  chart: ChartFiles,
): { readonly path: string; readonly value: unknown }[] {
  return walkValues(values, chart).whole;
}

/** The Kubernetes type a chart places a value in: an API definition, a list of one, or a map of strings. */
export type KubernetesType =
  { readonly definition: string } | { readonly listOf: string } | { readonly mapOf: "string" };

/** A value a chart passes through whole into a Kubernetes object, and where its templates put it. */
export interface FreeFormValue {
  readonly chart: string;
  /** Dotted path in the chart's values. */
  readonly value: string;
  readonly type: KubernetesType;
  /**
   * The template lines ("templates/<file>:<line>") that place the value (`toYaml .Values.x`, or
   * `with .Values.x` followed by `toYaml .`) in the field of that type.
   */
  readonly placedAt: readonly string[];
  /** Other lines that read the value whole without placing it (`if` conditions need not be listed). */
  readonly alsoReadAt?: readonly string[];
}

const CORE = "io.k8s.api.core.v1";
const NODE_SELECTOR: KubernetesType = { mapOf: "string" };
const RESOURCES: KubernetesType = { definition: `${CORE}.ResourceRequirements` };
const POD_SECURITY_CONTEXT: KubernetesType = { definition: `${CORE}.PodSecurityContext` };
const CONTAINER_SECURITY_CONTEXT: KubernetesType = { definition: `${CORE}.SecurityContext` };

/**
 * The pass-through values this project sets, per chart, with the type of the field each template
 * line puts them in (read at the vendored chart versions; the line numbers are checked).
 */
export const FREE_FORM_VALUES: readonly FreeFormValue[] = [
  // cluster-autoscaler 9.59.0, templates/deployment.yaml: the pod spec (spec.template.spec, line 43)
  // and its one container (containers, line 61).
  { chart: "cluster-autoscaler", value: "resources", type: RESOURCES, placedAt: ["templates/deployment.yaml:297"] },
  {
    // Under the container's `securityContext:` (line 299).
    chart: "cluster-autoscaler",
    value: "containerSecurityContext",
    type: CONTAINER_SECURITY_CONTEXT,
    placedAt: ["templates/deployment.yaml:300"],
  },
  {
    chart: "cluster-autoscaler",
    value: "nodeSelector",
    type: NODE_SELECTOR,
    placedAt: ["templates/deployment.yaml:333"],
  },
  {
    // Under the pod spec's `securityContext:` (line 343, at the pod spec's indentation).
    chart: "cluster-autoscaler",
    value: "securityContext",
    type: POD_SECURITY_CONTEXT,
    placedAt: ["templates/deployment.yaml:344"],
  },
  // nvidia-device-plugin 0.20.0: each DaemonSet's pod spec.
  {
    chart: "nvidia-device-plugin",
    value: "nodeSelector",
    type: NODE_SELECTOR,
    placedAt: [
      "templates/daemonset-device-plugin.yml:264",
      "templates/daemonset-gfd.yml:219",
      "templates/daemonset-mps-control-daemon.yml:213",
    ],
  },
  {
    chart: "nvidia-device-plugin",
    value: "affinity",
    type: { definition: `${CORE}.Affinity` },
    placedAt: [
      "templates/daemonset-device-plugin.yml:268",
      "templates/daemonset-gfd.yml:223",
      "templates/daemonset-mps-control-daemon.yml:216",
    ],
  },
  {
    chart: "nvidia-device-plugin",
    value: "tolerations",
    type: { listOf: `${CORE}.Toleration` },
    placedAt: [
      "templates/daemonset-device-plugin.yml:272",
      "templates/daemonset-gfd.yml:227",
      "templates/daemonset-mps-control-daemon.yml:220",
    ],
  },
  // aws-load-balancer-controller 3.5.0 (eks-charts): the controller container's `resources:` and
  // the pod spec, and the PodDisruptionBudget's spec (its keys sit next to the chart's own selector).
  {
    chart: "aws-load-balancer-controller",
    value: "resources",
    type: RESOURCES,
    placedAt: ["templates/deployment.yaml:254"],
  },
  {
    chart: "aws-load-balancer-controller",
    value: "nodeSelector",
    type: NODE_SELECTOR,
    placedAt: ["templates/deployment.yaml:264"],
  },
  {
    chart: "aws-load-balancer-controller",
    value: "podDisruptionBudget",
    type: { definition: "io.k8s.api.policy.v1.PodDisruptionBudgetSpec" },
    placedAt: ["templates/pdb.yaml:13"],
  },
  // headlamp 0.45.0, templates/deployment.yaml: the pod's `securityContext:` (line 106), the
  // headlamp container's and the plugin manager container's `securityContext:` (lines 114, 486).
  {
    chart: "headlamp",
    value: "podSecurityContext",
    type: POD_SECURITY_CONTEXT,
    placedAt: ["templates/deployment.yaml:107"],
  },
  {
    chart: "headlamp",
    value: "securityContext",
    type: CONTAINER_SECURITY_CONTEXT,
    placedAt: ["templates/deployment.yaml:116", "templates/deployment.yaml:490"],
    // The plugin manager's fallback, only given to the readOnlyRootFilesystem helper (line 32).
    alsoReadAt: ["templates/deployment.yaml:30"],
  },
  { chart: "headlamp", value: "nodeSelector", type: NODE_SELECTOR, placedAt: ["templates/deployment.yaml:499"] },
  // karpenter 1.14.1, templates/deployment.yaml: appended to the controller container's `env:` (line 91)
  // list, its `resources:` (line 227), and the pod spec's `nodeSelector:` (line 253).
  {
    chart: "karpenter",
    value: "controller.env",
    type: { listOf: `${CORE}.EnvVar` },
    placedAt: ["templates/deployment.yaml:200"],
  },
  {
    chart: "karpenter",
    value: "controller.resources",
    type: RESOURCES,
    placedAt: ["templates/deployment.yaml:226"],
  },
  { chart: "karpenter", value: "nodeSelector", type: NODE_SELECTOR, placedAt: ["templates/deployment.yaml:252"] },
];

/** Pass-through values this project sets that do not become a Kubernetes field, and what they are instead. */
export const NOT_KUBERNETES_VALUES: readonly {
  readonly chart: string;
  readonly value: string;
  readonly why: string;
}[] = [
  {
    chart: "cluster-autoscaler",
    value: "extraArgs",
    why: "command-line flags (templates/deployment.yaml:136-142), checked by conformance/autoscaler-flags.ts",
  },
  {
    chart: "cluster-autoscaler",
    value: "autoDiscovery.tags",
    why: "joined into the --node-group-auto-discovery flag's value (templates/deployment.yaml:89)",
  },
  {
    chart: "cluster-autoscaler",
    value: "expanderPriorities",
    why: "written as text into the priority expander ConfigMap's data (templates/priority-expander-configmap.yaml:15-22)",
  },
];

const schemaOf = (type: KubernetesType): Record<string, unknown> =>
  "definition" in type
    ? definitionRef(type.definition)
    : "listOf" in type
      ? { type: "array", items: definitionRef(type.listOf) }
      : { type: "object", additionalProperties: { type: "string" } };

const typeName = (type: KubernetesType): string =>
  "definition" in type ? type.definition : "listOf" in type ? `[]${type.listOf}` : "map[string]string";

/** A line that only tests a value (`{{- if ... }}`, `{{- else if ... }}`). */
const CONDITION = /^\s*\{\{-?\s*(else\s+)?if\b/;

/**
 * Where a chart's templates and FREE_FORM_VALUES disagree: a cited line that does not read the
 * value, or a line reading it whole that no entry accounts for. `where` is the chart's folder.
 */
export function placementProblems(chartName: string, chart: ChartFiles, where: string): Finding[] {
  const findings: Finding[] = [];
  for (const entry of FREE_FORM_VALUES.filter((v) => v.chart === chartName)) {
    const whole = new RegExp(`\\.Values\\.${escape(entry.value)}(?![\\w.-])`);
    const cited = new Set([...entry.placedAt, ...(entry.alsoReadAt ?? [])]);
    for (const at of cited) {
      const [file, line] = at.split(":");
      const text = chart.templateFiles.get(file)?.split("\n")[Number(line) - 1];
      if (text === undefined || !whole.test(text))
        findings.push(
          finding(
            CHECK,
            `${where}/${at}`,
            `FREE_FORM_VALUES cites this line for values.${entry.value}, but it does not read it: find where the chart places it now`,
          ),
        );
    }
    for (const [file, text] of chart.templateFiles) {
      text.split("\n").forEach((l, i) => {
        if (whole.test(l) && !CONDITION.test(l) && !cited.has(`${file}:${i + 1}`))
          findings.push(
            finding(
              CHECK,
              `${where}/${file}:${i + 1}`,
              `reads values.${entry.value} whole, which FREE_FORM_VALUES does not account for: decide the type it is placed in`,
            ),
          );
      });
    }
  }
  return findings;
}

/**
 * Findings for the pass-through subtrees a release sets: each, merged with the chart's default,
 * validated against the Kubernetes type its template places it in; one with no known type is a
 * finding itself.
 */
export function freeFormFindings(release: HelmRelease, chart: ChartFiles, schemas: SchemaSet): Finding[] {
  const where = `${release.stack} ${release.path}`;
  const findings: Finding[] = [];
  for (const { path: valuePath, value } of passedWhole(release.values, chart)) {
    if (NOT_KUBERNETES_VALUES.some((v) => v.chart === release.chart && v.value === valuePath)) continue;
    const entry = FREE_FORM_VALUES.find((v) => v.chart === release.chart && v.value === valuePath);
    if (!entry) {
      findings.push(
        finding(
          CHECK,
          `${where} values.${valuePath}`,
          `${release.chart} passes values.${valuePath} through whole, and FREE_FORM_VALUES (conformance/helm-values.ts) does not say which Kubernetes type it becomes: read the template line that places it and add it`,
        ),
      );
      continue;
    }
    const chartDefault = valuePath.split(".").reduce<unknown>((d, k) => (isMap(d) ? d[k] : undefined), chart.values);
    const merged = mergeValues(chartDefault, value);
    for (const error of valueErrors(merged, schemas.validator(schemaOf(entry.type)))) {
      findings.push(
        finding(
          CHECK,
          `${where} values.${valuePath}`,
          `${release.chart} ${chart.chartYaml.version} places it as ${typeName(entry.type)} (${entry.placedAt[0]}), merged with the chart's default: ${error}`,
        ),
      );
    }
  }
  return findings;
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
/** Compiled values.schema.json validators by their text: compiling one costs far more than the check. */
const chartSchemas = new Map<string, ValidateFunction>();

export function checkHelmValues(stacks: readonly StackJson[], root: string = REPO_ROOT): Finding[] {
  const findings: Finding[] = [];
  const entries = readProvenance(path.join(root, "upstream", "PROVENANCE.json"));
  const schemas = loadSchemas(root);
  const placementChecked = new Set<string>();
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
          `installs ${release.chart} ${release.version}, but the vendored chart (entry "${entry.name}", ${entry.ref}) is ${chart.chartYaml.name} ${chart.chartYaml.version}`,
        ),
      );
    }
    if (!placementChecked.has(vendored.chart)) {
      placementChecked.add(vendored.chart);
      findings.push(...placementProblems(vendored.chart, chart, `upstream/${vendored.entry}/${vendored.dir}`));
    }
    findings.push(...freeFormFindings(release, chart, schemas));
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
      const key = JSON.stringify(chart.schema);
      if (!chartSchemas.has(key)) chartSchemas.set(key, ajv.compile(chart.schema));
      const validate = chartSchemas.get(key)!;
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
