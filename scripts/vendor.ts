/**
 * npm run vendor -- <entry> [--tag <tag>] [--version <version>] [--source owner/name=<git dir>]...
 * npm run vendor -- --all [--source ...]      re-vendor every entry at its recorded tag
 * npm run vendor -- --check [--source ...]    compare upstream/ with the sources (when at hand)
 *
 * Copies what this project takes from an upstream repository (VENDORED below: chart values and
 * templates, CRDs, IAM policies, flag definitions, schemas) byte for byte from the repository at a
 * tag into upstream/<entry>/<path in the repository>, and records the tag, its commit, the sha256 of
 * every file and the images it names in upstream/PROVENANCE.json. Nothing in upstream/ is written
 * by hand. The Kubeflow render has its own step (`npm run generate -- kubeflow`).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, cpSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { parseImage } from "../lib/kubeflow-release";
import {
  PROVENANCE_FILE,
  readProvenance,
  REPO_ROOT,
  sha256,
  writeProvenanceEntry,
  type ProvenanceEntry,
  type ProvenanceImage,
} from "../lib/provenance";
import { commitOf, extractAt, gitDirFor, UpstreamGitError, type SourceOptions } from "./upstream-git";

/** Reads a vendored file by its path in the upstream repository. */
export type VendoredFile = (repoPath: string) => string;

export interface VendorSpec {
  /** The PROVENANCE entry, and the folder under upstream/. */
  readonly name: string;
  readonly repository: string;
  /** Files or folders in the repository, taken whole. */
  readonly paths: readonly string[];
  /** The tag of a version (for `--version` without `--tag`). */
  readonly tagOf: (version: string) => string;
  /** The version a tag stands for, from the tag or the vendored files. */
  readonly versionOf: (tag: string, file: VendoredFile) => string;
  /** The container images the artifact runs, from its vendored files. */
  readonly images?: (file: VendoredFile, version: string) => ProvenanceImage[];
}

const strip = (prefix: string) => (tag: string) => {
  if (!tag.startsWith(prefix)) throw new VendorError(`tag "${tag}" does not start with "${prefix}"`);
  return tag.slice(prefix.length);
};
const yamlOf = (file: VendoredFile, p: string) => parse(file(p)) as Record<string, unknown>;
const chartVersion = (chartYaml: string) => (file: VendoredFile) => String(yamlOf(file, chartYaml).version);
const chartAppVersion = (file: VendoredFile, chartYaml: string) => String(yamlOf(file, chartYaml).appVersion);

export class VendorError extends Error {}

