/**
 * upstream/PROVENANCE.json: what this project takes from upstream, where from and what it hashed
 * to. One entry per artifact: the upstream repository, the ref it was taken at (a tag, or a branch
 * whose recorded commit is what counts) and that commit, the files in this repository that came
 * from it (path and sha256) and the container images this project runs from it.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { ImageReference } from "./image-ref";

export const REPO_ROOT = path.join(__dirname, "..");
export const PROVENANCE_FILE = path.join(REPO_ROOT, "upstream", "PROVENANCE.json");

export interface ProvenanceFile {
  /** Slash-separated, relative to the repository root. */
  readonly path: string;
  readonly sha256: string;
}

/**
 * An image this project runs from the entry, as the cluster pulls it (fully qualified: see
 * lib/image-ref.ts). Recorded by `npm run conformance -- --record-images` from what we apply;
 * the conformance check requires the record to equal what we apply.
 */
export type ProvenanceImage = ImageReference;

/**
 * What a pin's ref is. A tag names one commit for good: re-taking it checks that it still does. A
 * branch moves: only its recorded commit counts, and steps read that commit, never the branch. A
 * commit is its own ref (a repository pinned at a snapshot, such as kubernetes/k8s.io's promoter
 * manifests, which have no releases).
 */
export type RefKind = "tag" | "branch" | "commit";
export const REF_KINDS: readonly RefKind[] = ["tag", "branch", "commit"];

/** Where an entry comes from: the repository, the ref and its kind, and the commit that was taken. */
export interface Pin {
  /** "owner/name" on GitHub. */
  readonly repository: string;
  /** The tag or branch name, e.g. "v1.14.1" or "release-v1.14.1". */
  readonly ref: string;
  readonly refKind: RefKind;
  /** The commit taken, 40 hex digits: the tag's commit, or the branch's commit when it was taken. */
  readonly commit: string;
}

export interface ProvenanceEntry extends Pin {
  readonly name: string;
  readonly version: string;
  readonly files: readonly ProvenanceFile[];
  readonly images: readonly ProvenanceImage[];
}

export class ProvenanceError extends Error {}

export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

export function readProvenance(file: string = PROVENANCE_FILE): ProvenanceEntry[] {
  if (!existsSync(file)) throw new ProvenanceError(`${path.relative(REPO_ROOT, file)} is missing`);
  const entries = JSON.parse(readFileSync(file, "utf8")) as ProvenanceEntry[];
  if (!Array.isArray(entries)) throw new ProvenanceError(`${file} must hold a JSON array of entries`);
  return entries;
}

/** One entry by name, or an error naming the file. */
export function provenanceEntry(name: string, entries: readonly ProvenanceEntry[] = readProvenance()): ProvenanceEntry {
  const found = entries.find((e) => e.name === name);
  if (!found) throw new ProvenanceError(`upstream/PROVENANCE.json has no entry "${name}"`);
  return found;
}

/** Replaces (or adds) an entry, keeping the others and their order; written with a trailing newline. */
export function writeProvenanceEntry(entry: ProvenanceEntry, file: string = PROVENANCE_FILE): void {
  const entries = existsSync(file) ? readProvenance(file) : [];
  const index = entries.findIndex((e) => e.name === entry.name);
  const next = index >= 0 ? entries.map((e, i) => (i === index ? entry : e)) : [...entries, entry];
  writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
}

/**
 * Differences between the recorded files of an entry and what is on disk under `root`: a changed
 * file names both sums, a missing one says so. Empty when every file is intact.
 */
export function verifyFiles(entry: ProvenanceEntry, root: string = REPO_ROOT): string[] {
  const problems: string[] = [];
  for (const f of entry.files) {
    const full = path.join(root, f.path);
    if (!existsSync(full)) {
      problems.push(`${f.path} is missing (recorded sha256 ${f.sha256})`);
      continue;
    }
    const actual = sha256(readFileSync(full));
    if (actual !== f.sha256) problems.push(`${f.path}: sha256 ${actual}, recorded ${f.sha256}`);
  }
  return problems;
}
