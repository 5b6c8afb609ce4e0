/**
 * Pins come only from upstream/PROVENANCE.json: lib/versions.ts writes no version of its own and
 * indexes every entry (both directions), and what the config defaults to is what was vendored.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { provenanceEntry, readProvenance } from "../lib/provenance";
import {
  AWS_LOAD_BALANCER_CONTROLLER_IMAGE_TAG,
  BUSYBOX_IMAGE,
  CLUSTER_AUTOSCALER_VERSIONS,
  KUBERNETES_SCHEMA_VERSION,
  UPSTREAM,
} from "../lib/versions";
import { defaultConfig, REPO_ROOT } from "./helpers";

const source = readFileSync(path.join(REPO_ROOT, "lib", "versions.ts"), "utf8");
/** The code without its comments. */
const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");

describe("pinned versions", () => {
  it("holds no version literal: every pin is read from upstream/PROVENANCE.json", () => {
    expect(code).not.toMatch(/["'`]v?\d+\.\d+/);
    expect(code).toMatch(/readProvenance\(\)/);
  });

  it("indexes every PROVENANCE entry, and nothing else", () => {
    const indexed = Object.values(UPSTREAM).map((e) => e.name);
    expect([...indexed].sort()).toEqual(
      readProvenance()
        .map((e) => e.name)
        .sort(),
    );
    expect(new Set(indexed).size).toBe(indexed.length);
  });

  it("names the missing entry when a pin has no provenance", () => {
    const entries = readProvenance().filter((e) => e.name !== "headlamp");
    expect(() => provenanceEntry("headlamp", entries)).toThrow('upstream/PROVENANCE.json has no entry "headlamp"');
  });

  it("pins the autoscaler to the cluster's minor, the chart and image of their entries", () => {
    const config = defaultConfig();
    expect(Object.keys(CLUSTER_AUTOSCALER_VERSIONS)).toEqual([config.cluster.kubernetesVersion]);
    expect(CLUSTER_AUTOSCALER_VERSIONS[config.cluster.kubernetesVersion]).toEqual({
      chart: UPSTREAM.clusterAutoscalerChart.version,
      imageTag: `v${UPSTREAM.clusterAutoscaler.version}`,
    });
  });

  it("validates objects against the schema of the cluster's own minor", () => {
    expect(KUBERNETES_SCHEMA_VERSION).toBe(defaultConfig().cluster.kubernetesVersion);
  });

  it("defaults Kubeflow to the rendered release", () => {
    expect(defaultConfig().kubeflow.manifestsVersion).toBe(UPSTREAM.kubeflow.version);
  });

  it("runs the images the entries record", () => {
    expect(BUSYBOX_IMAGE).toBe(`public.ecr.aws/docker/library/busybox:${UPSTREAM.busybox.version}`);
    expect(AWS_LOAD_BALANCER_CONTROLLER_IMAGE_TAG).toBe(`v${UPSTREAM.awsLoadBalancerController.version}`);
    // The chart and the controller are released together.
    expect(UPSTREAM.awsLoadBalancerControllerChart.version).toBe(UPSTREAM.awsLoadBalancerController.version);
    expect(UPSTREAM.karpenterChart.version).toBe(UPSTREAM.karpenter.version);
  });

  it("is listed in the README as recorded", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("<!-- pins:start"), readme.indexOf("<!-- pins:end -->"));
    const rows = table
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map((l) => l.split("|").map((c) => c.trim()));
    expect(rows.map((r) => [r[1], r[2], r[3]])).toEqual(
      readProvenance().map((e) => [
        `\`${e.name}\``,
        e.version,
        e.refKind === "commit"
          ? `${e.repository} commit \`${e.commit.slice(0, 7)}\``
          : `${e.repository} ${e.refKind === "branch" ? "branch " : ""}\`${e.ref}\` (\`${e.commit.slice(0, 7)}\`)`,
      ]),
    );
  });
});
