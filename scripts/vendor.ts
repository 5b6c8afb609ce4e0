/**
 * npm run vendor -- <entry> [--ref <ref>] [--version <version>] [--source owner/name=<git dir>]...
 * npm run vendor -- --all [--source ...]      re-vendor every entry at its recorded pin
 * npm run vendor -- --check [--source ...]    compare upstream/ with the sources (when at hand)
 *
 * Copies what this project takes from an upstream repository (VENDORED below: chart values and
 * templates, CRDs, IAM policies, flag definitions, schemas) byte for byte from the repository at a
 * ref into upstream/<entry>/<path in the repository>, and records the ref, its kind (tag or
 * branch), the commit and the sha256 of every file in upstream/PROVENANCE.json (the images an entry
 * records are what this project runs from it, recorded by `npm run conformance -- --record-images`).
 * Each entry's ref kind is fixed below and checked against the source. Re-taking a recorded pin
 * reads a tag (refused when it names another commit now) or a branch pin's recorded commit (never
 * the branch, which has moved on); `--ref` or `--version` takes a new pin, a branch at its current
 * commit. Nothing in upstream/ is written by hand. The Kubeflow render has its own step (`npm run
 * generate -- kubeflow`).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, cpSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import {
  PROVENANCE_FILE,
  readProvenance,
  REPO_ROOT,
  sha256,
  writeProvenanceEntry,
  type ProvenanceEntry,
  type ProvenanceImage,
  type RefKind,
} from "../lib/provenance";
import { extractAt, gitDirFor, resolvePin, UpstreamGitError, type PinToRead, type SourceOptions } from "./upstream-git";

/** Reads a vendored file by its path in the upstream repository. */
export type VendoredFile = (repoPath: string) => string;

export interface VendorSpec {
  /** The PROVENANCE entry, and the folder under upstream/. */
  readonly name: string;
  readonly repository: string;
  /** Files or folders in the repository, taken whole. */
  readonly paths: readonly string[];
  /** Whether the entry is taken at a tag or at a branch (checked against the source when a pin is taken). */
  readonly refKind: RefKind;
  /** The ref of a version (for `--version` without `--ref`). */
  readonly refOf: (version: string) => string;
  /** The version a ref stands for, from the ref or the vendored files. */
  readonly versionOf: (ref: string, file: VendoredFile) => string;
  /** Refuses a pin the vendored files show to be wrong (throws a VendorError). */
  readonly check?: (file: VendoredFile, version: string) => void;
}

const strip = (prefix: string) => (ref: string) => {
  if (!ref.startsWith(prefix)) throw new VendorError(`ref "${ref}" does not start with "${prefix}"`);
  return ref.slice(prefix.length);
};
const yamlOf = (file: VendoredFile, p: string) => parse(file(p)) as Record<string, unknown>;
const chartVersion = (chartYaml: string) => (file: VendoredFile) => String(yamlOf(file, chartYaml).version);

export class VendorError extends Error {}

/** The images an entry records now (kept when it is vendored again). */
function recordedImages(name: string, root: string = REPO_ROOT): ProvenanceImage[] {
  const file = path.join(root, "upstream", "PROVENANCE.json");
  return existsSync(file) ? [...(readProvenance(file).find((e) => e.name === name)?.images ?? [])] : [];
}

