/**
 * Every container image this project runs, as the cluster will pull it, and where it comes from:
 *
 * - each Helm release's image, built the way the chart's own template builds it, from the chart's
 *   values.yaml and Chart.yaml merged with our values (CHART_IMAGES: the template text is checked
 *   to still be in the vendored chart, and every image the chart's templates can render is covered);
 * - every image a Kubernetes object a stack creates names (typed resources, manifests, and the
 *   objects of our local chart), attributed to a PROVENANCE entry by construct path (OBJECT_IMAGES);
 * - every image the objects of the Kubeflow install (the committed render built with our overlay)
 *   name: image fields of any kind of object, ConfigMap data, arguments and environment variables,
 *   and the images their programs compose (conformance/object-images.ts). The caller passes those
 *   objects in (the install's build is expensive; its test builds it once).
 *
 * The checks: every reference parses, names a tag or digest (never "latest"), comes from no staging
 * or development registry (STAGING_REGISTRIES, plus every `src: true` registry of the vendored
 * promoter manifests), and, for registry.k8s.io, is listed by the vendored promoter manifests of
 * kubernetes/k8s.io (the digest, when one is pinned; else the tag). Finally the images each
 * PROVENANCE entry records must equal the images deployed from it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { ImageReferenceError } from "../lib/image-ref";
import { formatImageReference, parseImageReference, type ImageReference } from "../lib/image-ref";
import { provenanceEntry, readProvenance, REPO_ROOT, type ProvenanceEntry } from "../lib/provenance";
import type { StackJson } from "./app";
import { finding, type Finding } from "./findings";
import { helmReleases, mergeValues, readChart, VENDORED_CHARTS, type ChartFiles } from "./helm-values";
import { loadSchemas, stackObjects } from "./kubernetes-schema";
import { objectImages } from "./object-images";

const CHECK = "images";

/** An image something we apply runs. */
export interface DeployedImage {
  /** As written in what we apply. */
  readonly reference: string;
  /** The PROVENANCE entry that records it, if known. */
  readonly entry?: string;
  /** Where: "<stack> <construct path> ..." or "<Kind>/<namespace>/<name> <field>". */
  readonly where: string;
  /** Set when no image could be told at `where` (conformance/object-images.ts): a finding, never skipped. */
  readonly problem?: string;
}

type Values = Record<string, unknown>;
const isMap = (v: unknown): v is Values => v !== null && typeof v === "object" && !Array.isArray(v);
const at = (values: unknown, dotted: string): unknown =>
  dotted.split(".").reduce<unknown>((v, k) => (isMap(v) ? v[k] : undefined), values);
/** Helm's `default`: the fallback when the value is unset, null or empty. */
const orDefault = (value: unknown, fallback: string): string =>
  value === undefined || value === null || value === "" ? fallback : String(value);
const truthy = (value: unknown) => !(value === undefined || value === null || value === false || value === "");

/** How a vendored chart builds one image reference. */
export interface ChartImageRule {
  /** The template file (relative to the chart's folder) and the exact text that builds the reference there. */
  readonly file: string;
  readonly text: string;
  /** When the template renders it: the guard's text(s) in the file, and its value for the merged values. */
  readonly when?: { readonly text: string | readonly string[]; readonly holds: (values: Values) => boolean };
  /** The reference it builds (one per item, for a template that ranges over a list). */
  readonly reference: (values: Values, chart: ChartFiles) => string | readonly string[];
}

/** Per chart: the PROVENANCE entry that records what it runs, and how its templates build each image. */
export const CHART_IMAGES: Readonly<
  Record<string, { readonly entry: string; readonly rules: readonly ChartImageRule[] }>
