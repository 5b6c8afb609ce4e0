/**
 * npm run generate -- kubeflow [--source owner/name=<git dir>]...
 *
 * Renders the Kubeflow release pinned in upstream/PROVENANCE.json (entry "kubeflow": kubeflow/community-distribution, formerly kubeflow/manifests,
 * at its ref) into kustomize-out/kubeflow/<version>/, with the remote bases upstream's `example` pulls
 * over the network (KUBEFLOW_REMOTE_BASES, each pinned by its own entry) resolved locally at their
 * pinned refs, and records the sha256 of every rendered file and the images it names.
 *
 * Sources: each repository is read with `git archive` from a git directory (upstream-git.ts):
 * `--source` names one, otherwise a shallow clone in .cache/upstream-sources/ (git and GitHub are
 * needed here only, never to install). A tag whose commit is not the recorded one is refused; a
 * branch pin is read at its recorded commit.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { KUBEFLOW_ENTRY, KUBEFLOW_REMOTE_BASES, renderDir, renderHeader } from "../lib/kubeflow-release";
import { provenanceEntry, readProvenance, REPO_ROOT, sha256, type ProvenanceEntry } from "../lib/provenance";
import { extractAt, gitDirFor, run, type SourceOptions } from "./upstream-git";

export class KubeflowGenerateError extends Error {}

export interface KubeflowGenerateOptions extends SourceOptions {
  /** The repository whose PROVENANCE and kustomize-out are used. @default the project root */
  readonly root?: string;
}

/** The git directory to read a pinned entry from (see upstream-git.ts). */
function gitDirForEntry(entry: ProvenanceEntry, options: KubeflowGenerateOptions): string | undefined {
  return gitDirFor(entry, options);
}

const KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/**
 * The kustomization files a build of `dir` reads: its own, and those of every local directory it
 * names as a resource, base or component, recursively. Remote references are left for the caller.
 */
