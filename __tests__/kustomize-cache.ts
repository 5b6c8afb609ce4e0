/**
 * `kubectl kustomize <dir>` for the tests, remembered by what it reads: the key is the sha256 of
 * kubectl's version and of every file under <dir>'s parent (the overlay and the render copy
 * prepareOverlay lays out side by side), path and content. Two test files build the install's
 * overlay over the real render, about 3 s each; the second gets the first's output, and a run with
 * nothing changed gets both. A changed input is a new key, so a stale build is never read.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { runCommand, type Runner } from "../scripts/kubeflow-install";

const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "kustomize-builds");

function hashTree(hash: ReturnType<typeof createHash>, dir: string, base: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) hashTree(hash, full, base);
    else
      hash
        .update(`${path.relative(base, full)}\0`)
        .update(readFileSync(full))
        .update("\0");
  }
}

let kubectlVersion: string | undefined;

/** A Runner that answers `kubectl kustomize <dir>` from the cache when it can, and runs everything else with `run`. */
export function cachingKustomize(run: Runner = runCommand): Runner {
  return (command, args, input) => {
    if (command !== "kubectl" || args[0] !== "kustomize" || args.length !== 2) return run(command, args, input);
    kubectlVersion ??= runCommand("kubectl", ["version", "--client", "-o", "json"]).stdout;
    const hash = createHash("sha256").update(kubectlVersion);
    const root = path.dirname(path.resolve(args[1]));
    hashTree(hash, root, root);
    const file = path.join(CACHE_DIR, `${hash.update(path.basename(args[1])).digest("hex")}.yaml`);
    try {
      return { status: 0, stdout: readFileSync(file, "utf8"), stderr: "" };
    } catch {
      const result = run(command, args, input);
      if (result.status === 0) {
        mkdirSync(CACHE_DIR, { recursive: true });
        const partial = `${file}.${process.pid}`;
        writeFileSync(partial, result.stdout);
        renameSync(partial, file);
      }
      return result;
    }
  };
}