/** Everything vendored, by entry. */
export const VENDORED: readonly VendorSpec[] = [
  {
    // The autoscaler itself: its flags, its AWS policy, its module versions (klog's flags).
    name: "cluster-autoscaler",
    repository: "kubernetes/autoscaler",
    paths: [
      "cluster-autoscaler/config/flags/flags.go",
      "cluster-autoscaler/cloudprovider/aws/README.md",
      "cluster-autoscaler/go.mod",
    ],
    tagOf: (v) => `cluster-autoscaler-${v}`,
    versionOf: strip("cluster-autoscaler-"),
    // The image the chart's repository names, at this release's tag (the chart entry proves the repository).
    images: (_file, version) => [{ repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: `v${version}` }],
  },
  {
    name: "cluster-autoscaler-chart",
    repository: "kubernetes/autoscaler",
    paths: [
      "cluster-autoscaler/charts/cluster-autoscaler/Chart.yaml",
      "cluster-autoscaler/charts/cluster-autoscaler/values.yaml",
      "cluster-autoscaler/charts/cluster-autoscaler/templates",
    ],
    tagOf: (v) => `cluster-autoscaler-chart-${v}`,
    versionOf: strip("cluster-autoscaler-chart-"),
  },
  {
    // klog registers the autoscaler's logging flags (logtostderr, v, ...); its version is in the autoscaler's go.mod.
    name: "klog",
    repository: "kubernetes/klog",
    paths: ["klog.go"],
    tagOf: (v) => `v${v}`,
    versionOf: strip("v"),
  },
  {
    name: "nvidia-device-plugin",
    repository: "NVIDIA/k8s-device-plugin",
    paths: [
      "deployments/helm/nvidia-device-plugin/Chart.yaml",
      "deployments/helm/nvidia-device-plugin/values.yaml",
      "deployments/helm/nvidia-device-plugin/templates",
    ],
    tagOf: (v) => `v${v}`,
    versionOf: strip("v"),
    images: (file) => {
      const values = yamlOf(file, "deployments/helm/nvidia-device-plugin/values.yaml") as {
        image: { repository: string; tag: string };
      };
      // "Overrides the image tag whose default is the chart appVersion" (values.yaml), with a "v".
      const tag = values.image.tag || `v${chartAppVersion(file, "deployments/helm/nvidia-device-plugin/Chart.yaml")}`;
      return [{ repository: values.image.repository, tag }];
    },
  },
  {
    name: "headlamp",
    repository: "kubernetes-sigs/headlamp",
    paths: [
      "charts/headlamp/Chart.yaml",
      "charts/headlamp/values.yaml",
      "charts/headlamp/values.schema.json",
      "charts/headlamp/templates",
    ],
    tagOf: (v) => `headlamp-helm-${v}`,
    versionOf: strip("headlamp-helm-"),
    images: (file) => {
      const values = yamlOf(file, "charts/headlamp/values.yaml") as {
        image: { registry: string; repository: string; tag: string };
      };
      // "If "" uses appVersion in Chart.yaml" (values.yaml); the chart's helper prefixes a "v".
      const tag = values.image.tag || `v${chartAppVersion(file, "charts/headlamp/Chart.yaml")}`;
      return [{ repository: `${values.image.registry}/${values.image.repository}`, tag }];
    },
  },
  {
    // The release itself: the CRDs its controller serves and the getting-started CloudFormation
    // (its IAM policies and interruption rules).
    name: "karpenter",
    repository: "aws/karpenter-provider-aws",
    paths: [
      "pkg/apis/crds/karpenter.sh_nodepools.yaml",
      "pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml",
      "website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml",
    ],
    tagOf: (v) => `v${v}`,
    versionOf: strip("v"),
  },
  {
    // The charts as published: Karpenter's release process sets the chart versions and the image
    // digest on the release branch after tagging, so the tag itself still carries the previous ones.
    name: "karpenter-chart",
    repository: "aws/karpenter-provider-aws",
    paths: [
      "charts/karpenter/Chart.yaml",
      "charts/karpenter/values.yaml",
      "charts/karpenter/templates",
      "charts/karpenter-crd/Chart.yaml",
      "charts/karpenter-crd/values.yaml",
      "charts/karpenter-crd/templates",
    ],
    tagOf: (v) => `release-v${v}`,
    versionOf: (_tag, file) => chartVersion("charts/karpenter/Chart.yaml")(file),
    images: (file) => {
      const values = yamlOf(file, "charts/karpenter/values.yaml") as {
        controller: { image: { repository: string; tag: string; digest?: string } };
      };
      const image = values.controller.image;
      return [{ repository: image.repository, tag: image.digest ? `${image.tag}@${image.digest}` : image.tag }];
    },
  },
  {
    name: "aws-load-balancer-controller",
    repository: "kubernetes-sigs/aws-load-balancer-controller",
    paths: ["docs/install/iam_policy.json"],
    tagOf: (v) => `v${v}`,
    versionOf: strip("v"),
    images: (_file, version) => [{ repository: "public.ecr.aws/eks/aws-load-balancer-controller", tag: `v${version}` }],
  },
  {
    // The chart as users install it, from https://aws.github.io/eks-charts (tags are the repository's, not the chart's).
    name: "aws-load-balancer-controller-chart",
    repository: "aws/eks-charts",
    paths: [
      "stable/aws-load-balancer-controller/Chart.yaml",
      "stable/aws-load-balancer-controller/values.yaml",
      "stable/aws-load-balancer-controller/templates",
    ],
    tagOf: () => {
      throw new VendorError("aws/eks-charts tags are not chart versions: pass --tag v0.0.N");
    },
    versionOf: (_tag, file) => chartVersion("stable/aws-load-balancer-controller/Chart.yaml")(file),
    images: (file) => {
      const values = yamlOf(file, "stable/aws-load-balancer-controller/values.yaml") as {
        image: { repository: string; tag: string };
      };
      return [{ repository: values.image.repository, tag: values.image.tag }];
    },
  },
  {
    name: "aws-fsx-csi-driver",
    repository: "kubernetes-sigs/aws-fsx-csi-driver",
    paths: ["deploy/kubernetes/base", "docs/install.md"],
    tagOf: (v) => `v${v}`,
    versionOf: strip("v"),
    images: (file) => {
      const found = new Set<string>();
      for (const f of ["controller-deployment.yaml", "node-daemonset.yaml"]) {
        for (const m of file(`deploy/kubernetes/base/${f}`).matchAll(/^\s*image:\s*(\S+)\s*$/gm)) found.add(m[1]);
      }
      return [...found].sort().map(parseImage);
    },
  },
  {
    // Kubernetes' OpenAPI (v2) for a release, as the official Python client vendors it from kubernetes/kubernetes.
    name: "kubernetes-openapi",
    repository: "kubernetes-client/python",
    paths: ["kubernetes/swagger.json.unprocessed", "scripts/constants.py"],
    tagOf: () => {
      throw new VendorError(
        "kubernetes-client/python tags are client versions (v35.0.0 for Kubernetes 1.35): pass --tag",
      );
    },
    versionOf: (_tag, file) => {
      const branch = /^KUBERNETES_BRANCH = "release-(\d+\.\d+)"$/m.exec(file("scripts/constants.py"));
      if (!branch) throw new VendorError("scripts/constants.py names no KUBERNETES_BRANCH");
      return branch[1];
    },
  },
  {
    // The Terraform AWS provider's resource schemas and update functions at the pinned release, for
    // the ForceNew facts of the day-2 check (conformance/provider-facts.ts). hashicorp/terraform-
    // provider-aws is too large to take whole; this index checks the provider out at the same tag
    // and copies each Go function verbatim into its own file (its .github/workflows: actions/checkout
    // of hashicorp/terraform-provider-aws at ref <version>, then gophon -pkg=internal).
    name: "terraform-provider-aws",
    repository: "lonegunmanb/terraform-provider-aws-index",
    paths: [
      "index/internal/service/eks/func.resourceCluster.goindex",
      "index/internal/service/eks/func.resourceClusterUpdate.goindex",
      "index/internal/service/eks/func.resourceNodeGroup.goindex",
      "index/internal/service/eks/func.resourceNodeGroupUpdate.goindex",
      "index/internal/service/ec2/func.resourceVPC.goindex",
      "index/internal/service/ec2/func.resourceSubnet.goindex",
      "index/internal/service/fsx/func.resourceLustreFileSystem.goindex",
      "index/internal/service/fsx/func.resourceLustreFileSystemUpdate.goindex",
      "index/internal/service/fsx/func.resourceLustreFileSystemStorageCapacityCustomizeDiff.goindex",
      "index/internal/service/cognitoidp/func.resourceUserPool.goindex",
      "index/internal/service/cognitoidp/func.resourceUserPoolUpdate.goindex",
      "index/internal/service/cognitoidp/func.resourceUserPoolDomain.goindex",
      "index/internal/service/s3/func.resourceBucket.goindex",
      "index/internal/service/kms/func.resourceKey.goindex",
      "index/internal/service/acm/func.resourceCertificate.goindex",
      "index/internal/service/ec2/func.resourceLaunchTemplate.goindex",
      "index/internal/service/ec2/func.resourceLaunchTemplateUpdate.goindex",
      "index/internal/service/ec2/func.resourceSecurityGroup.goindex",
      "index/internal/service/iam/func.resourceRole.goindex",
    ],
    tagOf: (v) => `v${v}`,
    versionOf: strip("v"),
  },
  {
    // The image the fsx stack's permissions Job runs: an official Docker image, mirrored on ECR Public.
    name: "busybox",
    repository: "docker-library/official-images",
    paths: ["library/busybox"],
    tagOf: () => "master",
    versionOf: () => {
      throw new VendorError("pass --version: the busybox release to pin, one of the Tags in library/busybox");
    },
    images: (file, version) => {
      const tags = file("library/busybox")
        .split("\n")
        .filter((l) => l.startsWith("Tags:"))
        .flatMap((l) =>
          l
            .slice(5)
            .split(",")
            .map((t) => t.trim()),
        );
      if (!tags.includes(version)) throw new VendorError(`library/busybox has no tag ${version}`);
      return [{ repository: "public.ecr.aws/docker/library/busybox", tag: version }];
    },
  },
];

