/**
 * `npm run vendor` on small git repositories: files are taken byte for byte at the tag, with the
 * ref, its kind, the commit, their sums and the images recorded; a path the tag lacks, a moved tag
 * and a hand edit are all caught; a branch pin is re-taken at its recorded commit, from a source
 * or fetched by that commit, after the branch moved on. The real entries are checked by the
 * conformance test.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { readProvenance, sha256 } from "../lib/provenance";
import { compareWithSource, vendor, VENDORED, VendorError, vendorSpec, type VendorSpec } from "../scripts/vendor";
import { commitMore, gitRepo } from "./git-fixture";

const top = mkdtempSync(path.join(tmpdir(), "vendor-"));
afterAll(() => rmSync(top, { recursive: true, force: true }));

const values = 'image:\n  repository: example.org/widget\n  tag: ""\n# a comment kept verbatim\n';
const repo = gitRepo(path.join(top, "widget"), "widget-1.2.3", {
  "charts/widget/Chart.yaml": "name: widget\nversion: 1.2.3\nappVersion: 4.5.6\n",
  "charts/widget/values.yaml": values,
  "charts/widget/templates/deployment.yaml": "image: {{ .Values.image.repository }}\n",
  "unrelated/file.txt": "not taken\n",
});
const spec: VendorSpec = {
  name: "widget",
  repository: "example-org/widget",
  paths: ["charts/widget/Chart.yaml", "charts/widget/values.yaml", "charts/widget/templates"],
  refKind: "tag",
  refOf: (v) => `widget-${v}`,
  versionOf: (ref) => ref.replace("widget-", ""),
  check: (_file, version) => {
    if (version === "9.9.9") throw new VendorError("widget 9.9.9 is refused by its check");
  },
};

function project(): string {
  const root = mkdtempSync(path.join(top, "project-"));
  mkdirSync(path.join(root, "upstream"));
  writeFileSync(path.join(root, "upstream", "PROVENANCE.json"), "[]\n");
  return root;
}
const options = (root: string) => ({ root, sources: { "example-org/widget": repo.gitDir }, clone: false });

describe("npm run vendor", () => {
  it("takes the listed paths byte for byte at the tag and records ref, ref kind, commit, sums and images", () => {
    const root = project();
    const entry = vendor(spec, { ref: "widget-1.2.3" }, undefined, options(root));
    expect(entry).toMatchObject({
      name: "widget",
      version: "1.2.3",
      ref: "widget-1.2.3",
      refKind: "tag",
      commit: repo.commit,
    });
    expect(entry.files.map((f) => f.path)).toEqual([
      "upstream/widget/charts/widget/Chart.yaml",
      "upstream/widget/charts/widget/templates/deployment.yaml",
      "upstream/widget/charts/widget/values.yaml",
    ]);
    expect(readFileSync(path.join(root, "upstream/widget/charts/widget/values.yaml"), "utf8")).toBe(values);
    expect(entry.files[2].sha256).toBe(sha256(values));
    // Images are what the project runs from an entry, recorded from what it applies, not by vendoring.
    expect(entry.images).toEqual([]);
    expect(readProvenance(path.join(root, "upstream", "PROVENANCE.json"))).toEqual([entry]);
    expect(compareWithSource(spec, entry, options(root))).toEqual([]);
  });

  it("keeps the images an entry records when it is vendored again, and runs the entry's check", () => {
    const root = project();
    const image = { registry: "example.org", repository: "widget", tag: "v4.5.6" };
    const first = vendor(spec, { ref: "widget-1.2.3" }, undefined, options(root));
    writeFileSync(path.join(root, "upstream", "PROVENANCE.json"), JSON.stringify([{ ...first, images: [image] }]));
    expect(vendor(spec, { ref: "widget-1.2.3" }, undefined, options(root)).images).toEqual([image]);
    expect(() => vendor(spec, { ref: "widget-1.2.3" }, "9.9.9", options(root))).toThrow(
      "widget 9.9.9 is refused by its check",
    );
  });

  it("reports a hand edit and an extra file against the source", () => {
    const root = project();
    const entry = vendor(spec, { ref: "widget-1.2.3" }, undefined, options(root));
    writeFileSync(path.join(root, "upstream/widget/charts/widget/values.yaml"), "image: {}\n");
    writeFileSync(path.join(root, "upstream/widget/charts/widget/extra.yaml"), "x: 1\n");
    const at = `widget-1.2.3 (${repo.commit.slice(0, 12)})`;
    expect(compareWithSource(spec, entry, options(root))).toEqual([
      `upstream/widget/charts/widget/values.yaml differs from example-org/widget ${at}`,
      `upstream/widget/charts/widget/extra.yaml is not in example-org/widget ${at}`,
    ]);
    expect(compareWithSource(spec, entry, { root, clone: false, cacheDir: path.join(top, "none") })).toBeUndefined();
  });

  it("refuses a path the tag does not have, and a tag whose commit moved", () => {
    const root = project();
    expect(() =>
      vendor(
        { ...spec, paths: ["charts/widget/values.schema.json"] },
        { ref: "widget-1.2.3" },
        undefined,
        options(root),
      ),
    ).toThrow(/git archive failed for example-org\/widget: .*'charts\/widget\/values\.schema\.json' did not match/);
    const entry = vendor(spec, { ref: "widget-1.2.3" }, undefined, options(root));
    expect(compareWithSource(spec, { ...entry, commit: "0".repeat(40) }, options(root))).toEqual([
      `widget: widget-1.2.3 is now ${repo.commit}, recorded ${"0".repeat(40)}`,
    ]);
    // Re-vendoring a recorded pin whose tag now names another commit is refused.
    expect(() => vendor(spec, { ref: "widget-1.2.3", commit: "0".repeat(40) }, undefined, options(root))).toThrow(
      /the tag moved; check upstream, then vendor it on purpose with --ref widget-1\.2\.3/,
    );
  });

  describe("a branch pin", () => {
    // A repository whose branch "main" moves on after the pin was taken.
    const dir = path.join(top, "library");
    const first = gitRepo(dir, "unrelated-tag", { "library/widget": "Tags: 1.0\n" });
    const branchSpec: VendorSpec = {
      name: "library",
      repository: "example-org/library",
      paths: ["library/widget"],
      refKind: "branch",
      refOf: () => "main",
      versionOf: () => "1.0",
    };
    const fromSource = (root: string) => ({
      root,
      sources: { "example-org/library": first.gitDir },
      clone: false,
    });
    const root = project();
    const pinned = vendor(branchSpec, { ref: "main" }, undefined, fromSource(root));
    const moved = commitMore(dir, { "library/widget": "Tags: 2.0\n" });
    const widget = () => readFileSync(path.join(root, "upstream/library/library/widget"), "utf8");

    it("is recorded as a branch at the commit it had", () => {
      expect(pinned).toMatchObject({ ref: "main", refKind: "branch", commit: first.commit });
      expect(moved).not.toBe(first.commit);
    });

    it("is re-taken at its recorded commit, not where the branch is now", () => {
      vendor(branchSpec, { ref: "main", commit: pinned.commit }, undefined, fromSource(root));
      expect(widget()).toBe("Tags: 1.0\n");
      expect(compareWithSource(branchSpec, pinned, fromSource(root))).toEqual([]);
      // A new pin (no recorded commit) takes the branch as it is now.
      expect(vendor(branchSpec, { ref: "main" }, undefined, fromSource(root)).commit).toBe(moved);
      expect(widget()).toBe("Tags: 2.0\n");
    });

    it("is fetched by its recorded commit when no source is given, and cached under that commit", () => {
      const cacheDir = path.join(top, "cache");
      const fetched = {
        root,
        cacheDir,
        sources: {},
        remoteUrl: (repository: string) => `file://${repository === "example-org/library" ? dir : "/nowhere"}`,
      };
      vendor(branchSpec, { ref: "main", commit: pinned.commit }, undefined, fetched);
      expect(widget()).toBe("Tags: 1.0\n");
      expect(readdirSync(cacheDir)).toEqual([`example-org+library@${first.commit}.git`]);
      // Offline, the cached commit is enough; a commit nobody has is refused, naming the pin.
      expect(compareWithSource(branchSpec, pinned, { ...fetched, clone: false })).toEqual([]);
      expect(() => vendor(branchSpec, { ref: "main", commit: "1".repeat(40) }, undefined, fromSource(root))).toThrow(
        /does not hold commit 1{40}, the recorded commit of example-org\/library branch main/,
      );
    });

    it("must be of the kind its entry is taken at", () => {
      // "main" is a branch: a tag entry refuses it; "unrelated-tag" is a tag: a branch entry refuses it.
      expect(() => vendor({ ...branchSpec, refKind: "tag" }, { ref: "main" }, undefined, fromSource(root))).toThrow(
        /has no tag main of example-org\/library/,
      );
      expect(() => vendor(branchSpec, { ref: "unrelated-tag" }, undefined, fromSource(root))).toThrow(
        /has no branch unrelated-tag of example-org\/library/,
      );
      expect(compareWithSource({ ...branchSpec, refKind: "tag" }, pinned, fromSource(root))).toEqual([
        "library: recorded as a branch, but example-org/library main is taken as a tag",
      ]);
    });
  });

  it("knows a source for every entry it vendors", () => {
    expect(VENDORED.map((s) => s.name)).toEqual(
      expect.arrayContaining(["karpenter", "cluster-autoscaler", "headlamp"]),
    );
    expect(() => vendorSpec("nope")).toThrow(/no vendored entry "nope"; known: /);
    expect(vendorSpec("karpenter-chart").refOf("1.14.1")).toBe("release-v1.14.1");
    // The two entries taken from branches (proved against the repositories when the pins were recorded).
    expect(VENDORED.filter((s) => s.refKind === "branch").map((s) => s.name)).toEqual(["karpenter-chart", "busybox"]);
    expect(() => vendorSpec("busybox").versionOf("master", () => "")).toThrow(/pass --version/);
  });
});
