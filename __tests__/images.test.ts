/**
 * The image check (conformance/images.ts) on hand-made inputs: how references are read, how each
 * chart builds its image, and what it refuses. The shipped app and the Kubeflow install are checked
 * by conformance.test.ts and kubeflow-overlay.test.ts, over their real synths and build.
 */
import type { StackJson } from "../conformance/app";
import {
  chartRuleFindings,
  checkDeployedImages,
  promotedImages,
  PROMOTION_NOT_VENDORED,
  stackImages,
  type DeployedImage,
} from "../conformance/images";
import { formatImageReference, normalizeImageReference, parseImageReference } from "../lib/image-ref";
import { readProvenance, type ProvenanceEntry } from "../lib/provenance";

describe("image references", () => {
  it.each([
    ["mysql:8.0", "docker.io/library/mysql:8.0"],
    ["chrislusf/seaweedfs:4.00", "docker.io/chrislusf/seaweedfs:4.00"],
    ["docker.io/alpine/k8s:1.32.3", "docker.io/alpine/k8s:1.32.3"],
    ["localhost:5000/x/y:1", "localhost:5000/x/y:1"],
    ["ghcr.io/kubeflow/kfp-api-server:2.16.0", "ghcr.io/kubeflow/kfp-api-server:2.16.0"],
    [
      "public.ecr.aws/karpenter/controller:1.14.1@sha256:445baefaaa689029cc12ac1f659b916b0b82fb14308ce536f8521fcf079116fa",
      "public.ecr.aws/karpenter/controller:1.14.1@sha256:445baefaaa689029cc12ac1f659b916b0b82fb14308ce536f8521fcf079116fa",
    ],
  ])("%s is %s", (reference, full) => {
    expect(normalizeImageReference(reference)).toBe(full);
  });

  it("splits registry, repository, tag and digest", () => {
    expect(parseImageReference("registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2")).toEqual({
      registry: "registry.k8s.io",
      repository: "autoscaling/cluster-autoscaler",
      tag: "v1.35.2",
    });
    const digest = `sha256:${"a".repeat(64)}`;
    expect(parseImageReference(`gcr.io/x/y@${digest}`)).toEqual({ registry: "gcr.io", repository: "x/y", digest });
    expect(formatImageReference({ registry: "docker.io", repository: "library/busybox" })).toBe(
      "docker.io/library/busybox",
    );
  });

  it.each([["UPPER/case:1"], ["x/y:bad tag"], ["x/y@sha256:short"], [" x:1"]])("refuses %s", (reference) => {
    expect(() => parseImageReference(reference)).toThrow(/is not an image reference/);
  });
});

const release = (chart: string, repository: string, version: string, values: string): StackJson => ({
  name: "test/stack",
  json: {
    resource: {
      helm_release: {
        release: {
          chart,
          repository,
          version,
          values: [values],
          "//": { metadata: { path: `stack/${chart}/release` } },
        },
      },
    },
  },
});
const references = (stacks: StackJson[]) => stackImages(stacks).images.map((i) => i.reference);

