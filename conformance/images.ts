/**
 * Every container image this project runs, as the cluster will pull it, and where it comes from:
 *
 * - each Helm release's image, built the way the chart's own template builds it, from the chart's
 *   values.yaml and Chart.yaml merged with our values (CHART_IMAGES: the template text is checked
 *   to still be in the vendored chart, and every image the chart's templates can render is covered);
 * - the containers of every Kubernetes object a stack creates (typed resources, manifests, and the
 *   objects of our local chart), attributed to a PROVENANCE entry by construct path (OBJECT_IMAGES);
 * - the containers of the Kubeflow install (the committed render built with our overlay): the
 *   caller passes those objects in (the install's build is expensive; its test builds it once).
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

const CHECK = "images";

/** An image something we apply runs. */
export interface DeployedImage {
  /** As written in what we apply. */
  readonly reference: string;
  /** The PROVENANCE entry that records it, if known. */
  readonly entry?: string;
  /** Where: "<stack> <construct path> ..." or "<Kind>/<namespace>/<name> container <name>". */
  readonly where: string;
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
  /** When the template renders it: the guard's text in the file, and its value for the merged values. */
  readonly when?: { readonly text: string; readonly holds: (values: Values) => boolean };
  readonly reference: (values: Values, chart: ChartFiles) => string;
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
        // Image volumes of the cluster inventory's plugins: rendered only for plugins listed in values.
        file: "templates/deployment.yaml",
        text: "reference: {{ $plugin.image | quote }}",
        when: {
          text: "{{- range $plugin := ($clusterInventory.plugins | default list) }}",
          holds: (v) => ((at(v, "clusterInventory.plugins") as unknown[] | undefined) ?? []).length > 0,
        },
        reference: () => {
          throw new Error("headlamp: cluster inventory plugins are not supported by this check");
        },
      },
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

/** Lines of a chart's templates that put an image reference into an object. */
const IMAGE_LINE = /(?:^|\s|-\s)image:\s*\S|reference:\s*\{\{[^}]*image/;

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
      if (rule.when && !text(rule.file).includes(rule.when.text))
        findings.push(finding(CHECK, `${where}/${rule.file}`, `no longer guards ${rule.text} with: ${rule.when.text}`));
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

const WORKLOAD_TEMPLATES: Readonly<Record<string, (spec: Values) => unknown>> = {
  Deployment: (s) => at(s, "template.spec"),
  StatefulSet: (s) => at(s, "template.spec"),
  DaemonSet: (s) => at(s, "template.spec"),
  ReplicaSet: (s) => at(s, "template.spec"),
  Job: (s) => at(s, "template.spec"),
  CronJob: (s) => at(s, "jobTemplate.spec.template.spec"),
  Pod: (s) => s,
};

/** The containers (init, regular, ephemeral) of an object's pod spec, if it has one. */
export function containersOf(object: Values): { name: string; image: string }[] {
  const podSpec = WORKLOAD_TEMPLATES[String(object.kind)]?.((object.spec as Values | undefined) ?? {});
  if (!isMap(podSpec)) return [];
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((k) =>
    ((podSpec[k] as { name?: string; image?: string }[] | undefined) ?? []).map((c) => ({
      name: String(c.name),
      image: String(c.image),
    })),
  );
}

const objectName = (o: Values) => {
  const m = (o.metadata as { name?: string; namespace?: string } | undefined) ?? {};
  return `${String(o.kind)}/${m.namespace ?? ""}/${String(m.name)}`;
};

/** The entry the Kubeflow install's images are recorded under (the release's). */
export const KUBEFLOW_IMAGES_ENTRY = "kubeflow";

/** The images of the Kubeflow install: every container of every workload in the build. */
export function kubeflowImages(objects: readonly Values[], entry = KUBEFLOW_IMAGES_ENTRY): DeployedImage[] {
  return objects.flatMap((o) =>
    containersOf(o).map((c) => ({ reference: c.image, entry, where: `${objectName(o)} container ${c.name}` })),
  );
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
    for (const rule of spec.rules) {
      if (rule.when && !rule.when.holds(values)) continue;
      images.push({
        reference: rule.reference(values, chart),
        entry: spec.entry,
        where: `${release.stack} ${release.path} (${release.chart} ${rule.file})`,
      });
    }
  }
  const { objects } = stackObjects(stacks, loadSchemas(root));
  for (const { where, object } of objects) {
    const constructPath = where.slice(where.indexOf(" ") + 1);
    for (const c of containersOf(object)) {
      const owner = OBJECT_IMAGES.find((o) => o.path.test(constructPath));
      const container = `${where} container ${c.name}`;
      if (!owner)
        findings.push(
          finding(CHECK, container, `${c.image}: no OBJECT_IMAGES pattern names the PROVENANCE entry it is from`),
        );
      images.push({ reference: c.image, entry: owner?.entry, where: container });
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
    let ref: ImageReference;
    try {
      ref = parseImageReference(image.reference);
    } catch (e) {
      findings.push(finding(CHECK, from, (e as ImageReferenceError).message));
      continue;
    }
    const full = formatImageReference(ref);
    if (image.entry) {
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
    if (ref.digest === undefined && (ref.tag === undefined || MOVING_TAGS.test(ref.tag)))
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
    if (!image.entry) continue;
    const ref = parseImageReference(image.reference);
    byEntry.get(image.entry)?.set(formatImageReference(ref), ref);
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