> = {
  "cluster-autoscaler": {
    entry: "cluster-autoscaler",
    rules: [
      {
        file: "templates/deployment.yaml",
        text: 'image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
        reference: (v) => `${String(at(v, "image.repository"))}:${String(at(v, "image.tag"))}`,
      },
    ],
  },
  "nvidia-device-plugin": {
    entry: "nvidia-device-plugin",
    rules: ["daemonset-device-plugin.yml", "daemonset-mps-control-daemon.yml", "daemonset-gfd.yml"].map(
      (file): ChartImageRule => ({
        file: `templates/${file}`,
        text: 'image: {{ include "nvidia-device-plugin.fullimage" . }}',
        when:
          file === "daemonset-gfd.yml"
            ? { text: "{{- if .Values.gfd.enabled }}", holds: (v) => truthy(at(v, "gfd.enabled")) }
            : { text: "{{- if .Values.devicePlugin.enabled }}", holds: (v) => truthy(at(v, "devicePlugin.enabled")) },
        // templates/_helpers.tpl "nvidia-device-plugin.fullimage": {{- $tag := printf "v%s" .Chart.AppVersion }}
        // {{- .Values.image.repository -}}:{{- .Values.image.tag | default $tag -}}
        reference: (v, chart) =>
          `${String(at(v, "image.repository"))}:${orDefault(at(v, "image.tag"), `v${chartAppVersion(chart)}`)}`,
      }),
    ),
  },
  headlamp: {
    entry: "headlamp",
    rules: [
      {
        file: "templates/deployment.yaml",
        text: 'image: "{{ .Values.image.registry}}/{{ .Values.image.repository }}:{{ .Values.image.tag | default (printf "v%s" .Chart.AppVersion) }}"',
        reference: (v, chart) =>
          `${String(at(v, "image.registry"))}/${String(at(v, "image.repository"))}:${orDefault(at(v, "image.tag"), `v${chartAppVersion(chart)}`)}`,
      },
      {
        file: "templates/deployment.yaml",
        text: "image: {{ .Values.pluginsManager.baseImage }}",
        when: {
          text: "{{- if .Values.pluginsManager.enabled }}",
          holds: (v) => truthy(at(v, "pluginsManager.enabled")),
        },
        reference: (v) => String(at(v, "pluginsManager.baseImage")),
      },
      {
        // Image volumes of the cluster inventory's plugins, one per plugin: templates/deployment.yaml
        // binds $clusterInventory to .Values.config.clusterInventory and renders the volumes inside
        // `{{- if $clusterInventoryEnabled }}` (config.clusterInventory.enabled).
        file: "templates/deployment.yaml",
        text: "reference: {{ $plugin.image | quote }}",
        when: {
          text: [
            "{{- $clusterInventory := .Values.config.clusterInventory | default dict }}",
            "{{- $clusterInventoryEnabled := $clusterInventory.enabled | default false }}",
            "{{- if $clusterInventoryEnabled }}",
            "{{- range $plugin := ($clusterInventory.plugins | default list) }}",
          ],
          holds: (v) => truthy(at(v, "config.clusterInventory.enabled")),
        },
        reference: (v) =>
          ((at(v, "config.clusterInventory.plugins") as { image?: unknown }[] | null | undefined) ?? []).map((p) =>
            String(p.image),
          ),
      },
      // The images Headlamp offers for pod debug containers and node shells, when set: flags of the
      // backend (backend/pkg/config/config.go:622-623 at the chart's commit).
      ...(["podDebugImage", "nodeShellImage"] as const).map((key): ChartImageRule => ({
        file: "templates/deployment.yaml",
        text: `- "-${key === "podDebugImage" ? "pod-debug-image" : "node-shell-image"}={{ . }}"`,
        when: { text: `{{- with .Values.config.${key} }}`, holds: (v) => truthy(at(v, `config.${key}`)) },
        reference: (v) => String(at(v, `config.${key}`)),
      })),
    ],
  },
  karpenter: {
    entry: "karpenter-chart",
    rules: [
      {
        file: "templates/deployment.yaml",
        text: 'image: {{ include "karpenter.controller.image" . }}',
        // templates/_helpers.tpl "karpenter.controller.image": repository:(tag or appVersion)[@digest].
        reference: (v, chart) => {
          const image = `${String(at(v, "controller.image.repository"))}:${orDefault(at(v, "controller.image.tag"), chartAppVersion(chart))}`;
          const digest = at(v, "controller.image.digest");
          return truthy(digest) ? `${image}@${String(digest)}` : image;
        },
      },
    ],
  },
  "karpenter-crd": { entry: "karpenter-chart", rules: [] },
  "aws-load-balancer-controller": {
    entry: "aws-load-balancer-controller",
    rules: [
      {
        file: "templates/deployment.yaml",
        text: 'image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
        reference: (v) => `${String(at(v, "image.repository"))}:${String(at(v, "image.tag"))}`,
      },
    ],
  },
};

