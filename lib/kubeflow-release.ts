/**
 * The pinned Kubeflow release as this project installs it: kubeflow/community-distribution's `example` set,
 * rendered with its remote bases resolved at their pinned tags by `npm run generate -- kubeflow`,
 * and committed to kustomize-out/kubeflow/<version>/ (one file per object, and a kustomization
 * listing them in render order). Pins and the sha256 of every rendered file are recorded in
 * upstream/PROVENANCE.json; the install and render steps refuse a render whose files do not match.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { provenanceEntry, readProvenance, REPO_ROOT, verifyFiles, type ProvenanceEntry } from "./provenance";

/** The PROVENANCE entry of the release itself. */
export const KUBEFLOW_ENTRY = "kubeflow";

/**
 * The remote bases upstream's `example` pulls over the network, by PROVENANCE entry. `git`: a
 * kustomize remote directory (`https://github.com/<repo>[/]/<path>?ref=<tag>`). `release-asset`: a
 * file from the repository's GitHub release, which the generate step rebuilds from the tag with the
 * repository's own recipe (jobset's Makefile `artifacts` target: `kustomize build config/default -o
 * artifacts/manifests.yaml`), since release assets are not in the repository.
 */
export const KUBEFLOW_REMOTE_BASES: readonly (
  | { readonly entry: string; readonly kind: "git" }
  | { readonly entry: string; readonly kind: "release-asset"; readonly asset: string; readonly buildDir: string }
)[] = [
  { entry: "kubeflow-argo-workflows", kind: "git" },
  { entry: "kubeflow-lws", kind: "git" },
  { entry: "kubeflow-jobset", kind: "release-asset", asset: "manifests.yaml", buildDir: "config/default" },
];

/** Where the render of a release version lives. */
export function renderDir(version: string, root: string = REPO_ROOT): string {
  return path.join(root, "kustomize-out", "kubeflow", version);
}

export class ReleaseError extends Error {}

/**
 * How the render's header names a pinned source: "owner/name ref (commit)". The committed render's
 * header is checksummed, so this text must not change (it names the ref, tag or branch alike).
 */
export function pinnedSource(entry: Pick<ProvenanceEntry, "repository" | "ref" | "commit">): string {
  return `${entry.repository} ${entry.ref} (${entry.commit})`;
}

/** The comment lines heading the render's kustomization.yaml: what it was rendered from, and by what. */
export function renderHeader(
  release: ProvenanceEntry,
  bases: readonly ProvenanceEntry[],
  kustomizeVersion: string,
): string[] {
  return [
    `Rendered by \`npm run generate -- kubeflow\` from ${pinnedSource(release)} example/,`,
    `with its remote bases ${bases.map(pinnedSource).join(", ")},`,
    `by kustomize ${kustomizeVersion}. Do not edit: the install step checks every file against upstream/PROVENANCE.json.`,
  ];
}

/** True when a render of `version` is committed (its kustomization exists). */
export function hasCommittedRender(version: string, root: string = REPO_ROOT): boolean {
  return existsSync(path.join(renderDir(version, root), "kustomization.yaml"));
}

/**
 * Checks the committed render of `version` before anything uses it: a render exists, PROVENANCE
 * records this version, every recorded file has its recorded sha256, and no file is unrecorded.
 * Throws a ReleaseError naming every problem (a changed file with both sums).
 */
export function verifyRender(version: string, root: string = REPO_ROOT): ProvenanceEntry {
  // The sums of 12 MB are checked once per process while no file of the render or PROVENANCE changes.
  const fingerprint = hasCommittedRender(version, root) ? renderFingerprint(version, root) : undefined;
  const known = fingerprint === undefined ? undefined : verified.get(fingerprint);
  if (known) return known;
  const entry = verifyRenderFiles(version, root);
  if (fingerprint !== undefined) verified.set(fingerprint, entry);
  return entry;
}

/** Successful verifications, by the render's and PROVENANCE's file sizes and modification times. */
const verified = new Map<string, ProvenanceEntry>();

function renderFingerprint(version: string, root: string): string {
  const dir = renderDir(version, root);
  const stamp = (file: string) => {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  };
  return [
    dir,
    stamp(path.join(root, "upstream", "PROVENANCE.json")),
    ...readdirSync(dir)
      .sort()
      .map((f) => `${f}=${stamp(path.join(dir, f))}`),
  ].join("\n");
}

function verifyRenderFiles(version: string, root: string): ProvenanceEntry {
  if (!hasCommittedRender(version, root)) {
    throw new ReleaseError(
      `no committed render of Kubeflow ${version} (kustomize-out/kubeflow/${version}/): ` +
        "render it with `npm run generate -- kubeflow` after setting its tag and commit in upstream/PROVENANCE.json, " +
        "or set kubeflow.manifestsVersion to a rendered version",
    );
  }
  const entries = readProvenance(path.join(root, "upstream", "PROVENANCE.json"));
  const entry = provenanceEntry(KUBEFLOW_ENTRY, entries);
  if (entry.version !== version) {
    throw new ReleaseError(
      `upstream/PROVENANCE.json records Kubeflow ${entry.version}, not ${version}; run \`npm run generate -- kubeflow\``,
    );
  }
  const problems = verifyFiles(entry, root);
  const dir = renderDir(version, root);
  const recorded = new Set(entry.files.map((f) => f.path));
  for (const file of readdirSync(dir)) {
    const relative = path.relative(root, path.join(dir, file)).split(path.sep).join("/");
    if (!recorded.has(relative)) problems.push(`${relative} is not in upstream/PROVENANCE.json`);
  }
  // A pin changed in PROVENANCE without re-rendering: the sums still match, the header names the old source.
  const header = readFileSync(path.join(dir, "kustomization.yaml"), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("#"))
    .join("\n");
  for (const source of [entry, ...KUBEFLOW_REMOTE_BASES.map((b) => provenanceEntry(b.entry, entries))]) {
    if (!header.includes(pinnedSource(source))) {
      problems.push(
        `kustomize-out/kubeflow/${version}/kustomization.yaml was not rendered from ${pinnedSource(source)}, which upstream/PROVENANCE.json pins (entry "${source.name}")`,
      );
    }
  }
  if (problems.length > 0) {
    throw new ReleaseError(
      `the committed Kubeflow ${version} render does not match upstream/PROVENANCE.json; nothing was applied. ` +
        `Restore the files (git checkout kustomize-out/kubeflow) or re-render with \`npm run generate -- kubeflow\`:\n  ${problems.join("\n  ")}`,
    );
  }
  return entry;
}