describe("each chart's image, as its templates build it", () => {
  it("every image line of every vendored chart is covered by a rule whose template text is still there", () => {
    expect(chartRuleFindings()).toEqual([]);
  });

  it("cluster-autoscaler: the chart's repository with our tag", () => {
    expect(
      references([
        release("cluster-autoscaler", "https://kubernetes.github.io/autoscaler", "9.59.0", "image:\n  tag: v1.35.2\n"),
      ]),
    ).toEqual(["registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2"]);
  });

  it("headlamp: registry/repository and, for an empty tag, v + the chart's appVersion", () => {
    expect(references([release("headlamp", "https://kubernetes-sigs.github.io/headlamp/", "0.45.0", "{}\n")])).toEqual([
      "ghcr.io/headlamp-k8s/headlamp:v0.45.0",
    ]);
  });

  it("nvidia-device-plugin: one image for every DaemonSet it renders, gpu-feature-discovery only when enabled", () => {
    const repo = "https://nvidia.github.io/k8s-device-plugin";
    expect(references([release("nvidia-device-plugin", repo, "0.20.0", "{}\n")])).toEqual([
      "nvcr.io/nvidia/k8s-device-plugin:v0.20.0",
      "nvcr.io/nvidia/k8s-device-plugin:v0.20.0",
    ]);
    expect(references([release("nvidia-device-plugin", repo, "0.20.0", "gfd:\n  enabled: true\n")])).toHaveLength(3);
  });

  it("karpenter: controller.image (not image), with the chart's pinned digest", () => {
    expect(references([release("karpenter", "oci://public.ecr.aws/karpenter", "1.14.1", "{}\n")])).toEqual([
      "public.ecr.aws/karpenter/controller:1.14.1@sha256:445baefaaa689029cc12ac1f659b916b0b82fb14308ce536f8521fcf079116fa",
    ]);
    // Overriding the tag keeps the chart's digest, which then pins the old build: the reference says so.
    expect(
      references([
        release("karpenter", "oci://public.ecr.aws/karpenter", "1.14.1", "controller:\n  image:\n    tag: 1.15.0\n"),
      ]),
    ).toEqual([expect.stringMatching(/^public\.ecr\.aws\/karpenter\/controller:1\.15\.0@sha256:445b/)]);
  });

  it("fails a rule whose template text is gone from the chart (a chart that changed how it builds its image)", () => {
    const findings = chartRuleFindings("/nonexistent-root");
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          where: expect.stringContaining("cluster-autoscaler/charts/cluster-autoscaler/templates/deployment.yaml"),
          message: expect.stringContaining("no longer builds an image with"),
        }),
      ]),
    );
  });
});

const image = (reference: string, entry?: string, where = "Deployment/ns/x container c"): DeployedImage => ({
  reference,
  entry,
  where,
});
const messages = (images: DeployedImage[], options = {}) =>
  checkDeployedImages(images, options).findings.map((f) => `${f.where}: ${f.message}`);

