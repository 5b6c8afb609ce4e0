import { Testing, TerraformStack, type App } from "cdktf";
import { buildStages, buildTeardownStages, type TeardownMode } from "../app";
import type { Config } from "../config/schema";
import { DESTROY_ORDER, destroyPlan } from "../lib/stages";
import { configWith, defaultConfig, synth, type SynthJson } from "./helpers";
import { describeWithTerraform, evaluate } from "./terraform-eval";

type Body = Record<string, unknown>;

function stacksOf(app: App): Map<string, SynthJson> {
  const stacks = app.node.children.filter(TerraformStack.isStack);
  return new Map(stacks.map((s) => [s.node.id, synth(s)]));
}
const built = new Map<Config, Map<string, SynthJson>>();
const normal = (config: Config) => {
  if (!built.has(config)) {
    const app = Testing.app();
    buildStages(app, config);
    built.set(config, stacksOf(app));
  }
  return built.get(config)!;
};
const teardown = (config: Config, mode: TeardownMode) => {
  const app = Testing.app();
  buildTeardownStages(app, config, mode);
  return stacksOf(app);
};

function allResources(json: SynthJson): [string, Body][] {
  return Object.entries((json.resource ?? {}) as Record<string, Record<string, Body>>).flatMap(([type, byId]) =>
    Object.entries(byId).map(([id, body]) => [`${type}.${id}`, body] as [string, Body]),
  );
}
/** What Terraform keeps in state for a resource: its arguments, not ordering or plan-time checks. */
function stateShape(body: Body): Body {
  const shape: Body = { ...body, prevent_destroy: (body.lifecycle as Body | undefined)?.prevent_destroy };
  delete shape.depends_on;
  delete shape.lifecycle;
  return shape;
}
/** Stateful resources a plain destroy must never reach while the data is kept. */
function guarded(json: SynthJson): string[] {
  return allResources(json)
    .filter(
      ([address, body]) =>
        (body.lifecycle as Body | undefined)?.prevent_destroy === true || address.startsWith("aws_cognito_user_pool."),
    )
    .map(([address]) => address);
}

const defaults = defaultConfig();
const variants: [string, Config][] = [
  ["cluster-autoscaler", defaults],
  [
    "karpenter, SCRATCH_2, an existing bucket",
    configWith((c) => ({
      ...c,
      autoscaler: "karpenter",
      fsx: { ...c.fsx, deploymentType: "SCRATCH_2", dataBucket: { ...c.fsx.dataBucket, create: false } },
    })),
  ],
];