export function vendorSpec(name: string): VendorSpec {
  const spec = VENDORED.find((s) => s.name === name);
  if (!spec) throw new VendorError(`no vendored entry "${name}"; known: ${VENDORED.map((s) => s.name).join(", ")}`);
  return spec;
}

/** The folder an entry's files live in. */
export function vendorDir(name: string, root: string = REPO_ROOT): string {
  return path.join(root, "upstream", name);
}

function filesUnder(dir: string, base: string = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((f) => {
      const full = path.join(dir, f);
      return statSync(full).isDirectory() ? filesUnder(full, base) : [path.relative(base, full)];
    })
    .map((f) => f.split(path.sep).join("/"))
    .sort();
}

export interface VendorOptions extends SourceOptions {
  /** @default the project root */
  readonly root?: string;
  /** Refuse the tag unless it is this commit (re-vendoring a recorded pin). */
  readonly expectCommit?: string;
}

/** Takes an entry's files at `tag` into a scratch folder and returns the entry it would record. */
export function takeFromUpstream(
  spec: VendorSpec,
  tag: string,
  version: string | undefined,
  options: VendorOptions,
): { entry: ProvenanceEntry; scratch: string } {
  const gitDir = gitDirFor(spec.repository, tag, options);
  if (!gitDir)
    throw new VendorError(`no source for ${spec.repository} ${tag}: pass --source ${spec.repository}=<git dir>`);
  const commit = commitOf(gitDir, spec.repository, tag);
  if (options.expectCommit && commit !== options.expectCommit) {
    throw new VendorError(
      `${spec.repository} ${tag} is commit ${commit}, but upstream/PROVENANCE.json records ${options.expectCommit} ` +
        `(entry "${spec.name}"): the tag moved; check upstream, then vendor it on purpose with --tag ${tag}`,
    );
  }
  const scratch = mkdtempSync(path.join(tmpdir(), `vendor-${spec.name}-`));
  extractAt({ ...spec, tag, commit }, gitDir, scratch, spec.paths);
  for (const p of spec.paths) {
    if (!existsSync(path.join(scratch, p))) throw new VendorError(`${spec.repository} ${tag} has no ${p}`);
  }
  const file: VendoredFile = (p) => readFileSync(path.join(scratch, p), "utf8");
  const resolved = version ?? spec.versionOf(tag, file);
  const dir = path
    .relative(options.root ?? REPO_ROOT, vendorDir(spec.name, options.root))
    .split(path.sep)
    .join("/");
  const entry: ProvenanceEntry = {
    name: spec.name,
    version: resolved,
    repository: spec.repository,
    tag,
    commit,
    files: filesUnder(scratch).map((f) => ({
      path: `${dir}/${f}`,
      sha256: sha256(readFileSync(path.join(scratch, f))),
    })),
    images: spec.images?.(file, resolved) ?? [],
  };
  return { entry, scratch };
}

