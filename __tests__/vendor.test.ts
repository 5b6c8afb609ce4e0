/**
 * `npm run vendor` on a small git repository: files are taken byte for byte at the tag, with the
 * commit, their sums and the images recorded; a path the tag lacks, a moved tag and a hand edit are
 * all caught. The real entries are checked by the conformance test.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { readProvenance, sha256 } from "../lib/provenance";
import { compareWithSource, vendor, VENDORED, vendorSpec, type VendorSpec } from "../scripts/vendor";
import { gitRepo } from "./git-fixture";

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
  tagOf: (v) => `widget-${v}`,
  versionOf: (tag) => tag.replace("widget-", ""),
  images: () => [{ repository: "example.org/widget", tag: "v4.5.6" }],
};

function project(): string {
  const root = mkdtempSync(path.join(top, "project-"));
  mkdirSync(path.join(root, "upstream"));
  writeFileSync(path.join(root, "upstream", "PROVENANCE.json"), "[]\n");
  return root;
}
const options = (root: string) => ({ root, sources: { "example-org/widget": repo.gitDir }, clone: false });

describe("npm run vendor", () => {
  it("takes the listed paths byte for byte at the tag and records tag, commit, sums and images", () => {
    const root = project();
    const entry = vendor(spec, "widget-1.2.3", undefined, options(root));
    expect(entry).toMatchObject({ name: "widget", version: "1.2.3", tag: "widget-1.2.3", commit: repo.commit });
    expect(entry.files.map((f) => f.path)).toEqual([
      "upstream/widget/charts/widget/Chart.yaml",
      "upstream/widget/charts/widget/templates/deployment.yaml",
      "upstream/widget/charts/widget/values.yaml",
    ]);
    expect(readFileSync(path.join(root, "upstream/widget/charts/widget/values.yaml"), "utf8")).toBe(values);
    expect(entry.files[2].sha256).toBe(sha256(values));
    expect(entry.images).toEqual([{ repository: "example.org/widget", tag: "v4.5.6" }]);
    expect(readProvenance(path.join(root, "upstream", "PROVENANCE.json"))).toEqual([entry]);
    expect(compareWithSource(spec, entry, options(root))).toEqual([]);
  });

  it("reports a hand edit and an extra file against the source", () => {
    const root = project();
    const entry = vendor(spec, "widget-1.2.3", undefined, options(root));
    writeFileSync(path.join(root, "upstream/widget/charts/widget/values.yaml"), "image: {}\n");
    writeFileSync(path.join(root, "upstream/widget/charts/widget/extra.yaml"), "x: 1\n");
    expect(compareWithSource(spec, entry, options(root))).toEqual([
      "upstream/widget/charts/widget/values.yaml differs from example-org/widget widget-1.2.3",
      "upstream/widget/charts/widget/extra.yaml is not in example-org/widget widget-1.2.3",
    ]);
    expect(compareWithSource(spec, entry, { root, clone: false, cacheDir: path.join(top, "none") })).toBeUndefined();
  });

  it("refuses a path the tag does not have, and a tag whose commit moved", () => {
    const root = project();
    expect(() =>
      vendor({ ...spec, paths: ["charts/widget/values.schema.json"] }, "widget-1.2.3", undefined, options(root)),
    ).toThrow();
    const entry = vendor(spec, "widget-1.2.3", undefined, options(root));
    expect(compareWithSource(spec, { ...entry, commit: "0".repeat(40) }, options(root))).toEqual([
      `widget: widget-1.2.3 is now ${repo.commit}, recorded ${"0".repeat(40)}`,
    ]);
    // Re-vendoring a recorded pin whose tag now names another commit is refused.
    expect(() => vendor(spec, "widget-1.2.3", undefined, { ...options(root), expectCommit: "0".repeat(40) })).toThrow(
      /the tag moved; check upstream, then vendor it on purpose with --tag widget-1\.2\.3/,
    );
  });

  it("knows a source for every entry it vendors", () => {
    expect(VENDORED.map((s) => s.name)).toEqual(
      expect.arrayContaining(["karpenter", "cluster-autoscaler", "headlamp"]),
    );
    expect(() => vendorSpec("nope")).toThrow(/no vendored entry "nope"; known: /);
    expect(vendorSpec("karpenter-chart").tagOf("1.14.1")).toBe("release-v1.14.1");
    expect(() => vendorSpec("busybox").versionOf("master", () => "")).toThrow(/pass --version/);
  });
});