describe.each(variants)("a teardown that keeps the data (%s)", (_name, config) => {
  const full = normal(config);
  const kept = teardown(config, "keep-data");

  it("is eks, fsx and an empty dns: the stacks it tears down by deploying what they keep", () => {
    expect([...kept.keys()].sort()).toEqual(["dns", "eks", "fsx"]);
    expect(allResources(kept.get("dns")!)).toEqual([]);
    expect(kept.get("dns")!.data).toBeUndefined();
  });

  it.each(["eks", "fsx"])("keeps each %s resource at its address with the arguments it was deployed with", (id) => {
    const deployed = new Map(allResources(full.get(id)!));
    const keptResources = allResources(kept.get(id)!);
    expect(keptResources.length).toBeGreaterThan(5);
    for (const [address, body] of keptResources) {
      expect(deployed.has(address)).toBe(true);
      expect({ address, ...stateShape(body) }).toEqual({ address, ...stateShape(deployed.get(address)!) });
    }
  });

  it.each(["eks", "fsx"])("keeps every protected %s resource, so prevent_destroy never aborts the plan", (id) => {
    const keptAddresses = new Set(allResources(kept.get(id)!).map(([a]) => a));
    const protectedOnes = guarded(full.get(id)!);
    expect(protectedOnes.length).toBeGreaterThan(0);
    for (const address of protectedOnes) expect(keptAddresses).toContain(address);
  });

  it("keeps the configuration of every provider whose resources it deletes", () => {
    for (const id of ["eks", "fsx"]) {
      expect(Object.keys(kept.get(id)!.provider ?? {}).sort()).toEqual(
        Object.keys(full.get(id)!.provider ?? {}).sort(),
      );
    }
  });

  it("deletes the cluster and everything in it, and the rules that name the cluster's security group", () => {
    const eksTypes = new Set(allResources(kept.get("eks")!).map(([a]) => a.split(".")[0]));
    expect(eksTypes).not.toContain("aws_eks_cluster");
    expect(eksTypes).not.toContain("aws_eks_node_group");
    expect(eksTypes).toContain("aws_vpc");
    const fsxKept = allResources(kept.get("fsx")!);
    expect(fsxKept.filter(([a]) => a.startsWith("kubernetes_"))).toEqual([]);
    expect(fsxKept.filter(([a]) => /from-nodes|to-nodes/.test(a))).toEqual([]);
    expect(fsxKept.filter(([a]) => a.startsWith("aws_fsx_lustre_file_system."))).toHaveLength(1);
  });

  it("destroys with a plain cdktf destroy only stacks that hold nothing protected; keeps bootstrap and auth whole", () => {
    for (const step of destroyPlan({ yes: false, dryRun: true, deleteData: false }, config)) {
      if (step.action === "destroy")
        expect({ stage: step.stage, guarded: guarded(full.get(step.stage)!) }).toEqual({
          stage: step.stage,
          guarded: [],
        });
      if (full.has(step.stage) && guarded(full.get(step.stage)!).length > 0)
        expect(["deploy-kept", "keep"]).toContain(step.action);
    }
    expect(DESTROY_ORDER.filter((s) => s !== "kubeflow-install").sort()).toEqual([...full.keys()].sort());
  });

  it("finds the cluster it still has to delete objects from by name, not through the eks stack's outputs", () => {
    const fsx = kept.get("fsx")!;
    const [cluster] = Object.values((fsx.data as Record<string, Record<string, Body>>).aws_eks_cluster);
    expect(cluster).toMatchObject({ name: config.cluster.name });
    expect(JSON.stringify(fsx)).not.toContain("cross-stack-output-aws_eks_cluster");
  });

  describeWithTerraform("evaluated by terraform", () => {
    const fsx = () => kept.get("fsx")!;
    const cluster = "data.aws_eks_cluster.cluster-for-teardown";
    const clusters = "data.aws_eks_clusters.clusters-for-teardown";
    const evaluated = (clusterNames: string[], found: unknown[]) => {
      const json = fsx();
      const kubernetes = (json.provider as Record<string, Body[]>).kubernetes[0];
      const lookup = (json.data as Record<string, Record<string, Body>>).aws_eks_cluster["cluster-for-teardown"];
      return evaluate(
        json,
        { count: lookup.count, host: kubernetes.host, ca: kubernetes.cluster_ca_certificate },
        { zones: [], data: { [`${clusters}.names`]: clusterNames, [cluster]: found } },
      );
    };

    it("plans without the cluster once it is gone: a teardown run again after eks still plans", () => {
      expect(evaluated(["someone-elses"], [])).toEqual({ count: 0, host: "", ca: "" });
    });

    it("uses the cluster while it exists", () => {
      const ca = Buffer.from("PEM").toString("base64");
      const found = [{ endpoint: "https://example.eks", certificate_authority: [{ data: ca }] }];
      expect(evaluated([config.cluster.name], found)).toEqual({ count: 1, host: "https://example.eks", ca: "PEM" });
    });
  });
});

describe("a teardown that deletes the data", () => {
  const stacks = teardown(defaults, "delete-data");

  it("has every stage, with nothing protected from destroy", () => {
    expect([...stacks.keys()].sort()).toEqual([...DESTROY_ORDER.filter((s) => s !== "kubeflow-install")].sort());
    for (const [id, json] of stacks) {
      for (const [address, body] of allResources(json)) {
        expect({ id, address, prevent: (body.lifecycle as Body | undefined)?.prevent_destroy === true }).toEqual({
          id,
          address,
          prevent: false,
        });
      }
    }
  });

  it("lets the buckets go with their objects and lifts the user pool's deletion protection", () => {
    const buckets = [...stacks.values()].flatMap((j) =>
      allResources(j).filter(([a]) => a.startsWith("aws_s3_bucket.")),
    );
    expect(buckets.map(([, b]) => b.force_destroy)).toEqual([true, true]);
    const [[, pool]] = allResources(stacks.get("auth")!).filter(([a]) => a.startsWith("aws_cognito_user_pool."));
    expect(pool.deletion_protection).toBe("INACTIVE");
    expect(allResources(stacks.get("dns")!)).toEqual([]);
  });

  it("is the only synthesis with force_destroy: the stages as deployed never have it", () => {
    for (const json of normal(defaults).values()) {
      for (const [, b] of allResources(json).filter(([a]) => a.startsWith("aws_s3_bucket."))) {
        expect(b.force_destroy).toBe(false);
      }
    }
  });
});
