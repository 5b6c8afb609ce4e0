/**
 * `npm run generate -- kubeflow` on small git repositories laid out like the real ones (a manifests
 * repository whose example pulls three remote bases), so every branch runs in well under a second:
 * remote bases resolved at their pinned tags, a release asset rebuilt, every file's sum and every
 * image recorded, the refusals, and the staleness checks. The committed real render is checked at
 * the end.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { KUBEFLOW_ENTRY, ReleaseError, verifyRender } from "../lib/kubeflow-release";
import { provenanceEntry, readProvenance, writeProvenanceEntry, type ProvenanceEntry } from "../lib/provenance";
import {
  compareWithFreshRender,
  KubeflowGenerateError,
  objectSources,
  renderKubeflow,
  writeRender,
  type KubeflowGenerateOptions,
} from "../scripts/generate-kubeflow";
import { checkKubeflow } from "../scripts/generate";
import { gitRepo } from "./git-fixture";

const configMap = (name: string, image?: string) =>
  image
    ? `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: kubeflow\nspec:\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n        - name: main\n          image: ${image}\n`
    : `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: kubeflow\n`;

const kustomization = (resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join("\n")}\n`;

interface Fixture {
  readonly root: string;
  readonly options: KubeflowGenerateOptions;
  readonly entries: ProvenanceEntry[];
}

/** The remote bases' repositories, the same for every fixture (made once). */
let bases: Record<"argo" | "lws" | "jobset", { gitDir: string; commit: string }> | undefined;
function baseRepos(top: string) {
  bases ??= {
    argo: gitRepo(path.join(top, "argo"), "v3.0.0", {
      "manifests/base/kustomization.yaml": kustomization(["controller.yaml"]),
      "manifests/base/controller.yaml": configMap("workflow-controller", "quay.io/argoproj/workflow-controller:v3.0.0"),
    }),
    lws: gitRepo(path.join(top, "lws"), "v0.1.0", {
      "config/default/kustomization.yaml": kustomization(["lws.yaml"]),
      "config/default/lws.yaml": configMap("lws-config"),
    }),
    jobset: gitRepo(path.join(top, "jobset"), "v0.2.0", {
      "config/default/kustomization.yaml": kustomization(["jobset.yaml"]),
      "config/default/jobset.yaml": configMap("jobset-controller", "registry.k8s.io/jobset/jobset:v0.2.0"),
    }),
  };
  return bases;
}

/** The kubeflow/manifests stand-in at 1.0: an example over two apps, each with remote bases. */
function manifestsRepo(top: string, example?: string[]) {
  return gitRepo(path.join(top, "manifests"), "1.0", {
    "example/kustomization.yaml": kustomization(example ?? ["../apps/pipeline", "../apps/trainer"]),
    "apps/pipeline/kustomization.yaml": kustomization([
      "https://github.com/argoproj/argo-workflows/manifests/base?ref=v3.0.0",
      "ml-pipeline.yaml",
    ]),
    "apps/pipeline/ml-pipeline.yaml": configMap("ml-pipeline", "ghcr.io/kubeflow/kfp-api-server:2.0.0"),
    "apps/trainer/kustomization.yaml": kustomization([
      "https://github.com/kubernetes-sigs/lws//config/default?ref=v0.1.0",
      "https://github.com/kubernetes-sigs/jobset/releases/download/v0.2.0/manifests.yaml",
    ]),
  });
}

/** The manifests repository of the default example, made once for the fixtures that keep it. */
let defaultManifests: { gitDir: string; commit: string } | undefined;

/** Four repositories and a project root whose PROVENANCE pins them; `example` overrides the example kustomization. */
function fixture(example?: string[]): Fixture {
  const top = mkdtempSync(path.join(tmpdir(), "generate-kubeflow-"));
  const { argo, lws, jobset } = baseRepos(top);
  const manifests = example === undefined ? (defaultManifests ??= manifestsRepo(top)) : manifestsRepo(top, example);
  const entry = (name: string, repository: string, tag: string, commit: string): ProvenanceEntry => ({
    name,
    version: tag,
    repository,
    ref: tag,
    refKind: "tag",
    commit,
    files: [],
    images: [],
  });
  const entries = [
    entry(KUBEFLOW_ENTRY, "kubeflow/manifests", "1.0", manifests.commit),
    entry("kubeflow-argo-workflows", "argoproj/argo-workflows", "v3.0.0", argo.commit),
    entry("kubeflow-lws", "kubernetes-sigs/lws", "v0.1.0", lws.commit),
    entry("kubeflow-jobset", "kubernetes-sigs/jobset", "v0.2.0", jobset.commit),
  ];
  const root = path.join(top, "project");
  mkdirSync(path.join(root, "upstream"), { recursive: true });
  writeFileSync(path.join(root, "upstream", "PROVENANCE.json"), JSON.stringify(entries));
  const sources = {
    "kubeflow/manifests": manifests.gitDir,
    "argoproj/argo-workflows": argo.gitDir,
    "kubernetes-sigs/lws": lws.gitDir,
    "kubernetes-sigs/jobset": jobset.gitDir,
  };
  return { root, options: { root, sources, clone: false, cacheDir: path.join(top, "cache") }, entries };
}

