/**
 * The image check (conformance/images.ts) on hand-made inputs: how references are read, how each
 * chart builds its image, and what it refuses. The shipped app and the Kubeflow install are checked
 * by conformance.test.ts and kubeflow-overlay.test.ts, over their real synths and build.
 */
import type { StackJson } from "../conformance/app";
import {
  chartRuleFindings,
  checkDeployedImages,
  dependencyEnabled,
  promotedImages,
  PROMOTION_NOT_VENDORED,
  stackImages,
  type DeployedImage,
} from "../conformance/images";
import { imageFields, objectImages } from "../conformance/object-images";
import { formatImageReference, normalizeImageReference, parseImageReference } from "../lib/image-ref";
import { readProvenance, type ProvenanceEntry } from "../lib/provenance";

describe("image references", () => {
  it.each([
    ["mysql:8.0", "docker.io/library/mysql:8.0"],
    ["kserve/agent:v0.18.0", "docker.io/kserve/agent:v0.18.0"],
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
    // gpu-feature-discovery without the NFD subchart (nfd.enabled decides first): three DaemonSets, all checked.
    const gfdOnly = stackImages([
      release("nvidia-device-plugin", repo, "0.20.0", "gfd:\n  enabled: true\nnfd:\n  enabled: false\n"),
    ]);
    expect(gfdOnly.findings).toEqual([]);
    expect(gfdOnly.images.map((i) => i.reference)).toEqual([
      "nvcr.io/nvidia/k8s-device-plugin:v0.20.0",
      "nvcr.io/nvidia/k8s-device-plugin:v0.20.0",
      "nvcr.io/nvidia/k8s-device-plugin:v0.20.0",
    ]);
  });

  it("nvidia-device-plugin: refuses gfd.enabled or nfd.enabled, which install the NFD subchart we do not vendor", () => {
    const repo = "https://nvidia.github.io/k8s-device-plugin";
    const findings = (values: string) =>
      stackImages([release("nvidia-device-plugin", repo, "0.20.0", values)]).findings.map(
        (f) => `${f.where}: ${f.message}`,
      );
    const unvendored =
      '(chart node-feature-discovery) (Chart.yaml condition "nfd.enabled,gfd.enabled"): it is not vendored ' +
      "(upstream/nvidia-device-plugin/deployments/helm/nvidia-device-plugin/charts/node-feature-discovery), " +
      "so the images it runs are never checked.";
    expect(findings("gfd:\n  enabled: true\n")).toEqual([
      "test/stack stack/nvidia-device-plugin/release (nvidia-device-plugin): gfd.enabled is true, which enables the subchart nfd " +
        unvendored +
        " Leave gfd.enabled unset or false in the release's values, or vendor the subchart and give it CHART_IMAGES rules",
    ]);
    expect(findings("nfd:\n  enabled: true\n")).toEqual([
      "test/stack stack/nvidia-device-plugin/release (nvidia-device-plugin): nfd.enabled is true, which enables the subchart nfd " +
        unvendored +
        " Leave nfd.enabled unset or false in the release's values, or vendor the subchart and give it CHART_IMAGES rules",
    ]);
    // Helm takes the first path of the condition that holds a bool: nfd.enabled false wins over gfd.enabled.
    expect(findings("nfd:\n  enabled: false\ngfd:\n  enabled: true\n")).toEqual([]);
    expect(findings("{}\n")).toEqual([]);
  });

  it("reads a dependency's tags and condition the way Helm does", () => {
    const dep = { name: "sub", condition: "a.enabled,b.enabled", tags: ["extra"] };
    expect(dependencyEnabled(dep, {})).toEqual({ enabled: true });
    expect(dependencyEnabled(dep, { tags: { extra: false } })).toEqual({ enabled: false, by: "tags.extra" });
    expect(dependencyEnabled(dep, { tags: { extra: false }, b: { enabled: true } })).toEqual({
      enabled: true,
      by: "b.enabled",
    });
    expect(dependencyEnabled(dep, { a: { enabled: "yes" }, b: { enabled: false } })).toEqual({
      enabled: false,
      by: "b.enabled",
    });
  });

  it("headlamp: the cluster inventory's plugin images, read from config.clusterInventory when it is enabled", () => {
    const repo = "https://kubernetes-sigs.github.io/headlamp/";
    const plugins =
      "    plugins:\n      - name: aws\n        image: ghcr.io/example/inventory-plugin:v1.2.0\n        mountPath: /plugins/aws\n";
    expect(
      references([release("headlamp", repo, "0.45.0", `config:\n  clusterInventory:\n    enabled: true\n${plugins}`)]),
    ).toEqual(["ghcr.io/headlamp-k8s/headlamp:v0.45.0", "ghcr.io/example/inventory-plugin:v1.2.0"]);
    // Listed but not enabled: the chart renders no image volume.
    expect(
      references([release("headlamp", repo, "0.45.0", `config:\n  clusterInventory:\n    enabled: false\n${plugins}`)]),
    ).toEqual(["ghcr.io/headlamp-k8s/headlamp:v0.45.0"]);
  });

  it("headlamp: the pod debug and node shell images, when set", () => {
    expect(
      references([
        release(
          "headlamp",
          "https://kubernetes-sigs.github.io/headlamp/",
          "0.45.0",
          "config:\n  podDebugImage: docker.io/library/busybox:1.37.0\n  nodeShellImage: public.ecr.aws/docker/library/busybox:1.37.0\n",
        ),
      ]),
    ).toEqual([
      "ghcr.io/headlamp-k8s/headlamp:v0.45.0",
      "docker.io/library/busybox:1.37.0",
      "public.ecr.aws/docker/library/busybox:1.37.0",
    ]);
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
    // v1.35.3 has no evidence recorded, so it is refused; v1.33.1 is listed by the manifest, so it needs none.
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

describe("images named anywhere in an object (conformance/object-images.ts)", () => {
  const configMap = (name: string, data: Record<string, string>, namespace = "kubeflow") => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace },
    data,
  });
  const fields = (o: Record<string, unknown>) => imageFields(o).map((f) => `${f.field} = ${f.value}`);

  it("reads image fields of any kind of object, not only pod specs", () => {
    expect(
      fields({
        apiVersion: "serving.kserve.io/v1alpha1",
        kind: "ClusterServingRuntime",
        metadata: { name: "kserve-sklearnserver" },
        spec: {
          containers: [{ name: "kserve-container", image: "kserve/sklearnserver:v0.16.0", imagePullPolicy: "Always" }],
          workerSpec: { containers: [{ name: "worker", image: "kserve/huggingfaceserver:v0.16.0-gpu" }] },
        },
      }),
    ).toEqual([
      "spec.containers[name=kserve-container].image = kserve/sklearnserver:v0.16.0",
      "spec.workerSpec.containers[name=worker].image = kserve/huggingfaceserver:v0.16.0-gpu",
    ]);
    expect(
      fields({
        apiVersion: "caching.internal.knative.dev/v1alpha1",
        kind: "Image",
        metadata: { name: "queue-proxy", namespace: "knative-serving" },
        spec: { image: "gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.20.0" },
      }),
    ).toEqual(["spec.image = gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.20.0"]);
  });

  it("reads ConfigMap data as the JSON or YAML it holds, and a template's image: lines", () => {
    expect(
      fields(
        configMap("inferenceservice-config", {
          agent:
            '{\n  "image" : "kserve/agent:v0.18.0",\n  "imagePullPolicy": "IfNotPresent",\n  "defaultUrl": "http://default-broker"\n}',
          ingress:
            '{"kserveIngressGateway": "kserve/kserve-ingress-gateway", "localGatewayService": "knative-local-gateway.istio-system.svc.cluster.local"}',
          localModel: '{"defaultJobImage" : "kserve/storage-initializer:v0.18.0", "fsGroup": 1000}',
          _example: "# This block is not actually functional configuration\nimage: kserve/agent:v0.1.0\n",
          cacheImage: "ghcr.io/containerd/busybox",
          "spawner_ui_config.yaml":
            "spawnerFormDefaults:\n  imagePullPolicy:\n    value: IfNotPresent\n  image:\n    readOnly: false\n    value: ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0\n    options:\n    - ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0\n    - ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-full:v1.10.0\n  imageGroupOne:\n    value: ghcr.io/kubeflow/kubeflow/notebook-servers/codeserver-python:v1.10.0\n",
          "katib-config.yaml":
            "---\nruntime:\n  suggestions:\n    - algorithmName: random\n      image: ghcr.io/kubeflow/katib/suggestion-hyperopt:v0.19.0\n",
          templates:
            'templates:\n  grpc: |\n    spec:\n      initContainers:\n        - name: init\n          image: busybox:1.28\n      {{- if .Values.x }}\n        image: "{{ .Values.x.image }}"\n      {{- end }}\n',
          "sync.py":
            'import os\n"""\n    frontend_image: ghcr.io/kubeflow/kfp-frontend\n"""\n    "image": f"{frontend_image}:{frontend_tag}",\n',
        }),
      ),
    ).toEqual([
      "data[agent] image = kserve/agent:v0.18.0",
      "data[localModel] defaultJobImage = kserve/storage-initializer:v0.18.0",
      "data[cacheImage] = ghcr.io/containerd/busybox",
      "data[spawner_ui_config.yaml] spawnerFormDefaults.image.value = ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0",
      "data[spawner_ui_config.yaml] spawnerFormDefaults.image.options[0] = ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0",
      "data[spawner_ui_config.yaml] spawnerFormDefaults.image.options[1] = ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-full:v1.10.0",
      "data[spawner_ui_config.yaml] spawnerFormDefaults.imageGroupOne.value = ghcr.io/kubeflow/kubeflow/notebook-servers/codeserver-python:v1.10.0",
      "data[katib-config.yaml] runtime.suggestions[0].image = ghcr.io/kubeflow/katib/suggestion-hyperopt:v0.19.0",
      "data[templates] templates.grpc line 4 = busybox:1.28",
      "data[templates] templates.grpc line 6 = {{ .Values.x.image }}",
      'data[sync.py] line 5 = f"{frontend_image}:{frontend_tag}"',
    ]);
  });

  it("reads images handed over in env values and flags, and takes no URL, host:port or plain name for one", () => {
    expect(
      fields({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "x", namespace: "kubeflow" },
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: "c",
                  image: "quay.io/argoproj/workflow-controller:v3.7.3",
                  args: [
                    "--executor-image",
                    "quay.io/argoproj/argoexec:v3.7.3",
                    "--acme-http01-solver-image=quay.io/jetstack/cert-manager-acmesolver:v1.19.4",
                    "--port=8080",
                    "--image-pull-policy=Always",
                  ],
                  env: [
                    { name: "V2_LAUNCHER_IMAGE", value: "ghcr.io/kubeflow/kfp-launcher:2.16.0" },
                    { name: "VOLUME_VIEWER_IMAGE", value: "filebrowser/filebrowser:v2.25.0" },
                    { name: "AWS_ENDPOINT_URL", value: "http://seaweedfs.kubeflow:8111" },
                    { name: "OBJECT_STORE", value: "seaweedfs.kubeflow:9000" },
                    { name: "MODULE", value: "knative.dev/net-istio" },
                    { name: "APP", value: "mysql:8.0" },
                    { name: "PINNED", value: "registry.example.com/team/tool:1.0" },
                    { name: "CACHE_IMAGE", valueFrom: { configMapKeyRef: { name: "c", key: "cacheImage" } } },
                  ],
                },
              ],
            },
          },
        },
      }),
    ).toEqual([
      "spec.template.spec.containers[name=c].image = quay.io/argoproj/workflow-controller:v3.7.3",
      "spec.template.spec.containers[name=c].args[1] = quay.io/argoproj/argoexec:v3.7.3",
      "spec.template.spec.containers[name=c].args[2] (--acme-http01-solver-image) = quay.io/jetstack/cert-manager-acmesolver:v1.19.4",
      "spec.template.spec.containers[name=c].env[name=V2_LAUNCHER_IMAGE].value = ghcr.io/kubeflow/kfp-launcher:2.16.0",
      "spec.template.spec.containers[name=c].env[name=VOLUME_VIEWER_IMAGE].value = filebrowser/filebrowser:v2.25.0",
      // Image-shaped by itself (a registry host, a path and a tag), whatever the variable is called.
      "spec.template.spec.containers[name=c].env[name=PINNED].value = registry.example.com/team/tool:1.0",
    ]);
  });

  it("checks every image found in configuration like a container's: staging refused, registry.k8s.io promotion", () => {
    const images = objectImages(
      [
        configMap("inferenceservice-config", {
          agent: '{"image": "gcr.io/k8s-staging-kserve/agent:v0.18.0"}',
          // KServe runs the ART explainer as image:defaultImageVersion: pinned here, it passes.
          explainers: '{"art": {"image": "kserve/art-explainer", "defaultImageVersion": "v0.16.0"}}',
        }),
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "kserve-controller-manager", namespace: "kubeflow" },
          spec: {
            template: { spec: { containers: [{ name: "manager", image: "kserve/kserve-controller:v0.16.0" }] } },
          },
        },
        configMap("katib-config", {
          "katib-config.yaml":
            "runtime:\n  suggestions:\n    - algorithmName: random\n      image: registry.k8s.io/jobset/jobset:v0.10.1\n",
        }),
      ],
      "kubeflow",
    );
    expect(messages(images)).toEqual([
      expect.stringMatching(
        /^ConfigMap\/kubeflow\/inferenceservice-config data\[agent\] image \(PROVENANCE entry "kubeflow"\): gcr\.io\/k8s-staging-kserve\/agent:v0\.18\.0 comes from a Kubernetes image promoter staging project/,
      ),
      expect.stringMatching(
        /^ConfigMap\/kubeflow\/katib-config data\[katib-config\.yaml\] runtime\.suggestions\[0\]\.image \(PROVENANCE entry "kubeflow"\): registry\.k8s\.io\/jobset\/jobset:v0\.10\.1: .* lists no tag v0\.10\.1 for "jobset"/,
      ),
    ]);
  });

  describe("images a program composes (COMPOSED_IMAGES)", () => {
    const injectorConfig = [
      "templates:",
      "  sidecar: |",
      '    {{- if contains "/" (annotation .ObjectMeta `sidecar.istio.io/proxyImage` .Values.global.proxy_init.image) }}',
      '    {{- if contains "/" (annotation .ObjectMeta `sidecar.istio.io/proxyImage` .Values.global.proxy.image) }}',
      '      image: "{{ annotation .ObjectMeta `sidecar.istio.io/proxyImage` .Values.global.proxy.image }}"',
      "    {{- else }}",
      '      image: "{{ .ProxyImage }}"',
      "    {{- end }}",
      "  agentgateway: |",
      '      image: "{{ .AgentgatewayImage }}"',
      "",
    ].join("\n");
    const injector = (tag: string, config = injectorConfig) =>
      configMap(
        "istio-sidecar-injector",
        {
          config,
          values: JSON.stringify({
            global: { hub: "gcr.io/istio-release", tag, variant: "", proxy: { image: "proxyv2" } },
          }),
        },
        "istio-system",
      );
    const istiod = (tag: string) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "istiod", namespace: "istio-system" },
      spec: { template: { spec: { containers: [{ name: "discovery", image: `gcr.io/istio-release/pilot:${tag}` }] } } },
    });
    const run = (objects: Record<string, unknown>[]) =>
      objectImages(objects, "kubeflow").map((i) => `${i.where}: ${i.problem ?? i.reference}`);

    it("resolves Istio's sidecar image from the injector's values, and runs neither the partial name nor an unselected template", () => {
      expect(run([injector("1.29.0"), istiod("1.28.0")])).toEqual([
        "ConfigMap/istio-system/istio-sidecar-injector data[config] templates.sidecar line 5 (Istio's ProxyImage: global.hub/global.proxy.image:global.tag of data[values]): gcr.io/istio-release/proxyv2:1.29.0",
        "Deployment/istio-system/istiod spec.template.spec.containers[name=discovery].image: gcr.io/istio-release/pilot:1.28.0",
      ]);
    });

    it("says when a rule's evidence is gone, when its program is another version, and when a value has no rule", () => {
      const noInitGuard = injectorConfig.replace(/ \.Values\.global\.proxy_init\.image\) \}\}/, ") }}");
      expect(run([injector("1.28.0", noInitGuard), istiod("1.28.0")])).toEqual([
        'ConfigMap/istio-system/istio-sidecar-injector data[config] templates.sidecar line 3: the istiod (sidecar injection) rule of COMPOSED_IMAGES no longer holds: {{- if contains "/" (annotation .ObjectMeta `sidecar.istio.io/proxyImage` .Values.global.proxy_init.image) }} is gone',
        "ConfigMap/istio-system/istio-sidecar-injector data[config] templates.sidecar line 5 (Istio's ProxyImage: global.hub/global.proxy.image:global.tag of data[values]): gcr.io/istio-release/proxyv2:1.28.0",
        'ConfigMap/istio-system/istio-sidecar-injector data[values] global.proxy.image: the istiod (sidecar injection) rule of COMPOSED_IMAGES no longer holds: {{- if contains "/" (annotation .ObjectMeta `sidecar.istio.io/proxyImage` .Values.global.proxy_init.image) }} is gone',
        "Deployment/istio-system/istiod spec.template.spec.containers[name=discovery].image: gcr.io/istio-release/pilot:1.28.0",
      ]);
      expect(run([injector("1.29.0"), istiod("1.29.0")])).toEqual(
        expect.arrayContaining([
          "ConfigMap/istio-system/istio-sidecar-injector data[config] templates.sidecar line 5: the istiod (sidecar injection) rule of COMPOSED_IMAGES was read in the source of gcr.io/istio-release/pilot:1.28.0, but Deployment/istio-system/istiod runs gcr.io/istio-release/pilot:1.29.0: read it again",
        ]),
      );
      expect(
        run([configMap("tool-config", { "pod.yaml": "spec:\n  containers:\n    - image: $TOOL_IMAGE\n" })]),
      ).toEqual([
        'ConfigMap/kubeflow/tool-config data[pod.yaml] spec.containers[0].image: "$TOOL_IMAGE" is a template of an image: no COMPOSED_IMAGES rule says how its program makes the image (conformance/object-images.ts)',
      ]);
      expect(run([configMap("tool-config", { toolImage: "proxyv2" })])).toEqual([
        'ConfigMap/kubeflow/tool-config data[toolImage]: "proxyv2" is a name without registry or tag (part of an image, or one pulled as :latest): no COMPOSED_IMAGES rule says how its program makes the image (conformance/object-images.ts)',
      ]);
    });
  });
});