/** Everything vendored, by entry. */
export const VENDORED: readonly VendorSpec[] = [
  {
    // The autoscaler itself: its AWS policy, its module versions (of klog, component-base and
    // cloud-provider-gcp), and every file of its own that registers a command-line flag or leads to
    // a registration elsewhere (conformance/autoscaler-flags.ts says how that set was found):
    // main.go (which registration sites run), config/flags/flags.go (its own flags), config/const.go
    // (flag names defined as constants there), and the imports that link the GCE provider, whose
    // dependency registers two flags (builder_all.go, gce/gce_manager.go).
    name: "cluster-autoscaler",
    repository: "kubernetes/autoscaler",
    paths: [
      "cluster-autoscaler/main.go",
      "cluster-autoscaler/config/flags/flags.go",
      "cluster-autoscaler/config/const.go",
      "cluster-autoscaler/cloudprovider/builder/builder_all.go",
      "cluster-autoscaler/cloudprovider/gce/gce_manager.go",
      "cluster-autoscaler/cloudprovider/aws/README.md",
      "cluster-autoscaler/go.mod",
    ],
    refKind: "tag",
    refOf: (v) => `cluster-autoscaler-${v}`,
    versionOf: strip("cluster-autoscaler-"),
  },
  {
    name: "cluster-autoscaler-chart",
    repository: "kubernetes/autoscaler",
    paths: [
      "cluster-autoscaler/charts/cluster-autoscaler/Chart.yaml",
      "cluster-autoscaler/charts/cluster-autoscaler/values.yaml",
      "cluster-autoscaler/charts/cluster-autoscaler/templates",
    ],
    refKind: "tag",
    refOf: (v) => `cluster-autoscaler-chart-${v}`,
    versionOf: strip("cluster-autoscaler-chart-"),
  },
  {
    // klog registers the autoscaler's logging flags (logtostderr, v, ...); its version is in the autoscaler's go.mod.
    name: "klog",
    repository: "kubernetes/klog",
    paths: ["klog.go"],
    refKind: "tag",
    refOf: (v) => `v${v}`,
    versionOf: strip("v"),
  },
  {
    // The component-base functions the autoscaler's main.go calls to register flags (leader election,
    // logging, feature gates) and to merge Go's flag set into pflag's; its version is in the autoscaler's go.mod.
    name: "component-base",
    repository: "kubernetes/component-base",
    paths: [
      "cli/flag/flags.go",
      "config/options/leaderelectionconfig.go",
      "featuregate/feature_gate.go",
      "logs/api/v1/options.go",
      "logs/api/v1/types.go",
      "logs/json/register/register.go",
    ],
    refKind: "tag",
    refOf: (v) => `v${v}`,
    versionOf: strip("v"),
  },
  {
    // The GCE provider library the autoscaler's (default-built) GCE provider imports: its init()
    // registers two flags on Go's command line. Its version is in the autoscaler's go.mod.
    name: "cloud-provider-gcp",
    repository: "kubernetes/cloud-provider-gcp",
    paths: ["providers/gce/gce_loadbalancer.go"],
    refKind: "tag",
    refOf: (v) => `providers/v${v}`,
    versionOf: strip("providers/v"),
  },
  {
    name: "nvidia-device-plugin",
    repository: "NVIDIA/k8s-device-plugin",
    paths: [
      "deployments/helm/nvidia-device-plugin/Chart.yaml",
      "deployments/helm/nvidia-device-plugin/values.yaml",
      "deployments/helm/nvidia-device-plugin/templates",
    ],
    refKind: "tag",
    refOf: (v) => `v${v}`,
    versionOf: strip("v"),
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
    refKind: "tag",
    refOf: (v) => `headlamp-helm-${v}`,
    versionOf: strip("headlamp-helm-"),
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
    refKind: "tag",
    refOf: (v) => `v${v}`,
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
    // release-v1.14.1 is a branch of aws/karpenter-provider-aws, not a tag (refs/heads/ in the repository).
    refKind: "branch",
    refOf: (v) => `release-v${v}`,
    versionOf: (_ref, file) => chartVersion("charts/karpenter/Chart.yaml")(file),
  },
  {
    name: "aws-load-balancer-controller",
    repository: "kubernetes-sigs/aws-load-balancer-controller",
    paths: ["docs/install/iam_policy.json"],
    refKind: "tag",
    refOf: (v) => `v${v}`,
    versionOf: strip("v"),
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
    refKind: "tag",
    refOf: () => {
      throw new VendorError("aws/eks-charts tags are not chart versions: pass --ref v0.0.N");
    },
    versionOf: (_ref, file) => chartVersion("stable/aws-load-balancer-controller/Chart.yaml")(file),
  },
  {
    name: "aws-fsx-csi-driver",
    repository: "kubernetes-sigs/aws-fsx-csi-driver",
    paths: ["deploy/kubernetes/base", "docs/install.md"],
    refKind: "tag",
    refOf: (v) => `v${v}`,
    versionOf: strip("v"),
  },
  {
    // Kubernetes' OpenAPI (v2) for a release, as the official Python client vendors it from kubernetes/kubernetes.
    name: "kubernetes-openapi",
    repository: "kubernetes-client/python",
    paths: ["kubernetes/swagger.json.unprocessed", "scripts/constants.py"],
    refKind: "tag",
    refOf: () => {
      throw new VendorError(
        "kubernetes-client/python tags are client versions (v35.0.0 for Kubernetes 1.35): pass --ref",
      );
    },
    versionOf: (_ref, file) => {
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
    refKind: "tag",
    refOf: (v) => `v${v}`,
    versionOf: strip("v"),
  },
  // kubernetes/k8s.io's image promoter records, which say what registry.k8s.io serves: a project's
  // promoter manifest (its staging source and the production registries, whose path under
  // k8s-artifacts-prod/images/ is the path under registry.k8s.io) and its images.yaml (each image's
  // digests and their tags). The repository has no releases: each file is pinned at a commit (the
  // newest snapshot within reach when it was taken). conformance/images.ts checks every
  // registry.k8s.io image we run against them.
  ...(
    [
      ["autoscaling", "promoter", "manifests/k8s-staging-autoscaling/promoter-manifest.yaml"],
      ["autoscaling", "images", "images/k8s-staging-autoscaling/images.yaml"],
      ["jobset", "promoter", "manifests/k8s-staging-jobset/promoter-manifest.yaml"],
      ["jobset", "images", "images/k8s-staging-jobset/images.yaml"],
    ] as const
  ).map(([project, what, file]): VendorSpec => ({
    name: `k8s-io-${project}-${what}`,
    repository: "kubernetes/k8s.io",
    paths: [`registry.k8s.io/${file}`],
    refKind: "commit",
    refOf: () => {
      throw new VendorError("kubernetes/k8s.io has no releases: pass --ref <commit>");
    },
    versionOf: (ref) => ref.slice(0, 12),
  })),
  {
    // The image the fsx stack's permissions Job runs: an official Docker image, mirrored on ECR Public.
    name: "busybox",
    repository: "docker-library/official-images",
    paths: ["library/busybox"],
    // The library file lives on the default branch; a release is pinned by the commit that listed it.
    refKind: "branch",
    refOf: () => "master",
    versionOf: () => {
      throw new VendorError("pass --version: the busybox release to pin, one of the Tags in library/busybox");
    },
    check: (file, version) => {
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
}

/**
 * The ref to take an entry at and, when re-taking a recorded pin, its recorded commit: a tag is
 * refused unless it still names that commit; a branch pin is read at that commit.
 */
export interface VendorPin {
  readonly ref: string;
  readonly commit?: string;
}

/** Takes an entry's files at a pin into a scratch folder and returns the entry it would record. */
export function takeFromUpstream(
  spec: VendorSpec,
  pin: VendorPin,
  version: string | undefined,
  options: VendorOptions,
): { entry: ProvenanceEntry; scratch: string } {
  const toRead: PinToRead = { repository: spec.repository, ref: pin.ref, refKind: spec.refKind, name: spec.name };
  const source =
    spec.refKind === "branch"
      ? { ...toRead, commit: pin.commit }
      : spec.refKind === "commit"
        ? { ...toRead, commit: pin.ref }
        : toRead;
  const gitDir = gitDirFor(source, options);
  if (!gitDir)
    throw new VendorError(
      `no source for ${spec.repository} ${spec.refKind} ${pin.ref}: pass --source ${spec.repository}=<git dir>`,
    );
  const commit = resolvePin(gitDir, source);
  if (spec.refKind === "tag" && pin.commit && commit !== pin.commit) {
    throw new VendorError(
      `${spec.repository} ${pin.ref} is commit ${commit}, but upstream/PROVENANCE.json records ${pin.commit} ` +
        `(entry "${spec.name}"): the tag moved; check upstream, then vendor it on purpose with --ref ${pin.ref}`,
    );
  }
  const scratch = mkdtempSync(path.join(tmpdir(), `vendor-${spec.name}-`));
  extractAt({ ...source, commit }, gitDir, scratch, spec.paths);
  for (const p of spec.paths) {
    if (!existsSync(path.join(scratch, p))) throw new VendorError(`${spec.repository} ${pin.ref} has no ${p}`);
  }
  const file: VendoredFile = (p) => readFileSync(path.join(scratch, p), "utf8");
  const resolved = version ?? spec.versionOf(pin.ref, file);
  spec.check?.(file, resolved);
  const dir = path
    .relative(options.root ?? REPO_ROOT, vendorDir(spec.name, options.root))
    .split(path.sep)
    .join("/");
  const entry: ProvenanceEntry = {
    name: spec.name,
    version: resolved,
    repository: spec.repository,
    ref: pin.ref,
    refKind: spec.refKind,
    commit,
    files: filesUnder(scratch).map((f) => ({
      path: `${dir}/${f}`,
      sha256: sha256(readFileSync(path.join(scratch, f))),
    })),
    // What the project runs from the entry is recorded by `npm run conformance -- --record-images`
    // from what it applies, not from upstream's defaults: vendoring keeps the record.
    images: recordedImages(spec.name, options.root),
  };
  return { entry, scratch };
}

/** Vendors an entry at a pin: replaces upstream/<name>/ and its PROVENANCE entry. */
export function vendor(
  spec: VendorSpec,
  pin: VendorPin,
  version: string | undefined,
  options: VendorOptions = {},
): ProvenanceEntry {
  const { entry, scratch } = takeFromUpstream(spec, pin, version, options);
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
 * Differences between upstream/<name>/ and the entry's source at its recorded pin (undefined when
 * the source is not at hand): a file changed, missing or extra, a tag that names another commit
 * now, a ref kind other than the entry's, or a recorded field (version, sums) that the
 * source no longer gives. A branch pin is compared at its recorded commit.
 */
export function compareWithSource(
  spec: VendorSpec,
  recorded: ProvenanceEntry,
  options: VendorOptions,
): string[] | undefined {
  if (recorded.refKind !== spec.refKind)
    return [
      `${spec.name}: recorded as a ${recorded.refKind}, but ${spec.repository} ${recorded.ref} is taken as a ${spec.refKind}`,
    ];
  if (!gitDirFor(recorded, { ...options, clone: false })) return undefined;
  // A tag is taken as it is now and compared; a branch pin only ever at its recorded commit.
  const pin = { ref: recorded.ref, commit: spec.refKind === "tag" ? undefined : recorded.commit };
  const { entry, scratch } = takeFromUpstream(spec, pin, recorded.version, { ...options, clone: false });
  try {
    const problems: string[] = [];
    if (entry.commit !== recorded.commit)
      problems.push(`${spec.name}: ${recorded.ref} is now ${entry.commit}, recorded ${recorded.commit}`);
    const root = options.root ?? REPO_ROOT;
    const fresh = new Map(entry.files.map((f) => [f.path, f.sha256]));
    const onDisk = filesUnder(vendorDir(spec.name, root)).map(
      (f) => `${path.relative(root, vendorDir(spec.name, root))}/${f}`,
    );
    for (const [p, sum] of fresh) {
      if (!existsSync(path.join(root, p))) problems.push(`${p} is missing`);
      else if (sha256(readFileSync(path.join(root, p))) !== sum)
        problems.push(`${p} differs from ${spec.repository} ${recorded.ref} (${recorded.commit.slice(0, 12)})`);
    }
    for (const p of onDisk)
      if (!fresh.has(p))
        problems.push(`${p} is not in ${spec.repository} ${recorded.ref} (${recorded.commit.slice(0, 12)})`);
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
        problems.push(`${spec.name} is not vendored: npm run vendor -- ${spec.name} --ref <ref>`);
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
    throw new VendorError("usage: npm run vendor -- <entry> [--ref <ref>] [--version <v>] | --all | --check");
  for (const name of names) {
    const spec = vendorSpec(name);
    const previous = recorded().find((e) => e.name === name);
    const [refArg, versionArg] = all ? [undefined, undefined] : [option(argv, "--ref"), option(argv, "--version")];
    // A new ref, a new version (whose ref follows from it), or the recorded pin again (a branch pin
    // at its recorded commit, a tag checked against it).
    const again = !refArg && !versionArg;
    const ref = refArg ?? (versionArg ? spec.refOf(versionArg) : previous?.ref);
    if (!ref) throw new VendorError(`${name} is not vendored yet: pass --ref <ref> (or --version <version>)`);
    if (again && previous && previous.refKind !== spec.refKind)
      throw new VendorError(
        `${name} is recorded as a ${previous.refKind} but taken as a ${spec.refKind}: pass --ref to take a new pin`,
      );
    const version = versionArg ?? (refArg ? undefined : previous?.version);
    const entry = vendor(spec, { ref, commit: again ? previous?.commit : undefined }, version, options);
    log(
      `${name}: ${entry.repository} ${entry.refKind} ${entry.ref} (${entry.commit.slice(0, 12)}), version ${entry.version}, ${entry.files.length} files`,
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
