/**
 * Which objects of the committed render each Kubeflow component brings (lib/kubeflow-components.ts),
 * over the real 26.03 render and its sources.json, and the config key that chooses them.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  ComponentSelectionError,
  DEFAULT_COMPONENTS,
  EXAMPLE_RESOURCES,
  installableComponents,
  readRenderSources,
  selectRenderFiles,
} from "../lib/kubeflow-components";
import { renderDir } from "../lib/kubeflow-release";
import { defaultConfig } from "./helpers";

const dir = renderDir("26.03");
const files = readFileSync(path.join(dir, "kustomization.yaml"), "utf8")
  .split("\n")
  .filter((l) => l.startsWith("  - "))
  .map((l) => l.slice(4));
const sources = readRenderSources(dir);
const texts = new Map<string, string>();
const read = (f: string) => texts.get(f) ?? texts.set(f, readFileSync(path.join(dir, f), "utf8")).get(f)!;
const select = (components: Parameters<typeof selectRenderFiles>[3]) =>
  selectRenderFiles("26.03", files, sources, components, read);

describe("Kubeflow components of 26.03", () => {
  it("the default config chooses notebooks, pipelines and katib", () => {
    expect(defaultConfig().kubeflow.components).toEqual(["notebooks", "pipelines", "katib"]);
    expect(DEFAULT_COMPONENTS).toEqual(["notebooks", "pipelines", "katib"]);
  });

  it("places every resource upstream's example lists, and nothing else", () => {
    expect(Object.keys(sources).sort()).toEqual(Object.keys(EXAMPLE_RESOURCES["26.03"]).sort());
    // sources.json attributes all 675 objects, each once.
    const attributed = Object.values(sources).flat();
    expect(attributed).toHaveLength(675);
    expect(new Set(attributed).size).toBe(675);
    // What generate recorded for two resources, read by hand from the render.
    expect(sources["../applications/trainer/overlays"]).toHaveLength(39);
    expect(sources["../applications/katib/upstream/installs/katib-with-kubeflow"]).toHaveLength(30);
  });

  it("refuses a render whose example lists a resource the table does not place", () => {
    expect(() =>
      selectRenderFiles("26.03", ["a.yaml"], { "../applications/hub/upstream": ["a.yaml"] }, [], () => ""),
    ).toThrow(
      new ComponentSelectionError(
        "example/ of Kubeflow 26.03 lists ../applications/hub/upstream, which EXAMPLE_RESOURCES in lib/kubeflow-components.ts does not place",
      ),
    );
  });

  it("installs everything but Trainer when every installable component is chosen", () => {
    expect(installableComponents("26.03")).toEqual(["notebooks", "pipelines", "katib", "kserve", "spark"]);
    const chosen = new Set(select(installableComponents("26.03")));
    const left = files.filter((f) => !chosen.has(f));
    // Trainer's 39, the two policies for its webhooks' pods, its namespace and that namespace's policy.
    expect(left.filter((f) => !sources["../applications/trainer/overlays"].includes(f))).toEqual([
      "namespace-kubeflow-system.yaml",
      "networkpolicy-kubeflow-system-default-allow-same-namespace-kubeflow-system.yaml",
      "networkpolicy-kubeflow-system-jobset-webhook.yaml",
      "networkpolicy-kubeflow-system-trainer-webhook.yaml",
    ]);
    expect(left).toHaveLength(43);
  });

  it("leaves out KServe with Knative, and Spark, by default, with the policies and namespace that serve only them", () => {
    const chosen = select(DEFAULT_COMPONENTS);
    for (const resource of [
      "../applications/kserve/kserve",
      "../applications/kserve/models-web-app/overlays/kubeflow",
      "../common/knative/knative-serving/overlays/gateways",
      "../common/istio/cluster-local-gateway/base",
      "../applications/spark/spark-operator/overlays/kubeflow",
    ])
      expect(sources[resource].filter((f) => chosen.includes(f))).toEqual([]);
    const coreLeft = sources["../common/kubeflow-namespace/base"].filter((f) => !chosen.includes(f));
    expect(coreLeft).toEqual([
      "namespace-kubeflow-system.yaml",
      "networkpolicy-kubeflow-kserve-models-web-app.yaml",
      "networkpolicy-kubeflow-kserve.yaml",
      "networkpolicy-kubeflow-spark-operator-webhook.yaml",
      "networkpolicy-kubeflow-system-default-allow-same-namespace-kubeflow-system.yaml",
      "networkpolicy-kubeflow-system-jobset-webhook.yaml",
      "networkpolicy-kubeflow-system-trainer-webhook.yaml",
    ]);
    // The chosen components' own policies stay, and so do those that select none of the render's pods (as upstream has them).
    expect(chosen).toEqual(
      expect.arrayContaining([
        "networkpolicy-kubeflow-ml-pipeline.yaml",
        "networkpolicy-kubeflow-katib-db-manager.yaml",
        "networkpolicy-kubeflow-jupyter-web-app.yaml",
        "networkpolicy-kubeflow-model-registry.yaml",
      ]),
    );
  });

  it("keeps only the platform core when nothing is chosen", () => {
    const core = select([]);
    const owners = Object.entries(EXAMPLE_RESOURCES["26.03"]);
    for (const [resource, owner] of owners)
      if (owner !== "core") expect(sources[resource].filter((f) => core.includes(f))).toEqual([]);
    expect(core).toEqual(
      expect.arrayContaining(["deployment-kubeflow-centraldashboard.yaml", "namespace-kubeflow.yaml"]),
    );
    expect(core.filter((f) => /katib|ml-pipeline|jupyter/.test(f))).toEqual([]);
  });
});