/** The helper texts the rules above rely on, per chart: checked to be in the vendored templates. */
const CHART_HELPERS: Readonly<Record<string, readonly { file: string; text: string }[]>> = {
  "nvidia-device-plugin": [
    { file: "templates/_helpers.tpl", text: '{{- $tag := printf "v%s" .Chart.AppVersion }}' },
    {
      file: "templates/_helpers.tpl",
      text: "{{- .Values.image.repository -}}:{{- .Values.image.tag | default $tag -}}",
    },
  ],
  karpenter: [
    {
      file: "templates/_helpers.tpl",
      text: '{{- printf "%s:%s@%s" .Values.controller.image.repository  (default (printf "%s" .Chart.AppVersion) .Values.controller.image.tag) .Values.controller.image.digest }}',
    },
    {
      file: "templates/_helpers.tpl",
      text: '{{- printf "%s:%s" .Values.controller.image.repository  (default (printf "%s" .Chart.AppVersion) .Values.controller.image.tag) }}',
    },
  ],
};

function chartAppVersion(chart: ChartFiles): string {
  return String((chart.chartYaml as { appVersion?: unknown }).appVersion);
}

/**
 * Lines of a chart's templates that put an image reference into an object: an `image:` field, an
 * image volume's `reference:`, or a flag that names an image (`-pod-debug-image={{ . }}`).
 */
const IMAGE_LINE = /(?:^|\s|-\s)image:\s*\S|reference:\s*\{\{[^}]*image|-[\w-]*image=/i;

function templateFiles(dir: string, prefix = "templates"): { file: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? templateFiles(path.join(dir, d.name), `${prefix}/${d.name}`)
      : [{ file: `${prefix}/${d.name}`, text: readFileSync(path.join(dir, d.name), "utf8") }],
  );
}

/** Rules whose template text (or guard, or helper) is gone from the vendored chart, and image lines no rule covers. */
export function chartRuleFindings(root: string = REPO_ROOT): Finding[] {
  const findings: Finding[] = [];
  for (const vendored of VENDORED_CHARTS) {
    const spec = CHART_IMAGES[vendored.chart];
    const where = `upstream/${vendored.entry}/${vendored.dir}`;
    if (!spec) {
      findings.push(finding(CHECK, where, `no CHART_IMAGES entry says how ${vendored.chart} builds its images`));
      continue;
    }
    const files = templateFiles(path.join(root, "upstream", vendored.entry, vendored.dir, "templates"));
    const text = (file: string) => files.find((f) => f.file === file)?.text ?? "";
    for (const rule of spec.rules) {
      if (!text(rule.file).includes(rule.text))
        findings.push(finding(CHECK, `${where}/${rule.file}`, `no longer builds an image with: ${rule.text}`));
      for (const guard of [rule.when?.text ?? []].flat())
        if (!text(rule.file).includes(guard))
          findings.push(finding(CHECK, `${where}/${rule.file}`, `no longer guards ${rule.text} with: ${guard}`));
    }
    for (const helper of CHART_HELPERS[vendored.chart] ?? []) {
      if (!text(helper.file).includes(helper.text))
        findings.push(finding(CHECK, `${where}/${helper.file}`, `the image helper changed: ${helper.text} is gone`));
    }
    for (const f of files) {
      f.text.split("\n").forEach((line, i) => {
        if (!IMAGE_LINE.test(line) || /imagePull/.test(line)) return;
        if (!spec.rules.some((r) => r.file === f.file && line.includes(r.text)))
          findings.push(
            finding(CHECK, `${where}/${f.file}:${i + 1}`, `an image no CHART_IMAGES rule covers: ${line.trim()}`),
          );
      });
    }
  }
  return findings;
}

