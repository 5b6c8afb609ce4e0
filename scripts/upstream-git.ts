/**
 * Reading upstream repositories at a pinned ref, for the steps that take files from upstream
 * (`npm run generate -- kubeflow`, `npm run vendor`). A repository is read from a git directory:
 * one given with `--source owner/name=<git dir>` (a bare mirror or a clone's .git), a cached
 * shallow clone in .cache/upstream-sources/, or a new shallow clone from GitHub. Only these steps
 * need git and the network; nothing that deploys does.
 *
 * A tag pin is read at the tag, which must still name the recorded commit. A branch pin is read
 * at its recorded commit only, fetched by its id (`git fetch --depth 1 <url> <commit>`; GitHub
 * serves a commit by id, as actions/checkout relies on to fetch only the SHA it checks out): the
 * branch has moved on since, and is resolved only when a new pin is taken. A commit pin is read at
 * its commit, fetched the same way.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, type RefKind } from "../lib/provenance";

export class UpstreamGitError extends Error {}

export interface SourceOptions {
  /** Git directories by "owner/name", instead of cloning from GitHub. */
  readonly sources?: Readonly<Record<string, string>>;
  /** Where shallow clones are kept. @default .cache/upstream-sources */
  readonly cacheDir?: string;
  /** Clone missing sources from GitHub. @default true */
  readonly clone?: boolean;
  /** The URL a repository is cloned or fetched from. @default https://github.com/<owner/name>.git */
  readonly remoteUrl?: (repository: string) => string;
  readonly log?: (line: string) => void;
}