/** Renders the fixture and commits it to its project root, as `npm run generate -- kubeflow` does. */
function generate(f: Fixture): ProvenanceEntry {
  const render = renderKubeflow(f.options);
  writeRender(render, f.root);
  writeProvenanceEntry(render.entry, path.join(f.root, "upstream", "PROVENANCE.json"));
  return render.entry;
}

/** A copy of a generated fixture's project root (same sources), to change without rendering again. */
function copyOf(f: Fixture): Fixture {
  const root = path.join(mkdtempSync(path.join(tmpdir(), "generate-kubeflow-copy-")), "project");
  cpSync(f.root, root, { recursive: true });
  return { ...f, root, options: { ...f.options, root } };
}

const fixtures: string[] = [];
afterAll(() => {
  for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
});
function tracked(f: Fixture): Fixture {
  fixtures.push(path.dirname(f.root));
  return f;
}

describe("npm run generate -- kubeflow", () => {
  const f = tracked(fixture());
  const entry = generate(f);
  const dir = path.join(f.root, "kustomize-out", "kubeflow", "1.0");

  it("renders the example with every remote base resolved at its pinned tag, one file per object", () => {
    const files = entry.files.map((x) => path.basename(x.path));
    expect(files).toEqual([
      "configmap-kubeflow-lws-config.yaml",
      "deployment-kubeflow-jobset-controller.yaml",
      "deployment-kubeflow-ml-pipeline.yaml",
      "deployment-kubeflow-workflow-controller.yaml",
      "kustomization.yaml",
      "sources.json",
    ]);
    // The release asset (a file of jobset's GitHub release) is rebuilt from jobset's own config/default.
    expect(readFileSync(path.join(dir, "deployment-kubeflow-jobset-controller.yaml"), "utf8")).toContain(
      "registry.k8s.io/jobset/jobset:v0.2.0",
    );
  });

  it("heads the kustomization with every source's tag and commit, and lists the objects in render order", () => {
    const k = readFileSync(path.join(dir, "kustomization.yaml"), "utf8");
    for (const e of f.entries) expect(k).toContain(`${e.repository} ${e.ref} (${e.commit})`);
    // In the order kustomize emitted them (its legacy kind order, then names).
    expect(k.split("resources:\n")[1]).toBe(
      [
        "configmap-kubeflow-lws-config.yaml",
        "deployment-kubeflow-jobset-controller.yaml",
        "deployment-kubeflow-ml-pipeline.yaml",
        "deployment-kubeflow-workflow-controller.yaml",
      ]
        .map((file) => `  - ${file}\n`)
        .join(""),
    );
  });

  it("records which of example's resources renders each object (sources.json)", () => {
    expect(JSON.parse(readFileSync(path.join(dir, "sources.json"), "utf8"))).toEqual({
      "../apps/pipeline": ["deployment-kubeflow-ml-pipeline.yaml", "deployment-kubeflow-workflow-controller.yaml"],
      "../apps/trainer": ["configmap-kubeflow-lws-config.yaml", "deployment-kubeflow-jobset-controller.yaml"],
    });
  });

  it("refuses an object that two resources render, or that none does", () => {
    const exampleDir = path.join(mkdtempSync(path.join(tmpdir(), "sources-")), "example");
    mkdirSync(exampleDir);
    writeFileSync(path.join(exampleDir, "kustomization.yaml"), kustomization(["../a", "../b"]));
    const rendered = new Map([
      ["configmap-kubeflow-x.yaml", ""],
      ["configmap-kubeflow-y.yaml", ""],
    ]);
    const twice = () => configMap("x");
    expect(() => objectSources(exampleDir, rendered, twice)).toThrow(
      "configmap-kubeflow-x.yaml is rendered by two of example/'s resources: ../a and ../b",
    );
    const onlyX = (dir: string) => (dir.endsWith("/a") ? configMap("x") : "");
    expect(() => objectSources(exampleDir, rendered, onlyX)).toThrow(
      "no resource of example/ renders configmap-kubeflow-y.yaml",
    );
  });

  it("records the sha256 of every file, and keeps the images the entry records (what the install runs)", () => {
    expect(verifyRender("1.0", f.root).files).toHaveLength(6);
    expect(entry.images).toEqual([]);
  });

  it("is deterministic: a fresh render matches the committed one", () => {
    const lines: string[] = [];
    expect(checkKubeflow({ ...f.options, log: (l) => lines.push(l) })).toEqual([]);
    // It did render afresh (its sources are at hand), and compared.
    expect(lines).toContain("rendering example/ with kubectl kustomize");
  });

  it("reports a stale render: an edited, a missing and an extra file", () => {
    const g = tracked(copyOf(f));
    const out = path.join(g.root, "kustomize-out", "kubeflow", "1.0");
    writeFileSync(path.join(out, "configmap-kubeflow-lws-config.yaml"), "edited: by hand\n");
    rmSync(path.join(out, "deployment-kubeflow-ml-pipeline.yaml"));
    writeFileSync(path.join(out, "extra.yaml"), "kind: ConfigMap\n");
    expect(compareWithFreshRender(g.options)).toEqual([
      "kustomize-out/kubeflow/1.0/configmap-kubeflow-lws-config.yaml differs",
      "kustomize-out/kubeflow/1.0/deployment-kubeflow-ml-pipeline.yaml is missing",
      "kustomize-out/kubeflow/1.0/extra.yaml is not rendered any more",
    ]);
    // Without the sources at hand the recorded sums still catch all three.
    const [problem] = checkKubeflow({ ...g.options, sources: {} });
    expect(problem).toMatch(/configmap-kubeflow-lws-config\.yaml: sha256 [0-9a-f]{64}, recorded [0-9a-f]{64}/);
    expect(problem).toMatch(/deployment-kubeflow-ml-pipeline\.yaml is missing/);
    expect(problem).toMatch(/extra\.yaml is not in upstream\/PROVENANCE\.json/);
  });

  it("reports a pin moved in PROVENANCE without a re-render, even when the sources are not at hand", () => {
    const g = tracked(copyOf(f));
    const rendered = entry;
    const file = path.join(g.root, "upstream", "PROVENANCE.json");
    const argo = provenanceEntry("kubeflow-argo-workflows", readProvenance(file));
    writeProvenanceEntry({ ...argo, ref: "v3.0.1", commit: "0".repeat(40) }, file);
    expect(rendered.files.length).toBe(6);
    expect(checkKubeflow({ ...g.options, sources: {} })).toEqual([
      expect.stringContaining(
        `kustomization.yaml was not rendered from argoproj/argo-workflows v3.0.1 (${"0".repeat(40)}), which upstream/PROVENANCE.json pins`,
      ),
    ]);
  });

  it("refuses a remote base no entry pins, naming the kustomization", () => {
    const g = tracked(fixture(["https://github.com/example-org/other//config?ref=v1"]));
    const error = ((): Error | undefined => {
      try {
        renderKubeflow(g.options);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(KubeflowGenerateError);
    expect(error!.message).toMatch(
      /example\/kustomization\.yaml: remote base https:\/\/github\.com\/example-org\/other\/\/config\?ref=v1 is not pinned/,
    );
  });

  it("refuses a remote base at another tag than the pinned one", () => {
    const g = tracked(fixture(["https://github.com/kubernetes-sigs/lws//config/default?ref=v0.9.9"]));
    expect(() => renderKubeflow(g.options)).toThrow(
      /asks for kubernetes-sigs\/lws at v0\.9\.9, but upstream\/PROVENANCE\.json pins v0\.1\.0 \(entry "kubeflow-lws"\)/,
    );
  });

  it("refuses a tag whose commit is not the recorded one", () => {
    const g = tracked(fixture());
    const file = path.join(g.root, "upstream", "PROVENANCE.json");
    writeProvenanceEntry({ ...provenanceEntry("kubeflow-jobset", readProvenance(file)), commit: "f".repeat(40) }, file);
    expect(() => renderKubeflow(g.options)).toThrow(
      new RegExp(
        `kubernetes-sigs/jobset v0\\.2\\.0 is commit [0-9a-f]{40}, but upstream/PROVENANCE\\.json records ${"f".repeat(40)}`,
      ),
    );
  });

  it("says where to get a source it does not have, instead of cloning when told not to", () => {
    const g = tracked(fixture());
    expect(() => renderKubeflow({ ...g.options, sources: {} })).toThrow(/no source for kubeflow\/manifests 1\.0/);
    expect(compareWithFreshRender({ ...g.options, sources: {} })).toBeUndefined();
  });
});

describe("the committed Kubeflow render", () => {
  it("matches its recorded sums and pins", () => {
    const entry = provenanceEntry(KUBEFLOW_ENTRY);
    expect(() => verifyRender(entry.version)).not.toThrow();
    // Sums and pins only: a full re-render from cached sources takes ~15 s (`npm run generate -- --check` does it).
    expect(checkKubeflow({ cacheDir: path.join(tmpdir(), "no-kubeflow-sources") })).toEqual([]);
  });

  it("is refused when its version is not the recorded one", () => {
    expect(() => verifyRender("0.0-not-rendered")).toThrow(ReleaseError);
  });
});
