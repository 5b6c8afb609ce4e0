import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Testing, TerraformStack, type App } from "cdktf";
import { buildParkedFsxStages, buildStages, buildTeardownStages, type TeardownMode } from "../app";
import type { Config } from "../config/schema";
import { DESTROY_ORDER, destroyPlan } from "../lib/stages";
import { parkLayout } from "../scripts/fsx";
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
const tornDown = new Map<string, Map<string, SynthJson>>();
const teardown = (config: Config, mode: TeardownMode) => {
  const key = `${variants.findIndex(([, c]) => c === config)}:${mode}`;
  if (!tornDown.has(key)) {
    const app = Testing.app();
    buildTeardownStages(app, config, mode);
    tornDown.set(key, stacksOf(app));
  }
  return tornDown.get(key)!;
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

  it("is eks, kubeflow, fsx and an empty dns: the stacks it tears down by deploying what they keep", () => {
    expect([...kept.keys()].sort()).toEqual(["dns", "eks", "fsx", "kubeflow"]);
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

  it("keeps kubeflow's four generated passwords, at the addresses and with every argument they were deployed with, and nothing else", () => {
    const deployed = full.get("kubeflow")!.resource!.random_password;
    expect(Object.keys(deployed)).toHaveLength(4);
    // The whole resource block: the passwords, arguments and provider included, and no other resource.
    expect(kept.get("kubeflow")!.resource).toEqual({ random_password: deployed });
    // What it reads is the cluster's lookup only (no other stage's outputs, which a kept eks stage no longer has).
    expect(Object.keys(kept.get("kubeflow")!.data ?? {}).sort()).toEqual(["aws_eks_cluster", "aws_eks_clusters"]);
    expect(kept.get("kubeflow")!.output).toBeUndefined();
  });

  it("keeps the configuration of every provider whose resources it deletes", () => {
    for (const id of ["eks", "kubeflow", "fsx"]) {
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
    for (const step of destroyPlan(
      { yes: false, dryRun: true, deleteData: false, skipImagePreflight: false },
      config,
    )) {
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

  it.each(["fsx", "kubeflow"])(
    "finds the cluster %s still has to delete objects from by name, not through the eks stack's outputs",
    (id) => {
      const json = kept.get(id)!;
      const [cluster] = Object.values((json.data as Record<string, Record<string, Body>>).aws_eks_cluster);
      expect(cluster).toMatchObject({ name: config.cluster.name });
      expect(JSON.stringify(json)).not.toContain("cross-stack-output-aws_eks_cluster");
    },
  );
});

describe("the kubeflow stage as the deploy end-to-end test's fake CLI models it", () => {
  // deploy-e2e.test.ts shows which credentials a teardown keeps through a fake that keeps the stage's
  // state resource by resource: it must know the stage's real addresses.
  const fake = readFileSync(path.join(__dirname, "fixtures", "fake-cli", "fake-cli.sh"), "utf8");
  const list = (name: string) => new RegExp(`^${name}="([^"]*)"$`, "m").exec(fake)?.[1].split("\n") ?? [];

  it("has the addresses of the stage as deployed, and of its kept stack", () => {
    const addresses = (json: SynthJson) =>
      allResources(json)
        .map(([a]) => a)
        .sort();
    const passwords = list("KUBEFLOW_PASSWORDS");
    expect(passwords.sort()).toEqual(addresses(teardown(defaults, "keep-data").get("kubeflow")!));
    expect([...passwords, ...list("KUBEFLOW_OTHERS")].sort()).toEqual(addresses(normal(defaults).get("kubeflow")!));
  });
});

// The lookup is the same in every variant: evaluated once, on the shipped defaults.
describeWithTerraform("the kept stacks' cluster lookup, evaluated by terraform", () => {
  const cluster = "data.aws_eks_cluster.cluster-for-teardown";
  const clusters = "data.aws_eks_clusters.clusters-for-teardown";
  /** The lookup's count and every provider's host and CA, given what aws_eks_clusters lists and what the lookup finds. */
  const evaluated = (id: string, clusterNames: string[], found: unknown[]) => {
    const json = teardown(defaults, "keep-data").get(id)!;
    const providers = json.provider as Record<string, Body[]>;
    const kubernetes = providers.kubernetes[0];
    const lookup = (json.data as Record<string, Record<string, Body>>).aws_eks_cluster["cluster-for-teardown"];
    const helm = providers.helm?.[0]?.kubernetes as Body | undefined;
    return evaluate(
      json,
      {
        count: lookup.count,
        host: kubernetes.host,
        ca: kubernetes.cluster_ca_certificate,
        ...(helm ? { helmHost: helm.host, helmCa: helm.cluster_ca_certificate } : {}),
      },
      { zones: [], data: { [`${clusters}.names`]: clusterNames, [cluster]: found } },
    );
  };
  const withHelm = (id: string, v: Record<string, unknown>) =>
    id === "kubeflow" ? { ...v, helmHost: v.host, helmCa: v.ca } : v;

  it.each(["fsx", "kubeflow"])(
    "%s plans without the cluster once it is gone: a teardown run again after eks still plans",
    (id) => {
      expect(evaluated(id, ["someone-elses"], [])).toEqual(withHelm(id, { count: 0, host: "", ca: "" }));
    },
  );

  it.each(["fsx", "kubeflow"])("%s uses the cluster while it exists", (id) => {
    const ca = Buffer.from("PEM").toString("base64");
    const found = [{ endpoint: "https://example.eks", certificate_authority: [{ data: ca }] }];
    expect(evaluated(id, [defaults.cluster.name], found)).toEqual(
      withHelm(id, { count: 1, host: "https://example.eks", ca: "PEM" }),
    );
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

  it("destroys kubeflow as its kept stack: every resource in state goes, and no other stage's outputs are read", () => {
    // A destroy plan of a stage with anything in state first plans its whole configuration; after a
    // keep-data teardown the full stack's references to the eks stage's cluster and VPC range no
    // longer resolve, since the kept eks stack has no such outputs.
    const kubeflow = stacks.get("kubeflow")!;
    expect(kubeflow.resource).toEqual({ random_password: normal(defaults).get("kubeflow")!.resource!.random_password });
    expect(kubeflow.data?.terraform_remote_state).toBeUndefined();
    expect(Object.keys(kubeflow.provider ?? {}).sort()).toEqual(
      Object.keys(normal(defaults).get("kubeflow")!.provider ?? {}).sort(),
    );
  });

  it("destroys kubeflow and fsx from stacks that read only eks outputs both eks states have", () => {
    // After a keep-data teardown the eks state holds only the kept stack's outputs; after a deploy,
    // the full stack's. A delete-data run may follow either, so what it reads must be in both.
    const outputs = (json: SynthJson) => new Set(Object.keys((json.output ?? {}) as Body));
    const kept = outputs(teardown(defaults, "keep-data").get("eks")!);
    const deployed = outputs(normal(defaults).get("eks")!);
    const read = (json: SynthJson) =>
      [
        ...JSON.stringify(json).matchAll(
          /terraform_remote_state\.cross-stack-reference-input-eks\.outputs\.([\w.-]+)/g,
        ),
      ].map((m) => m[1]);
    for (const id of ["fsx", "kubeflow"]) {
      for (const output of read(stacks.get(id)!)) {
        expect({ id, output, kept: kept.has(output), deployed: deployed.has(output) }).toEqual({
          id,
          output,
          kept: true,
          deployed: true,
        });
      }
    }
    // The full fsx stack would not do: it reads the cluster (its security group, its endpoint).
    expect(read(normal(defaults).get("fsx")!).some((o) => !kept.has(o))).toBe(true);
    // It is the kept stack, its resources at the deployed addresses.
    const fsxKept = allResources(teardown(defaults, "keep-data").get("fsx")!).map(([a]) => a);
    expect(allResources(stacks.get("fsx")!).map(([a]) => a)).toEqual(fsxKept);
  });

  it("is the only synthesis with force_destroy: the stages as deployed never have it", () => {
    for (const json of normal(defaults).values()) {
      for (const [, b] of allResources(json).filter(([a]) => a.startsWith("aws_s3_bucket."))) {
        expect(b.force_destroy).toBe(false);
      }
    }
  });
});

describe("the fsx stage parked (npm run fsx -- park)", () => {
  const app = Testing.app();
  buildParkedFsxStages(app, defaults);
  const parked = synth(app.node.children.filter(TerraformStack.isStack).find((s) => s.node.id === "fsx")!);
  const full = normal(defaults).get("fsx")!;
  const kept = teardown(defaults, "keep-data").get("fsx")!;
  const types = (json: SynthJson) => new Set(allResources(json).map(([a]) => a.split(".")[0]));

  it("keeps the bucket, the keys, the security group and the logs at their addresses, with the arguments they are deployed with", () => {
    const deployed = new Map(allResources(full));
    const resources = allResources(parked);
    for (const [address, body] of resources) {
      expect(deployed.has(address)).toBe(true);
      expect({ address, ...stateShape(body) }).toEqual({ address, ...stateShape(deployed.get(address)!) });
    }
    for (const type of [
      "aws_s3_bucket",
      "aws_s3_bucket_policy",
      "aws_kms_key",
      "aws_security_group",
      "aws_vpc_security_group_egress_rule",
      "aws_cloudwatch_log_group",
    ])
      expect({ type, kept: types(parked).has(type) }).toEqual({ type, kept: true });
    // Two customer keys: the data bucket's and the file system's.
    expect(allResources(parked).filter(([a]) => a.startsWith("aws_kms_key."))).toHaveLength(2);
  });

  it("is what a teardown keeps without the file system and its S3 link, and has nothing in the cluster", () => {
    const withoutFileSystem = allResources(kept)
      .map(([a]) => a)
      .filter((a) => !/^aws_fsx_(lustre_file_system|data_repository_association)\./.test(a));
    expect(
      allResources(parked)
        .map(([a]) => a)
        .sort(),
    ).toEqual(withoutFileSystem.sort());
    expect([...types(parked)].filter((t) => t.startsWith("aws_fsx_") || t.startsWith("kubernetes_"))).toEqual([]);
  });

  it("leaves out every protected resource it deletes, so prevent_destroy never aborts the plan, and keeps the others", () => {
    const parkedAddresses = new Set(allResources(parked).map(([a]) => a));
    const protectedOnes = guarded(full);
    const deleted = protectedOnes.filter((a) => !parkedAddresses.has(a));
    // Terraform checks prevent_destroy against the configuration; a resource not in it has none.
    expect(deleted).toEqual([expect.stringMatching(/^aws_fsx_lustre_file_system\./)]);
    expect(protectedOnes.length).toBeGreaterThan(deleted.length);
  });

  it("says parked = true in its state, where the stage as deployed says false and a teardown's kept stack nothing", () => {
    expect(parked.output?.parked).toMatchObject({ value: true });
    expect(full.output?.parked).toMatchObject({ value: false });
    expect(kept.output?.parked).toBeUndefined();
  });

  it("reads only the eks outputs that both eks states have, so it plans before and after a teardown", () => {
    const outputs = (json: SynthJson) => new Set(Object.keys((json.output ?? {}) as Body));
    const keptEks = outputs(teardown(defaults, "keep-data").get("eks")!);
    const read = [
      ...JSON.stringify(parked).matchAll(
        /terraform_remote_state\.cross-stack-reference-input-eks\.outputs\.([\w.-]+)/g,
      ),
    ].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(0);
    for (const output of read) expect({ output, kept: keptEks.has(output) }).toEqual({ output, kept: true });
  });

  it("lets park skip the final backup only through the stage's variable, false unless park sets it", () => {
    const [[, fileSystem]] = allResources(full).filter(([a]) => a.startsWith("aws_fsx_lustre_file_system."));
    expect(fileSystem.skip_final_backup).toBe("${var.skip_final_backup}");
    expect((full as SynthJson & { variable?: Body }).variable).toEqual({
      skip_final_backup: expect.objectContaining({ type: "bool", default: true }),
    });
    expect((parked as SynthJson & { variable?: Body }).variable).toBeUndefined();
  });

  it("links, as deployed, the S3 path park exports to and unpark links again", () => {
    const [[, link]] = allResources(full).filter(([a]) => a.startsWith("aws_fsx_data_repository_association."));
    expect(link).toMatchObject({
      data_repository_path: parkLayout(defaults).linkedPath,
      batch_import_meta_data_on_create: true,
    });
    expect(parkLayout(defaults).exportPath).toBe(link.data_repository_path);
  });
});