export function kustomizationsOfBuild(dir: string, seen: Set<string> = new Set()): string[] {
  const file = KUSTOMIZATION_NAMES.map((n) => path.join(dir, n)).find((f) => existsSync(f));
  if (!file || seen.has(file)) return [];
  seen.add(file);
  const k = (parseAllDocuments(readFileSync(file, "utf8"))[0]?.toJS() ?? {}) as Record<string, unknown>;
  const entries = ["resources", "bases", "components"].flatMap((key) => (k[key] as string[] | undefined) ?? []);
  const nested = entries
    .filter((e) => typeof e === "string" && !/^https?:\/\//.test(e) && !/^(github\.com|git@)/.test(e))
    .map((e) => path.resolve(dir, e))
    .filter((p) => existsSync(p) && statSync(p).isDirectory())
    .flatMap((p) => kustomizationsOfBuild(p, seen));
  return [file, ...nested];
}

/** kubectl's built-in kustomize. */
export function kustomize(dir: string): string {
  const r = run("kubectl", ["kustomize", dir]);
  if (r.status !== 0) throw new KubeflowGenerateError(`kubectl kustomize ${dir} failed:\n${r.stderr.trim()}`);
  return r.stdout.toString("utf8");
}

export function kustomizeVersion(): string {
  const r = run("kubectl", ["version", "--client", "-o", "json"]);
  if (r.status !== 0) throw new KubeflowGenerateError(`kubectl version failed: ${r.stderr.trim()}`);
  return (JSON.parse(r.stdout.toString("utf8")) as { kustomizeVersion?: string }).kustomizeVersion ?? "unknown";
}

const GIT_BASE = /^https:\/\/github\.com\/([^/]+\/[^/?]+?)(?:\.git)?\/\/?([^?]*)\?ref=([^&\s]+)$/;
const RELEASE_ASSET = /^https:\/\/github\.com\/([^/]+\/[^/]+)\/releases\/download\/([^/]+)\/([^/\s]+)$/;

/**
 * Points every remote base in the kustomizations under `manifestsDir` at its local copy in
 * `work/<entry name>/`; a release asset is rebuilt next to the kustomization that names it. A
 * remote reference that no entry pins, or that pins another ref, is refused with the file.
 */
export function resolveRemoteBases(
  buildDir: string,
  manifestsDir: string,
  work: string,
  bases: readonly ProvenanceEntry[],
  build: (dir: string) => string = kustomize,
): string[] {
  const rewritten: string[] = [];
  const byRepository = new Map(bases.map((b) => [b.repository.toLowerCase(), b]));
  for (const file of kustomizationsOfBuild(buildDir)) {
    const lines = readFileSync(file, "utf8").split("\n");
    let changed = false;
    const relativeFile = path.relative(manifestsDir, file);
    const out = lines.map((line) => {
      const m = /^(\s*-\s*)(https?:\/\/\S+)\s*$/.exec(line);
      if (!m) {
        if (/^[^#]*https?:\/\/github\.com/.test(line) && /^\s*(-|resources:|bases:|components:)/.test(line))
          throw new KubeflowGenerateError(
            `${relativeFile}: a remote reference this step cannot resolve: ${line.trim()}`,
          );
        return line;
      }
      const url = m[2];
      const asset = RELEASE_ASSET.exec(url);
      const git = asset ? null : GIT_BASE.exec(url);
      const repository = (asset?.[1] ?? git?.[1] ?? "").toLowerCase();
      const ref = asset?.[2] ?? git?.[3];
      const entry = byRepository.get(repository);
      if (!entry) {
        throw new KubeflowGenerateError(
          `${relativeFile}: remote base ${url} is not pinned; add an entry for ${repository || url} to upstream/PROVENANCE.json and KUBEFLOW_REMOTE_BASES`,
        );
      }
      if (ref !== entry.ref) {
        throw new KubeflowGenerateError(
          `${relativeFile}: ${url} asks for ${entry.repository} at ${ref}, but upstream/PROVENANCE.json pins ${entry.ref} (entry "${entry.name}")`,
        );
      }
      const base = KUBEFLOW_REMOTE_BASES.find((b) => b.entry === entry.name)!;
      const tree = path.join(work, entry.name);
      let target: string;
      if (asset) {
        if (base.kind !== "release-asset" || base.asset !== asset[3]) {
          throw new KubeflowGenerateError(
            `${relativeFile}: ${url}: entry "${entry.name}" does not describe this release asset`,
          );
        }
        target = `${entry.name}-${entry.ref}-${base.asset}`;
        writeFileSync(path.join(path.dirname(file), target), build(path.join(tree, base.buildDir)));
      } else {
        target = path.relative(path.dirname(file), path.join(tree, git![2]));
      }
      changed = true;
      return `${m[1]}${target}`;
    });
    if (changed) {
      writeFileSync(file, out.join("\n"));
      rewritten.push(relativeFile);
    }
  }
  return rewritten;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

interface RenderedObject {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** Splits kustomize's output into one file per object (the document's own text) and a kustomization listing them in order. */
export function splitRender(rendered: string, header: readonly string[]): Map<string, string> {
  const documents = rendered.split(/^---\n/m).filter((d) => d.trim().length > 0);
  const files = new Map<string, string>();
  const order: string[] = [];
  for (const text of documents) {
    const [doc] = parseAllDocuments(text);
    const o = doc.toJS() as RenderedObject;
    const name = `${[o.kind, ...(o.metadata.namespace ? [o.metadata.namespace] : []), o.metadata.name].map(slug).join("-")}.yaml`;
    if (files.has(name)) throw new KubeflowGenerateError(`two rendered objects map to the file ${name}`);
    files.set(name, text.endsWith("\n") ? text : `${text}\n`);
    order.push(name);
  }
  files.set(
    "kustomization.yaml",
    [
      ...header.map((l) => `# ${l}`),
      "apiVersion: kustomize.config.k8s.io/v1beta1",
      "kind: Kustomization",
      "resources:",
      ...order.map((f) => `  - ${f}`),
      "",
    ].join("\n"),
  );
  return files;
}

/** Where the render records which of `example`'s resources each object comes from. */
export const SOURCES_FILE = "sources.json";

/** The resources `example/kustomization.yaml` lists, in its order, as written ("../applications/katib/..."). */
export function exampleResources(exampleDir: string): string[] {
  const k = (parseAllDocuments(readFileSync(path.join(exampleDir, "kustomization.yaml"), "utf8"))[0]?.toJS() ?? {}) as {
    resources?: unknown;
  };
  if (!Array.isArray(k.resources) || k.resources.some((r) => typeof r !== "string"))
    throw new KubeflowGenerateError(`${exampleDir}/kustomization.yaml lists no resources`);
  return k.resources as string[];
}

/**
 * Rendered file -> the resource of `example` whose build holds that object. Every resource is built
 * alone (each is a kustomization upstream maintains); an object that no resource, or more than one,
 * renders is refused, so the attribution is exact and the selection of components can rely on it.
 */
export function objectSources(
  exampleDir: string,
  files: ReadonlyMap<string, string>,
  build: (dir: string) => string = kustomize,
): Map<string, string> {
  const sources = new Map<string, string>();
  for (const resource of exampleResources(exampleDir)) {
    for (const file of splitRender(build(path.resolve(exampleDir, resource)), []).keys()) {
      if (file === "kustomization.yaml") continue;
      if (!files.has(file))
        throw new KubeflowGenerateError(`${resource} renders ${file}, which the build of example/ does not`);
      const earlier = sources.get(file);
      if (earlier)
        throw new KubeflowGenerateError(
          `${file} is rendered by two of example/'s resources: ${earlier} and ${resource}`,
        );
      sources.set(file, resource);
    }
  }
  const unattributed = [...files.keys()].filter((f) => f !== "kustomization.yaml" && !sources.has(f));
  if (unattributed.length > 0)
    throw new KubeflowGenerateError(`no resource of example/ renders ${unattributed.slice(0, 5).join(", ")}`);
  return sources;
}

/** sources.json: for each resource of `example`, in its order, the files it renders (sorted). */
export function sourcesJson(sources: ReadonlyMap<string, string>): string {
  const byResource: Record<string, string[]> = {};
  for (const [file, resource] of sources) (byResource[resource] ??= []).push(file);
  for (const list of Object.values(byResource)) list.sort();
  return `${JSON.stringify(byResource, null, 2)}\n`;
}

export interface KubeflowRender {
  readonly entry: ProvenanceEntry;
  /** File name -> content, for kustomize-out/kubeflow/<version>/. */
  readonly files: Map<string, string>;
}

/** Renders the pinned release from its sources; writes nothing into the repository. */
export function renderKubeflow(options: KubeflowGenerateOptions = {}): KubeflowRender {
  const root = options.root ?? REPO_ROOT;
  const entries = readProvenance(path.join(root, "upstream", "PROVENANCE.json"));
  const release = provenanceEntry(KUBEFLOW_ENTRY, entries);
  const bases = KUBEFLOW_REMOTE_BASES.map((b) => provenanceEntry(b.entry, entries));
  const work = mkdtempSync(path.join(tmpdir(), "kubeflow-render-"));
  try {
    for (const entry of [release, ...bases]) {
      const gitDir = gitDirForEntry(entry, options);
      if (!gitDir) throw new KubeflowGenerateError(`no source for ${entry.repository} ${entry.ref}`);
      options.log?.(`reading ${entry.repository} ${entry.refKind} ${entry.ref} (${entry.commit.slice(0, 12)})`);
      extractAt(entry, gitDir, path.join(work, entry.name));
    }
    const manifests = path.join(work, release.name);
    if (!existsSync(path.join(manifests, "example"))) {
      throw new KubeflowGenerateError(`${release.repository} ${release.ref} has no example/ to render`);
    }
    resolveRemoteBases(path.join(manifests, "example"), manifests, work, bases);
    options.log?.("rendering example/ with kubectl kustomize");
    const rendered = kustomize(path.join(manifests, "example"));
    const files = splitRender(rendered, renderHeader(release, bases, kustomizeVersion()));
    options.log?.("rendering each of example/'s resources alone, to record which one every object comes from");
    files.set(SOURCES_FILE, sourcesJson(objectSources(path.join(manifests, "example"), files)));
    const dir = path.relative(root, renderDir(release.version, root)).split(path.sep).join("/");
    const entry: ProvenanceEntry = {
      ...release,
      files: [...files.keys()].sort().map((f) => ({ path: `${dir}/${f}`, sha256: sha256(files.get(f)!) })),
      // What the install runs is the render built with our overlay: recorded by `npm run conformance
      // -- --record-images` and checked against that build, so a render keeps the record.
      images: release.images,
    };
    return { entry, files };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Replaces the render directory of the entry's version with `files`. */
export function writeRender(render: KubeflowRender, root: string = REPO_ROOT): void {
  const dir = renderDir(render.entry.version, root);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of render.files) writeFileSync(path.join(dir, file), content);
}

/**
 * Differences between the committed render and a fresh one; undefined when the sources are not at
 * hand (none cached and cloning not allowed), so only the recorded checksums can be checked.
 */
export function compareWithFreshRender(options: KubeflowGenerateOptions = {}): string[] | undefined {
  const root = options.root ?? REPO_ROOT;
  const entries = readProvenance(path.join(root, "upstream", "PROVENANCE.json"));
  const needed = [KUBEFLOW_ENTRY, ...KUBEFLOW_REMOTE_BASES.map((b) => b.entry)].map((n) => provenanceEntry(n, entries));
  if (needed.some((e) => gitDirForEntry(e, { ...options, clone: false }) === undefined)) return undefined;
  const fresh = renderKubeflow({ ...options, clone: false });
  const dir = renderDir(fresh.entry.version, root);
  const problems: string[] = [];
  const committed = existsSync(dir) ? readdirSync(dir).filter((f) => statSync(path.join(dir, f)).isFile()) : [];
  for (const [file, content] of fresh.files) {
    const full = path.join(dir, file);
    if (!existsSync(full)) problems.push(`kustomize-out/kubeflow/${fresh.entry.version}/${file} is missing`);
    else if (readFileSync(full, "utf8") !== content)
      problems.push(`kustomize-out/kubeflow/${fresh.entry.version}/${file} differs`);
  }
  for (const file of committed) {
    if (!fresh.files.has(file))
      problems.push(`kustomize-out/kubeflow/${fresh.entry.version}/${file} is not rendered any more`);
  }
  return problems;
}