/** A pin to read: its commit is the recorded one, or absent when a new pin is being taken. */
export interface PinToRead {
  readonly repository: string;
  readonly ref: string;
  readonly refKind: RefKind;
  readonly commit?: string;
  /** The PROVENANCE entry, for messages. */
  readonly name?: string;
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

const githubUrl = (repository: string) => `https://github.com/${repository}.git`;

/** The cached clone's path for a repository at a tag, or at a commit (a branch pin's). */
export function cachedClone(repository: string, tagOrCommit: string, cacheDir: string = DEFAULT_CACHE_DIR): string {
  return path.join(cacheDir, `${repository.replace("/", "+")}@${tagOrCommit.replace(/[^A-Za-z0-9._-]/g, "_")}.git`);
}

const describe = (pin: PinToRead) =>
  `${pin.repository} ${pin.refKind} ${pin.ref}${pin.name ? ` (entry "${pin.name}")` : ""}`;

function git(args: readonly string[]): Run {
  return run("git", args);
}

/**
 * The git directory to read a pin from: an override, the cache, or a new shallow copy. A tag is
 * cloned at the tag; a branch pin's recorded commit is fetched by its id, never by the branch.
 * Only a new branch pin (no commit yet) clones the branch, and is cached under the commit it found.
 */
export function gitDirFor(pin: PinToRead, options: SourceOptions): string | undefined {
  const override = options.sources?.[pin.repository];
  if (override) return override;
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const key = pin.refKind === "tag" ? pin.ref : pin.commit;
  if (key && existsSync(cachedClone(pin.repository, key, cacheDir))) return cachedClone(pin.repository, key, cacheDir);
  if (options.clone === false) return undefined;
  const url = (options.remoteUrl ?? githubUrl)(pin.repository);
  mkdirSync(cacheDir, { recursive: true });
  const fail = (target: string, what: string, r: Run): never => {
    rmSync(target, { recursive: true, force: true });
    throw new UpstreamGitError(
      `could not ${what} ${describe(pin)}: ${r.stderr.trim()}. Check the pin, or pass --source ${pin.repository}=<git dir>`,
    );
  };
  if (pin.refKind !== "tag" && pin.commit) {
    const target = cachedClone(pin.repository, pin.commit, cacheDir);
    options.log?.(
      `fetching ${url} commit ${pin.commit}${pin.refKind === "branch" ? ` (the recorded commit of branch ${pin.ref})` : ""}`,
    );
    const init = git(["init", "--quiet", "--bare", target]);
    if (init.status !== 0) fail(target, "create a clone for", init);
    const fetch = git([
      "--git-dir",
      target,
      "fetch",
      "--quiet",
      "--depth",
      "1",
      url,
      `${pin.commit}:refs/pinned/${pin.commit}`,
    ]);
    if (fetch.status !== 0) fail(target, `fetch commit ${pin.commit} of`, fetch);
    return target;
  }
  const target =
    pin.refKind === "tag"
      ? cachedClone(pin.repository, pin.ref, cacheDir)
      : path.join(cacheDir, `.new-${process.pid}-${pin.repository.replace("/", "+")}.git`);
  options.log?.(`cloning ${url} at ${pin.refKind} ${pin.ref}`);
  rmSync(target, { recursive: true, force: true });
  const clone = git(["clone", "--quiet", "--bare", "--depth", "1", "--branch", pin.ref, url, target]);
  if (clone.status !== 0) fail(target, "clone", clone);
  if (pin.refKind === "tag") return target;
  // A new branch pin: keep the clone under the commit it found, so nothing is ever cached by branch name.
  const commit = resolvePin(target, pin);
  const cached = cachedClone(pin.repository, commit, cacheDir);
  if (existsSync(cached)) rmSync(target, { recursive: true, force: true });
  else renameSync(target, cached);
  return cached;
}

/** The commit a ref (or a commit id) names in a git directory, or undefined. */
function revParse(gitDir: string, rev: string): string | undefined {
  const r = git(["--git-dir", gitDir, "rev-parse", "--quiet", "--verify", `${rev}^{commit}`]);
  return r.status === 0 ? r.stdout.toString("utf8").trim() : undefined;
}

/**
 * The commit to read a pin at, in a git directory. A tag: the commit of refs/tags/<ref> (a branch
 * of that name does not count), refused when it is not the recorded commit. A branch pin with a
 * commit: that commit, which the directory must hold (the branch itself is not looked at). A new
 * branch pin: the commit of refs/heads/<ref>.
 */
export function resolvePin(gitDir: string, pin: PinToRead): string {
  if (pin.refKind === "tag") {
    const commit = revParse(gitDir, `refs/tags/${pin.ref}`);
    if (!commit) throw new UpstreamGitError(`${gitDir} has no tag ${pin.ref} of ${pin.repository}`);
    if (pin.commit && commit !== pin.commit) {
      throw new UpstreamGitError(
        `${pin.repository} ${pin.ref} is commit ${commit}, but upstream/PROVENANCE.json records ${pin.commit}` +
          `${pin.name ? ` (entry "${pin.name}")` : ""}: the tag moved, or the entry is wrong; check upstream and update the entry on purpose`,
      );
    }
    return commit;
  }
  if (pin.commit) {
    if (!/^[0-9a-f]{40}$/.test(pin.commit) || revParse(gitDir, pin.commit) !== pin.commit) {
      throw new UpstreamGitError(
        `${gitDir} does not hold commit ${pin.commit}, the recorded commit of ${describe(pin)}; ` +
          `a branch pin is read at that commit only: fetch it, or pass --source ${pin.repository}=<git dir that has it>`,
      );
    }
    return pin.commit;
  }
  if (pin.refKind === "commit") throw new UpstreamGitError(`${describe(pin)}: a commit pin needs its commit`);
  const commit = revParse(gitDir, `refs/heads/${pin.ref}`);
  if (!commit) throw new UpstreamGitError(`${gitDir} has no branch ${pin.ref} of ${pin.repository}`);
  return commit;
}

/**
 * Unpacks a pin's recorded commit (checked by resolvePin: a moved tag is refused) into `into`:
 * its `paths`, or all of it when none are given.
 */
export function extractAt(
  pin: PinToRead & { readonly commit: string },
  gitDir: string,
  into: string,
  paths: readonly string[] = [],
): void {
  const commit = resolvePin(gitDir, pin);
  mkdirSync(into, { recursive: true });
  const archive = git(["--git-dir", gitDir, "archive", "--format=tar", commit, "--", ...paths]);
  if (archive.status !== 0)
    throw new UpstreamGitError(`git archive failed for ${pin.repository}: ${archive.stderr.trim()}`);
  const untar = run("tar", ["-x", "-C", into], archive.stdout);
  if (untar.status !== 0) throw new UpstreamGitError(`could not unpack ${pin.repository}: ${untar.stderr.trim()}`);
}
