/** Small git repositories for the tests of the steps that read upstream repositories. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** A git repository with `files` committed and tagged; returns its .git directory and the commit. */
export function gitRepo(dir: string, tag: string, files: Record<string, string>): { gitDir: string; commit: string } {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main", ...args],
      {
        cwd: dir,
        encoding: "utf8",
      },
    ).trim();
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "release");
  git("tag", tag);
  return { gitDir: path.join(dir, ".git"), commit: git("rev-parse", "HEAD") };
}

/** Commits `files` on top of the repository's current branch (which moves on); returns the new commit. */
export function commitMore(dir: string, files: Record<string, string>): string {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
      cwd: dir,
      encoding: "utf8",
    }).trim();
  git("add", "-A");
  git("commit", "-q", "-m", "more");
  return git("rev-parse", "HEAD");
}