describe("registries and promotion", () => {
  it("refuses the staging registry 26.03's JobSet runs from, naming the image, the object and its entry", () => {
    expect(
      messages([
        image(
          "us-central1-docker.pkg.dev/k8s-staging-images/jobset/jobset:v0.10.1",
          "kubeflow",
          "Deployment/kubeflow-system/jobset-controller-manager container manager",
        ),
      ]),
    ).toEqual([
      expect.stringMatching(
        /^Deployment\/kubeflow-system\/jobset-controller-manager container manager \(PROVENANCE entry "kubeflow"\): us-central1-docker\.pkg\.dev\/k8s-staging-images\/jobset\/jobset:v0\.10\.1 comes from a Kubernetes image promoter staging project/,
      ),
    ]);
  });

  it.each([
    ["gcr.io/k8s-staging-autoscaling/cluster-autoscaler:v1.35.2"],
    ["gcr.io/istio-testing/pilot:1.30-dev"],
    ["gcr.io/knative-nightly/knative.dev/serving/cmd/controller:v20260101"],
    ["kind.local/kubeflow/notebook-controller:1"],
  ])("refuses %s", (reference) => {
    expect(messages([image(reference)])).toEqual([expect.stringContaining(" comes from ")]);
  });

  it("refuses a reference that names no release", () => {
    expect(messages([image("quay.io/x/y")])).toEqual([expect.stringContaining("names no release")]);
    expect(messages([image("quay.io/x/y:latest")])).toEqual([expect.stringContaining("names no release")]);
  });

  it("reads the vendored promoter manifests: where registry.k8s.io serves each project, and its staging sources", () => {
    const projects = promotedImages();
    expect(projects.map((p) => p.prefix).sort()).toEqual(["autoscaling", "jobset"]);
    expect(projects.find((p) => p.prefix === "jobset")!.sources).toEqual([
      "us-central1-docker.pkg.dev/k8s-staging-images/jobset",
    ]);
  });

  it("accepts a registry.k8s.io tag or digest the manifest lists, and refuses one it does not", () => {
    expect(messages([image("registry.k8s.io/jobset/jobset:v0.9.1")])).toEqual([]);
    expect(
      messages([
        image("registry.k8s.io/jobset/jobset@sha256:90b5c9258430fa3da98703dc653ddf5abb04647adc10a449ec78d852a515948f"),
      ]),
    ).toEqual([]);
    expect(
      messages([
        image(
          "registry.k8s.io/jobset/jobset:v0.9.0@sha256:90b5c9258430fa3da98703dc653ddf5abb04647adc10a449ec78d852a515948f",
        ),
      ]),
    ).toEqual([expect.stringContaining("as v0.9.1, not v0.9.0")]);
    expect(messages([image(`registry.k8s.io/jobset/jobset@sha256:${"0".repeat(64)}`)])).toEqual([
      expect.stringContaining("lists no digest"),
    ]);
    expect(messages([image("registry.k8s.io/sig-storage/livenessprobe:v2.18.0")])).toEqual([
      expect.stringContaining("no vendored promoter manifest of kubernetes/k8s.io serves registry.k8s.io/sig-storage/"),
    ]);
  });

  it("JobSet v0.10.1, the tag 26.03 runs, is not promoted by any manifest within reach: Trainer and JobSet stay out", () => {
    // When this fails, a vendored manifest now lists it: install JobSet with an images: override
    // to registry.k8s.io/jobset/jobset:v0.10.1 instead of leaving Trainer and JobSet out.
    expect(messages([image("registry.k8s.io/jobset/jobset:v0.10.1")])).toEqual([
      expect.stringContaining('lists no tag v0.10.1 for "jobset" (it is not promoted)'),
    ]);
  });

  it("accepts an image the vendored manifests predate only with recorded evidence, and only while it is newer than all they list", () => {
    const result = checkDeployedImages([image("registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2")]);
    expect(result.findings).toEqual([]);
    expect(result.unproven).toEqual([
      expect.objectContaining({ reference: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2" }),
    ]);
    expect(Object.keys(PROMOTION_NOT_VENDORED)).toEqual(["registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2"]);
    // v1.35.3 has no evidence recorded; v1.26.9 is older than what the manifest lists, so it was never promoted.
    expect(messages([image("registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.3")])).toEqual([
      expect.stringContaining("lists no tag v1.35.3"),
    ]);
    expect(messages([image("registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.1")])).toEqual([]);
  });
});

describe("the images PROVENANCE records", () => {
  const entry = (name: string, images: ProvenanceEntry["images"]): ProvenanceEntry => ({
    ...readProvenance().find((e) => e.name === "busybox")!,
    name,
    images,
  });

  it("an image deployed from an entry must be recorded by it, and every recorded one deployed", () => {
    const provenance = [
      entry("one", [{ registry: "docker.io", repository: "library/busybox", tag: "1.37.0" }]),
      entry("two", [{ registry: "docker.io", repository: "library/busybox", tag: "1.36.0" }]),
    ];
    expect(
      messages([image("busybox:1.37.0", "one"), image("busybox:1.37.0", "two", "Job/x/y container c")], {
        entries: ["one", "two"],
        provenance,
      }),
    ).toEqual([
      expect.stringMatching(
        /^Job\/x\/y container c: runs docker\.io\/library\/busybox:1\.37\.0, which PROVENANCE entry "two" does not record .*npm run conformance -- --record-images/,
      ),
      'upstream/PROVENANCE.json entry "two": records docker.io/library/busybox:1.36.0, which nothing deploys any more',
    ]);
  });

  it("a Helm value that changes an image is compared with what PROVENANCE records for the chart", () => {
    const stacks = [
      release("cluster-autoscaler", "https://kubernetes.github.io/autoscaler", "9.59.0", "image:\n  tag: v1.35.3\n"),
    ];
    const found = messages(stackImages(stacks).images, { entries: ["cluster-autoscaler"] });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^test\/stack stack\/cluster-autoscaler\/release \(cluster-autoscaler templates\/deployment\.yaml\): runs registry\.k8s\.io\/autoscaling\/cluster-autoscaler:v1\.35\.3, which PROVENANCE entry "cluster-autoscaler" does not record/,
        ),
        expect.stringContaining(
          'entry "cluster-autoscaler": records registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2',
        ),
      ]),
    );
  });
});