/** A dependency of a chart's Chart.yaml: a subchart Helm installs with it when enabled. */
interface ChartDependency {
  readonly name: string;
  readonly alias?: string;
  readonly condition?: string;
  readonly tags?: readonly string[];
}

/**
 * Whether Helm installs a dependency, and the value that decides it. Helm 3 (helm/helm
 * pkg/chartutil/dependencies.go, processDependencyEnabled): every dependency starts enabled; its
 * tags (a `tags:` table in the values) disable it when one is false and none true; then the first
 * path of its comma-separated condition that holds a bool decides.
 */
export function dependencyEnabled(dep: ChartDependency, values: Values): { enabled: boolean; by?: string } {
  let result: { enabled: boolean; by?: string } = { enabled: true };
  const tagTable = at(values, "tags");
  if (isMap(tagTable) && dep.tags) {
    const set = dep.tags.filter((t) => typeof tagTable[t] === "boolean");
    const on = set.find((t) => tagTable[t] === true);
    if (on) result = { enabled: true, by: `tags.${on}` };
    else if (set.length > 0) result = { enabled: false, by: `tags.${set[0]}` };
  }
  for (const c of (dep.condition ?? "").trim().split(",")) {
    const value = c === "" ? undefined : at(values, c);
    if (typeof value === "boolean") return { enabled: value, by: c };
  }
  return result;
}

/**
 * Subcharts a release would install that are not vendored with their chart (under its charts/):
 * their images are never checked, so enabling one is a finding that names the value doing it.
 */
function subchartFindings(
  release: { readonly stack: string; readonly path: string; readonly chart: string },
  vendored: { readonly entry: string; readonly dir: string },
  chart: ChartFiles,
  values: Values,
  root: string,
): Finding[] {
  const deps = ((chart.chartYaml as { dependencies?: ChartDependency[] }).dependencies ?? []).filter(Boolean);
  return deps.flatMap((dep) => {
    const { enabled, by } = dependencyEnabled(dep, values);
    const dir = `upstream/${vendored.entry}/${vendored.dir}/charts/${dep.name}`;
    if (!enabled || existsSync(path.join(root, dir))) return [];
    const name = `${dep.alias ?? dep.name} (chart ${dep.name})`;
    const unchecked = `it is not vendored (${dir}), so the images it runs are never checked`;
    return [
      finding(
        CHECK,
        `${release.stack} ${release.path} (${release.chart})`,
        by
          ? `${by} is ${String(at(values, by))}, which enables the subchart ${name} (Chart.yaml condition ` +
              `"${dep.condition ?? ""}"): ${unchecked}. Leave ${by} unset or false in the release's values, ` +
              "or vendor the subchart and give it CHART_IMAGES rules"
          : `the chart always installs its subchart ${name}: ${unchecked}. Vendor it and give it CHART_IMAGES rules`,
      ),
    ];
  });
}

/**
 * Objects the stacks create, by construct path, and the PROVENANCE entry that records their images.
 * An object image no pattern attributes is a finding.
 */
