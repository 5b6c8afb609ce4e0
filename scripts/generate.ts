/**
 * npm run generate [-- --check]
 *
 * Renders each kustomization in GENERATED_SOURCES with `kubectl kustomize` into kustomize-out/<name>/
 * (one object per file, named <kind>-[<namespace>-]<name>.yaml) and writes generated/<name>.ts,
 * which declares every object with a stable Terraform address derived from kind, namespace and
 * name. With --check nothing is written: the output is rendered to a temporary folder and
 * compared with the committed one, and any difference fails.
 *
 * It also writes generated/kubeflow-requests.json: what each Kubeflow component's pods request, from
 * the build the install applies with every installable component (lib/kubeflow-requests.ts). Synth
 * and `npm run cost` read that file, never the render; --check rebuilds it and compares.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { installableComponents } from "../lib/kubeflow-components";
import { placeholder, type KubeflowInstallParams } from "../lib/kubeflow-overlay";
import {
  formatRequestsSummary,
  INJECTOR_CONFIGMAP,
  readsObject,
  REQUESTS_SUMMARY_FILE,
  summarizeRequests,
  type BuiltObject,
} from "../lib/kubeflow-requests";
import { KUBEFLOW_ENTRY, ReleaseError, verifyRender } from "../lib/kubeflow-release";
import { provenanceEntry, readProvenance, writeProvenanceEntry } from "../lib/provenance";
import {
  compareWithFreshRender,
  KubeflowGenerateError,
  renderKubeflow,
  writeRender,
  type KubeflowGenerateOptions,
} from "./generate-kubeflow";
import { buildOverlay, documentsOf, fileNameOf, renderOwners, runCommand, type Runner } from "./kubeflow-install";

export const REPO_ROOT = path.join(__dirname, "..");

/** Kustomizations rendered at generate time (Kubeflow's is rendered at install time instead). */
export const GENERATED_SOURCES = [
  { name: "fsx-csi-driver", dir: "kustomize/fsx-csi-driver", exportName: "FSX_CSI_DRIVER_OBJECTS" },
] as const;

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [key: string]: unknown;
}

export type Kustomize = (dir: string) => string;

export class GenerateError extends Error {}

/** `kubectl kustomize <dir>`, failing clearly when kubectl is missing. */
export const kubectlKustomize: Kustomize = (dir) => kustomizeWith("kubectl", dir);