/** Vendors an entry at a tag: replaces upstream/<name>/ and its PROVENANCE entry. */
export function vendor(
  spec: VendorSpec,
  tag: string,
  version: string | undefined,
  options: VendorOptions = {},
): ProvenanceEntry {
  const { entry, scratch } = takeFromUpstream(spec, tag, version, options);
  try {
    const dir = vendorDir(spec.name, options.root);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(scratch, dir, { recursive: true });
    writeProvenanceEntry(entry, path.join(options.root ?? REPO_ROOT, "upstream", "PROVENANCE.json"));
    return entry;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Differences between upstream/<name>/ and the entry's source at its recorded tag and commit
 * (undefined when the source is not at hand): a file changed, missing or extra, or a recorded
 * field (version, images, sums) that the source no longer gives.
 */
export function compareWithSource(
  spec: VendorSpec,
  recorded: ProvenanceEntry,
  options: VendorOptions,
): string[] | undefined {
  if (!gitDirFor(spec.repository, recorded.tag, { ...options, clone: false })) return undefined;
  const { entry, scratch } = takeFromUpstream(spec, recorded.tag, recorded.version, { ...options, clone: false });
  try {
    const problems: string[] = [];
    if (entry.commit !== recorded.commit)
      problems.push(`${spec.name}: ${recorded.tag} is now ${entry.commit}, recorded ${recorded.commit}`);
    if (JSON.stringify(entry.images) !== JSON.stringify(recorded.images))
      problems.push(
        `${spec.name}: images ${JSON.stringify(entry.images)}, recorded ${JSON.stringify(recorded.images)}`,
      );
    const root = options.root ?? REPO_ROOT;
    const fresh = new Map(entry.files.map((f) => [f.path, f.sha256]));
    const onDisk = filesUnder(vendorDir(spec.name, root)).map(
      (f) => `${path.relative(root, vendorDir(spec.name, root))}/${f}`,
    );
    for (const [p, sum] of fresh) {
      if (!existsSync(path.join(root, p))) problems.push(`${p} is missing`);
      else if (sha256(readFileSync(path.join(root, p))) !== sum)
        problems.push(`${p} differs from ${spec.repository} ${recorded.tag}`);
    }
    for (const p of onDisk) if (!fresh.has(p)) problems.push(`${p} is not in ${spec.repository} ${recorded.tag}`);
    return problems;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function main(argv: readonly string[]): void {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const sources: Record<string, string> = {};
  argv.forEach((a, i) => {
    if (a !== "--source") return;
    const value = argv[i + 1] ?? "";
    const eq = value.indexOf("=");
    if (eq <= 0) throw new VendorError(`--source takes owner/name=<git dir>, got "${value}"`);
    sources[value.slice(0, eq)] = path.resolve(value.slice(eq + 1));
  });
  const options: VendorOptions = { sources, log };
  const recorded = () => readProvenance(PROVENANCE_FILE);
  if (argv.includes("--check")) {
    const problems: string[] = [];
    for (const spec of VENDORED) {
      const entry = recorded().find((e) => e.name === spec.name);
      if (!entry) {
        problems.push(`${spec.name} is not vendored: npm run vendor -- ${spec.name} --tag <tag>`);
        continue;
      }
      const found = compareWithSource(spec, entry, options);
      if (found === undefined)
        log(`${spec.name}: source not at hand, not compared (pass --source ${spec.repository}=<git dir>)`);
      else problems.push(...found);
    }
    if (problems.length > 0) {
      log(`upstream/ does not match its sources:\n  ${problems.join("\n  ")}`);
      process.exit(1);
    }
    log("upstream/ matches every source at hand");
    return;
  }
  const all = argv.includes("--all");
  const names = all
    ? VENDORED.map((s) => s.name)
    : argv.filter((a, i) => !a.startsWith("--") && !argv[i - 1]?.startsWith("--"));
  if (names.length === 0)
    throw new VendorError("usage: npm run vendor -- <entry> [--tag <tag>] [--version <v>] | --all | --check");
  for (const name of names) {
    const spec = vendorSpec(name);
    const previous = recorded().find((e) => e.name === name);
    const [tagArg, versionArg] = all ? [undefined, undefined] : [option(argv, "--tag"), option(argv, "--version")];
    // A new tag, a new version (whose tag follows from it), or the recorded pin again.
    const tag = tagArg ?? (versionArg ? spec.tagOf(versionArg) : previous?.tag);
    if (!tag) throw new VendorError(`${name} is not vendored yet: pass --tag <tag> (or --version <version>)`);
    const again = !tagArg && !versionArg;
    const version = versionArg ?? (tagArg ? undefined : previous?.version);
    const entry = vendor(spec, tag, version, { ...options, expectCommit: again ? previous?.commit : undefined });
    log(
      `${name}: ${entry.repository} ${entry.tag} (${entry.commit.slice(0, 12)}), version ${entry.version}, ${entry.files.length} files`,
    );
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    const known = err instanceof VendorError || err instanceof UpstreamGitError;
    process.stderr.write(`${known ? (err as Error).message : String(err)}\n`);
    process.exit(1);
  }
}
