/**
 * Reading upstream repositories at a pinned ref, for the steps that take files from upstream
 * (`npm run generate -- kubeflow`, `npm run vendor`). A repository is read from a git directory:
 * one given with `--source owner/name=<git dir>` (a bare mirror or a clone's .git), a cached
 * shallow clone in .cache/upstream-sources/, or a new shallow clone from GitHub. Only these steps
 * need git and the network; nothing that deploys does.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../lib/provenance";

export class UpstreamGitError extends Error {}

export interface SourceOptions {
  /** Git directories by "owner/name", instead of cloning from GitHub. */
  readonly sources?: Readonly<Record<string, string>>;
  /** Where shallow clones are kept. @default .cache/upstream-sources */
  readonly cacheDir?: string;
  /** Clone missing sources from GitHub. @default true */
  readonly clone?: boolean;
  readonly log?: (line: string) => void;
}

interface Run {
  readonly status: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], input?: Buffer | string): Run {
  const r = spawnSync(command, args, { input, maxBuffer: 1024 * 1024 * 1024 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new UpstreamGitError(missing ? `${command} not found: this step needs ${command} on PATH` : String(r.error));
  }
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
}

export const DEFAULT_CACHE_DIR = path.join(REPO_ROOT, ".cache", "upstream-sources");

/** The cached clone's path for a repository at a ref. */
export function cachedClone(repository: string, ref: string, cacheDir: string = DEFAULT_CACHE_DIR): string {
  return path.join(cacheDir, `${repository.replace("/", "+")}@${ref.replace(/[^A-Za-z0-9._-]/g, "_")}.git`);
}

/** The git directory to read `repository` at `ref` from: an override, the cache, or a new shallow clone. */
export function gitDirFor(repository: string, ref: string, options: SourceOptions): string | undefined {
  const override = options.sources?.[repository];
  if (override) return override;
  const cached = cachedClone(repository, ref, options.cacheDir);
  if (existsSync(cached)) return cached;
  if (options.clone === false) return undefined;
  options.log?.(`cloning https://github.com/${repository} at ${ref}`);
  mkdirSync(path.dirname(cached), { recursive: true });
  const clone = run("git", [
    "clone",
    "--quiet",
    "--bare",
    "--depth",
    "1",
    "--branch",
    ref,
    `https://github.com/${repository}.git`,
    cached,
  ]);
  if (clone.status !== 0) {
    rmSync(cached, { recursive: true, force: true });
    throw new UpstreamGitError(
      `could not clone ${repository} at ${ref}: ${clone.stderr.trim()}. ` +
        `Check the tag, or pass --source ${repository}=<git dir>`,
    );
  }
  return cached;
}

/** The commit a tag (or branch) names in a git directory. */
export function commitOf(gitDir: string, repository: string, ref: string): string {
  const rev = run("git", ["--git-dir", gitDir, "rev-parse", "--verify", `${ref}^{commit}`]);
  if (rev.status !== 0) throw new UpstreamGitError(`${gitDir} has no ${ref} of ${repository}: ${rev.stderr.trim()}`);
  return rev.stdout.toString("utf8").trim();
}

/**
 * Checks that `ref` is `commit` in the git directory, then unpacks the commit's `paths` (all of
 * it when none are given) into `into`. A moved tag is refused: upstream changed what it names.
 */
export function extractAt(
  pin: { readonly repository: string; readonly tag: string; readonly commit: string; readonly name: string },
  gitDir: string,
  into: string,
  paths: readonly string[] = [],
): void {
  const commit = commitOf(gitDir, pin.repository, pin.tag);
  if (commit !== pin.commit) {
    throw new UpstreamGitError(
      `${pin.repository} ${pin.tag} is commit ${commit}, but upstream/PROVENANCE.json records ${pin.commit} ` +
        `(entry "${pin.name}"): the tag moved, or the entry is wrong; check upstream and update the entry on purpose`,
    );
  }
  mkdirSync(into, { recursive: true });
  const archive = run("git", ["--git-dir", gitDir, "archive", "--format=tar", commit, "--", ...paths]);
  if (archive.status !== 0)
    throw new UpstreamGitError(`git archive failed for ${pin.repository}: ${archive.stderr.trim()}`);
  const untar = run("tar", ["-x", "-C", into], archive.stdout);
  if (untar.status !== 0) throw new UpstreamGitError(`could not unpack ${pin.repository}: ${untar.stderr.trim()}`);
}