export function kustomizeWith(kubectl: string, dir: string): string {
  try {
    return execFileSync(kubectl, ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") {
      throw new GenerateError(
        "kubectl not found: `npm run generate` renders kustomizations with `kubectl kustomize`; install kubectl 1.27+ (kustomize v5 built in)",
        {
          cause: err,
        },
      );
    }
    throw new GenerateError(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** File name and Terraform-safe address of an object, from its kind, namespace and name. */
export function objectKey(o: KubernetesObject): { file: string; address: string } {
  const parts = [o.kind, ...(o.metadata.namespace ? [o.metadata.namespace] : []), o.metadata.name].map(slug);
  return { file: `${parts.join("-")}.yaml`, address: parts.join("_").replace(/-/g, "_") };
}

/** Renders one kustomization into { relative path: content } for kustomize-out/ and generated/. */
export function renderSource(source: (typeof GENERATED_SOURCES)[number], kustomize: Kustomize): Map<string, string> {
  const rendered = kustomize(path.join(REPO_ROOT, source.dir));
  const objects = parseAllDocuments(rendered)
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => o !== null);
  const files = new Map<string, string>();
  const seen = new Set<string>();
  const entries = objects
    .map((object) => ({ object, ...objectKey(object) }))
    .sort((a, b) => a.file.localeCompare(b.file));
  for (const { object, file, address } of entries) {
    if (seen.has(address)) throw new GenerateError(`two objects map to the address ${address} in ${source.dir}`);
    seen.add(address);
    files.set(`kustomize-out/${source.name}/${file}`, stringify(object, { lineWidth: 0, sortMapEntries: true }));
  }
  const declarations = entries.map(({ object, address }) => ({
    address,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
    component: object.metadata.labels?.["app.kubernetes.io/component"] ?? "shared",
    manifest: object,
  }));
  files.set(
    `generated/${source.name}.ts`,
    [
      `// Generated by \`npm run generate\` from ${source.dir} (see kustomize-out/${source.name}/). Do not edit.`,
      'import type { GeneratedObject } from "../lib/generated-object";',
      "",
      `export const ${source.exportName}: readonly GeneratedObject[] = ${JSON.stringify(declarations, null, 2)};`,
      "",
    ].join("\n"),
  );
  return files;
}

export function renderAll(kustomize: Kustomize = kubectlKustomize): Map<string, string> {
  const all = new Map<string, string>();
  for (const source of GENERATED_SOURCES)
    for (const [file, content] of renderSource(source, kustomize)) all.set(file, content);
  return all;
}

function listFiles(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(root, path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/**
 * Files under kustomize-out/ and generated/ of `root`, as slash-separated relative paths. The
 * Kubeflow render (kustomize-out/kubeflow/) has its own sources and checks (generate-kubeflow.ts).
 */
function generatedTree(root: string): Set<string> {
  return new Set(
    [...listFiles(root, "kustomize-out"), ...listFiles(root, "generated")]
      .map((f) => f.split(path.sep).join("/"))
      .filter((f) => !f.startsWith("kustomize-out/kubeflow/") && f !== REQUESTS_SUMMARY_FILE),
  );
}

/** Differences between a freshly rendered tree and the committed one (empty when fresh). */
export function compareTrees(freshRoot: string, committedRoot: string = REPO_ROOT): string[] {
  const problems: string[] = [];
  const fresh = generatedTree(freshRoot);
  const committed = generatedTree(committedRoot);
  for (const file of fresh) {
    if (!committed.has(file)) problems.push(`${file} is missing`);
    else if (
      readFileSync(path.join(committedRoot, file), "utf8") !== readFileSync(path.join(freshRoot, file), "utf8")
    ) {
      problems.push(`${file} differs`);
    }
  }
  for (const file of committed) if (!fresh.has(file)) problems.push(`${file} is not generated by any source`);
  return problems.sort();
}

/** Renders into a temporary folder and compares it with `committedRoot`. */
export function checkFreshness(kustomize: Kustomize = kubectlKustomize, committedRoot: string = REPO_ROOT): string[] {
  const scratch = mkdtempSync(path.join(tmpdir(), "generate-check-"));
  try {
    writeAll(renderAll(kustomize), scratch);
    return compareTrees(scratch, committedRoot);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function writeAll(files: Map<string, string>, root: string = REPO_ROOT): void {
  for (const dir of GENERATED_SOURCES.map((s) => path.join("kustomize-out", s.name)).concat("generated"))
    rmSync(path.join(root, dir), { recursive: true, force: true });
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
}

/** `--source owner/name=<git dir>` arguments. */
export function sourceArgs(argv: readonly string[]): Record<string, string> {
  const sources: Record<string, string> = {};
  argv.forEach((arg, i) => {
    if (arg !== "--source") return;
    const value = argv[i + 1] ?? "";
    const eq = value.indexOf("=");
    if (eq <= 0) throw new GenerateError(`--source takes owner/name=<git dir>, got "${value}"`);
    sources[value.slice(0, eq)] = path.resolve(value.slice(eq + 1));
  });
  return sources;
}

/** The pinned Kubeflow release (upstream/PROVENANCE.json). */
function kubeflowVersion(root: string): string {
  return provenanceEntry(KUBEFLOW_ENTRY, readProvenance(path.join(root, "upstream", "PROVENANCE.json"))).version;
}

/**
 * The overlay parameters the requests summary is built with: every component the release can install,
 * placeholders elsewhere (no request depends on them: they fill in hosts, the issuer, the profile).
 */
export function requestsBuildParams(version: string): KubeflowInstallParams {
  return {
    manifestsVersion: version,
    host: "kubeflow.example.com",
    issuerUrl: placeholder("issuerUrl"),
    clientId: placeholder("clientId"),
    certificateArn: placeholder("certificateArn"),
    ingressScheme: "internet-facing",
    allowedEmailDomains: [],
    cullingEnabled: true,
    cullIdleMinutes: 60,
    cullCheckPeriodMinutes: 5,
    profileName: "team",
    profileOwner: "owner@example.com",
    vpcCidr: placeholder("vpcCidr"),
    loginHost: placeholder("loginHost"),
    components: installableComponents(version),
  };
}

/** generated/kubeflow-requests.json's content for a build of the overlay (`buildOverlay`'s output). */
export function requestsSummaryOf(built: string, version: string, root: string = REPO_ROOT): string {
  const ownerOf = renderOwners(version, root);
  const objects = documentsOf(built)
    .filter((d) => readsObject(d.kind, d.name))
    .map((d) => parse(d.text) as BuiltObject);
  const injectorFile = `kustomize-out/kubeflow/${version}/${fileNameOf({ kind: "ConfigMap", ...INJECTOR_CONFIGMAP })}`;
  const summary = summarizeRequests(
    version,
    objects,
    (o) =>
      ownerOf({ apiVersion: o.apiVersion ?? "", kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace }),
    injectorFile,
  );
  return formatRequestsSummary(summary);
}

/** Builds the overlay over the committed render and summarizes it (`run` runs kubectl). */
export function renderRequestsSummary(run: Runner = runCommand, root: string = REPO_ROOT): string {
  const version = kubeflowVersion(root);
  return requestsSummaryOf(buildOverlay(requestsBuildParams(version), run, root), version, root);
}

/** The requests summary's check: empty when the committed file is what a build gives now. */
export function checkRequestsSummary(run: Runner = runCommand, root: string = REPO_ROOT): string[] {
  const file = path.join(root, REQUESTS_SUMMARY_FILE);
  if (!existsSync(file)) return [`${REQUESTS_SUMMARY_FILE} is missing`];
  return readFileSync(file, "utf8") === renderRequestsSummary(run, root) ? [] : [`${REQUESTS_SUMMARY_FILE} differs`];
}

/** The Kubeflow render's check: recorded checksums always, a full re-render when the sources are at hand. */
export function checkKubeflow(options: KubeflowGenerateOptions = {}): string[] {
  const root = options.root ?? REPO_ROOT;
  const log = options.log ?? (() => {});
  const version = kubeflowVersion(root);
  try {
    verifyRender(version, root);
  } catch (err) {
    if (err instanceof ReleaseError) return [err.message];
    throw err;
  }
  const problems = compareWithFreshRender({ ...options, root, log });
  if (problems === undefined) {
    log(
      `kustomize-out/kubeflow/${version}/ matches upstream/PROVENANCE.json; not re-rendered (sources not cached: ` +
        "`npm run generate -- kubeflow` fetches them, or pass --source)",
    );
    return [];
  }
  return problems;
}

function main(argv: readonly string[]): void {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const sources = sourceArgs(argv);
  if (argv.includes("--check")) {
    const problems = [...checkFreshness(), ...checkKubeflow({ sources, log }), ...checkRequestsSummary()];
    if (problems.length > 0) {
      process.stderr.write(
        `generated output is stale; run \`npm run generate\` and commit:\n  ${problems.join("\n  ")}\n`,
      );
      process.exit(1);
    }
    process.stderr.write("kustomize-out/ and generated/ are fresh\n");
    return;
  }
  if (argv.includes("kubeflow")) {
    const render = renderKubeflow({ sources, log });
    writeRender(render);
    writeProvenanceEntry(render.entry);
    log(
      `wrote ${render.files.size} files into kustomize-out/kubeflow/${render.entry.version}/ and their sums into upstream/PROVENANCE.json`,
    );
    return;
  }
  const files = renderAll();
  files.set(REQUESTS_SUMMARY_FILE, renderRequestsSummary());
  writeAll(files);
  process.stderr.write(`wrote ${files.size} files into kustomize-out/ and generated/\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    const known = err instanceof GenerateError || err instanceof KubeflowGenerateError || err instanceof ReleaseError;
    process.stderr.write(`${known ? (err as Error).message : String(err)}\n`);
    process.exit(1);
  }
}