export const OBJECT_IMAGES: readonly { readonly path: RegExp; readonly entry: string }[] = [
  // generated/fsx-csi-driver.ts: the driver's kustomization (upstream/aws-fsx-csi-driver) rendered into typed resources.
  { path: /^fsx\/fsx-csi-driver\//, entry: "aws-fsx-csi-driver" },
  // The one-off Job that opens the shared volume to the notebooks' group.
  { path: /^fsx\/notebook-volume\/permissions$/, entry: "busybox" },
];

/** The entry the Kubeflow install's images are recorded under (the release's). */
export const KUBEFLOW_IMAGES_ENTRY = "kubeflow";

/**
 * The images of the Kubeflow install: every image field, configuration value, argument and
 * environment variable of every object in the build that names one (conformance/object-images.ts).
 */
export function kubeflowImages(objects: readonly Values[], entry = KUBEFLOW_IMAGES_ENTRY): DeployedImage[] {
  return objectImages(objects, entry);
}

/** The images of the stacks: Helm releases (by their charts' rules) and the objects the stacks create. */
export function stackImages(
  stacks: readonly StackJson[],
  root: string = REPO_ROOT,
): { images: DeployedImage[]; findings: Finding[] } {
  const images: DeployedImage[] = [];
  const findings: Finding[] = [];
  for (const release of helmReleases(stacks)) {
    if (!release.repository) continue; // our local chart: its objects are read below
    const vendored = VENDORED_CHARTS.find((c) => c.repository === release.repository && c.chart === release.chart);
    const spec = CHART_IMAGES[release.chart];
    if (!vendored || !spec) continue; // the helm values check names unvendored charts
    const chart = readChart(vendored, root);
    const values = mergeValues(chart.values, release.values) as Values;
    findings.push(...subchartFindings(release, vendored, chart, values, root));
    for (const rule of spec.rules) {
      if (rule.when && !rule.when.holds(values)) continue;
      for (const reference of [rule.reference(values, chart)].flat())
        images.push({
          reference,
          entry: spec.entry,
          where: `${release.stack} ${release.path} (${release.chart} ${rule.file})`,
        });
    }
  }
  const { objects } = stackObjects(stacks, loadSchemas(root));
  for (const { where, object } of objects) {
    const constructPath = where.slice(where.indexOf(" ") + 1);
    const owner = OBJECT_IMAGES.find((o) => o.path.test(constructPath));
    // No COMPOSED_IMAGES rule applies to our own objects: a value Terraform computes is a problem.
    for (const image of objectImages([object], owner?.entry ?? "", [])) {
      const at = `${where} ${image.where.slice(image.where.indexOf(" ") + 1)}`;
      if (!owner)
        findings.push(
          finding(CHECK, at, `${image.reference}: no OBJECT_IMAGES pattern names the PROVENANCE entry it is from`),
        );
      images.push({ ...image, entry: owner?.entry, where: at });
    }
  }
  return { images, findings };
}

/**
 * Registries (and path prefixes) that serve builds which are not releases. Besides these, every
 * source (`src: true`) registry of a vendored promoter manifest is refused.
 */
export const STAGING_REGISTRIES: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  {
    // The image promoter's staging projects (kubernetes/k8s.io registry.k8s.io/manifests/*/promoter-manifest.yaml:
    // `src: true`), e.g. gcr.io/k8s-staging-<project> and us-central1-docker.pkg.dev/k8s-staging-images/<project>.
    pattern: /(^|\/)k8s-staging-/,
    why: "a Kubernetes image promoter staging project: images there are not releases, and are deleted after 90 days (kubernetes-sigs/jobset#1216)",
  },
  { pattern: /^staging-k8s\.gcr\.io\//, why: "the legacy Kubernetes staging registry" },
  {
    pattern: /^gcr\.io\/istio-testing\//,
    why: "Istio's development builds (releases are gcr.io/istio-release, docker.io/istio)",
  },
  { pattern: /^gcr\.io\/knative-nightly\//, why: "Knative's nightly builds (releases are gcr.io/knative-releases)" },
  { pattern: /^gcr\.io\/ml-pipeline-test\//, why: "Kubeflow Pipelines' test builds" },
  { pattern: /^(localhost|[^/]+\.local)(:\d+)?\//, why: "a local development registry" },
];

/** Tags that move: an image pinned to one is whatever was pushed last. */
const MOVING_TAGS = /^(latest|main|master|nightly|dev|edge|head)$/;
/** A digest, or a tag that does not move (no tag at all is "latest"). */
const namesRelease = (ref: ImageReference) =>
  ref.digest !== undefined || (ref.tag !== undefined && !MOVING_TAGS.test(ref.tag));

/** A vendored promoter manifest of kubernetes/k8s.io and the images it promotes. */
export interface PromotedImages {
  /** The registry.k8s.io path prefix its images are served under, e.g. "autoscaling". */
  readonly prefix: string;
  /** The staging registries it promotes from. */
  readonly sources: readonly string[];
  /** Image name -> digest -> tags, as its images.yaml lists them; undefined when that file is not vendored. */
  readonly images?: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /** Where it is vendored, for messages. */
  readonly file: string;
}

const K8S_IO = "kubernetes/k8s.io";
const PROMOTER_MANIFEST = /^registry\.k8s\.io\/manifests\/([^/]+)\/promoter-manifest\.yaml$/;
const PROD_IMAGES = /\/k8s-artifacts-prod\/images\/(.+)$/;

/**
 * The vendored promoter manifests of kubernetes/k8s.io (registry.k8s.io/manifests/<project>/promoter-manifest.yaml,
 * in PROVENANCE entries of that repository) and their image lists (its imagesPath, by default
 * ../../images/<project>/images.yaml, found among the same entries by its path in the repository).
 * registry.k8s.io serves k8s-artifacts-prod/images/<prefix>/<name> as registry.k8s.io/<prefix>/<name>.
 */
export function promotedImages(root: string = REPO_ROOT): PromotedImages[] {
  const byRepoPath = new Map<string, string>();
  for (const e of readProvenance(path.join(root, "upstream", "PROVENANCE.json"))) {
    if (e.repository !== K8S_IO) continue;
    for (const f of e.files) byRepoPath.set(f.path.slice(`upstream/${e.name}/`.length), f.path);
  }
  return [...byRepoPath].flatMap(([repoPath, local]) => {
    const project = PROMOTER_MANIFEST.exec(repoPath)?.[1];
    if (!project) return [];
    const manifest = parse(readFileSync(path.join(root, local), "utf8")) as {
      registries: { name: string; src?: boolean }[];
      imagesPath?: string;
    };
    const prefixes = new Set(
      manifest.registries.flatMap((r) => (r.src ? [] : [PROD_IMAGES.exec(r.name)?.[1]].filter(Boolean))),
    );
    if (prefixes.size !== 1) return [];
    const imagesRepoPath = path.posix.normalize(
      path.posix.join(path.posix.dirname(repoPath), manifest.imagesPath ?? `../../images/${project}/images.yaml`),
    );
    const imagesLocal = byRepoPath.get(imagesRepoPath);
    const images = imagesLocal
      ? new Map(
          (
            (parse(readFileSync(path.join(root, imagesLocal), "utf8")) as {
              name: string;
              dmap: Record<string, string[]>;
            }[]) ?? []
          ).map((i) => [i.name, new Map(Object.entries(i.dmap))] as const),
        )
      : undefined;
    return [
      {
        prefix: [...prefixes][0]!,
        sources: manifest.registries.filter((r) => r.src).map((r) => r.name),
        images,
        file: imagesLocal ?? local,
      },
    ];
  });
}

/**
 * registry.k8s.io images whose promotion no vendored manifest can show, because every snapshot of
 * kubernetes/k8s.io within reach predates the release: each with the evidence that it exists. The
 * check accepts one only while its tag is newer than every tag the vendored manifest lists for the
 * image (a tag the manifest skipped was never promoted) and reports it in `npm run conformance`.
 */
export const PROMOTION_NOT_VENDORED: Readonly<Record<string, string>> = {
  "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2":
    "kubernetes/autoscaler tags cluster-autoscaler-1.35.2 (2d42588, 2026-07-22); the newest kubernetes/k8s.io " +
    "images.yaml for k8s-staging-autoscaling within reach (fe84f3f) lists cluster-autoscaler up to v1.33.1",
};

/** Numeric parts of a version tag ("v1.35.2" -> [1, 35, 2]), for ordering. */
const versionParts = (tag: string) => (/^v?(\d+(?:\.\d+)*)/.exec(tag)?.[1] ?? "").split(".").map(Number);
const newer = (a: string, b: string) => {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};

export interface ImageCheckResult {
  readonly findings: Finding[];
  /** Accepted without a vendored manifest to prove it (PROMOTION_NOT_VENDORED), with the evidence. */
  readonly unproven: readonly { readonly reference: string; readonly evidence: string; readonly where: string }[];
}

/** Checks deployed images: references, registries, promotion, and (for `entries`) equality with PROVENANCE. */
export function checkDeployedImages(
  images: readonly DeployedImage[],
  options: {
    readonly entries?: readonly string[];
    readonly root?: string;
    readonly provenance?: readonly ProvenanceEntry[];
  } = {},
): ImageCheckResult {
  const root = options.root ?? REPO_ROOT;
  const findings: Finding[] = [];
  const unproven: { reference: string; evidence: string; where: string }[] = [];
  const promoted = promotedImages(root);
  const sources = promoted.flatMap((p) => p.sources);
  const deployed = new Map<string, Map<string, string>>(); // entry -> reference -> where
  for (const image of images) {
    const from = `${image.where}${image.entry ? ` (PROVENANCE entry "${image.entry}")` : ""}`;
    if (image.problem !== undefined) {
      findings.push(finding(CHECK, from, image.problem));
      continue;
    }
    let ref: ImageReference;
    try {
      ref = parseImageReference(image.reference);
    } catch (e) {
      findings.push(finding(CHECK, from, (e as ImageReferenceError).message));
      continue;
    }
    const full = formatImageReference(ref);
    const release = namesRelease(ref);
    // One that names no release is a finding below, and cannot be recorded (PROVENANCE needs a tag or digest).
    if (image.entry && release) {
      const byRef = deployed.get(image.entry) ?? new Map<string, string>();
      if (!byRef.has(full)) byRef.set(full, image.where);
      deployed.set(image.entry, byRef);
    }
    const name = `${ref.registry}/${ref.repository}`;
    const staging =
      STAGING_REGISTRIES.find((s) => s.pattern.test(full))?.why ??
      (sources.some((s) => name === s || name.startsWith(`${s}/`))
        ? "a promoter manifest's source (staging) registry"
        : undefined);
    if (staging) findings.push(finding(CHECK, from, `${image.reference} comes from ${staging}`));
    if (!release)
      findings.push(finding(CHECK, from, `${image.reference} names no release: pin a version tag or a digest`));
    if (ref.registry === "registry.k8s.io") {
      const promotion = checkPromotion(ref, promoted);
      if (promotion === "listed") continue;
      const evidence = PROMOTION_NOT_VENDORED[full];
      const newest = promotion.listedTags.reduce<string | undefined>(
        (n, t) => (n === undefined || newer(t, n) ? t : n),
        undefined,
      );
      if (
        evidence &&
        ref.tag !== undefined &&
        ref.digest === undefined &&
        (newest === undefined || newer(ref.tag, newest))
      ) {
        unproven.push({ reference: full, evidence, where: image.where });
        continue;
      }
      findings.push(finding(CHECK, from, `${image.reference}: ${promotion.why}`));
    }
  }
  const recorded = options.provenance ?? readProvenance(path.join(root, "upstream", "PROVENANCE.json"));
  for (const name of options.entries ?? []) {
    const entry = provenanceEntry(name, recorded);
    const want = new Set(entry.images.map((i) => formatImageReference(i)));
    const have = deployed.get(name) ?? new Map<string, string>();
    for (const [ref, where] of have) {
      if (!want.has(ref))
        findings.push(
          finding(
            CHECK,
            where,
            `runs ${ref}, which PROVENANCE entry "${name}" does not record (it records ${[...want].join(", ") || "none"}): ` +
              "if the change is intended, record it with `npm run conformance -- --record-images`",
          ),
        );
    }
    for (const ref of want) {
      if (!have.has(ref))
        findings.push(
          finding(CHECK, `upstream/PROVENANCE.json entry "${name}"`, `records ${ref}, which nothing deploys any more`),
        );
    }
  }
  return { findings, unproven };
}

type Promotion = "listed" | { readonly why: string; readonly listedTags: readonly string[] };

function checkPromotion(ref: ImageReference, promoted: readonly PromotedImages[]): Promotion {
  const project = promoted.find((p) => ref.repository.startsWith(`${p.prefix}/`));
  if (!project)
    return {
      why: `no vendored promoter manifest of kubernetes/k8s.io serves registry.k8s.io/${ref.repository.split("/")[0]}/`,
      listedTags: [],
    };
  const name = ref.repository.slice(project.prefix.length + 1);
  if (!project.images)
    return { why: `${project.file} is vendored without its images.yaml, so no promotion can be shown`, listedTags: [] };
  const dmap = project.images.get(name);
  if (!dmap) return { why: `${project.file} promotes no image named "${name}"`, listedTags: [] };
  const listedTags = [...dmap.values()].flat();
  if (ref.digest !== undefined) {
    const tags = dmap.get(ref.digest);
    if (!tags) return { why: `${project.file} lists no digest ${ref.digest} for "${name}"`, listedTags };
    if (ref.tag !== undefined && !tags.includes(ref.tag))
      return { why: `${project.file} lists ${ref.digest} as ${tags.join(", ")}, not ${ref.tag}`, listedTags };
    return "listed";
  }
  if (ref.tag !== undefined && listedTags.includes(ref.tag)) return "listed";
  return { why: `${project.file} lists no tag ${String(ref.tag)} for "${name}" (it is not promoted)`, listedTags };
}

/** The PROVENANCE entries whose images the stacks deploy. */
export function stackImageEntries(): string[] {
  return [...new Set([...Object.values(CHART_IMAGES).map((c) => c.entry), ...OBJECT_IMAGES.map((o) => o.entry)])];
}

/** Every entry's images as `deployed` runs them: sorted, fully qualified; an entry nothing runs from records none. */
export function imagesToRecord(
  deployed: readonly DeployedImage[],
  entries: readonly ProvenanceEntry[],
): Map<string, ImageReference[]> {
  const byEntry = new Map<string, Map<string, ImageReference>>(entries.map((e) => [e.name, new Map()]));
  for (const image of deployed) {
    if (!image.entry || image.problem !== undefined) continue;
    const ref = parseImageReference(image.reference);
    // The check refuses one that names no release; recording it would not make it one.
    if (namesRelease(ref)) byEntry.get(image.entry)?.set(formatImageReference(ref), ref);
  }
  return new Map([...byEntry].map(([name, refs]) => [name, [...refs.keys()].sort().map((k) => refs.get(k)!)] as const));
}

/** Entries that record images although nothing in `covered` runs from them. */
export function strayImageRecords(covered: readonly string[], root: string = REPO_ROOT): Finding[] {
  return readProvenance(path.join(root, "upstream", "PROVENANCE.json"))
    .filter((e) => !covered.includes(e.name) && e.images.length > 0)
    .map((e) =>
      finding(
        CHECK,
        `upstream/PROVENANCE.json entry "${e.name}"`,
        `records ${e.images.map((i) => formatImageReference(i)).join(", ")}, but this project runs no image from it`,
      ),
    );
}

/** The stacks' image checks, for runChecks. */
export function checkStackImages(stacks: readonly StackJson[], root: string = REPO_ROOT): Finding[] {
  const { images, findings } = stackImages(stacks, root);
  const entries = stackImageEntries();
  return [
    ...chartRuleFindings(root),
    ...findings,
    ...checkDeployedImages(images, { entries, root }).findings,
    ...strayImageRecords([...entries, KUBEFLOW_IMAGES_ENTRY], root),
  ];
}
