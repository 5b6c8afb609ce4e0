import {
  buildApp,
  configWith,
  defaultConfig,
  dataSources,
  mimeParts,
  referencedAddress,
  resource,
  resources,
  type SynthJson,
} from "./helpers";
import { applyThenPlan, describeWithTerraform, evaluate } from "./terraform-eval";
import { parse } from "yaml";
import { LUSTRE_DNF_COMMAND, nodeUserData } from "../lib/node-user-data";

type Body = Record<string, unknown>;
const TEMPLATE = "k8s.io/cluster-autoscaler/node-template/";

const { stages, json } = buildApp();
const eks: SynthJson = json(stages.eks);
const nodeGroups = resources(eks, "aws_eks_node_group");
const byName = (name: string): [string, Body] => {
  const found = nodeGroups.find(([, body]) => body.node_group_name === name);
  if (!found) throw new Error(`no node group ${name}`);
  return found;
};
const config = stages.eks.config;
const ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"];

/** The template tags written for the node group with this logical id, as key -> value (one for_each resource per group). */
function asgTagsOf(json: SynthJson, nodeGroupId: string): Record<string, string> {
  const own = resources(json, "aws_autoscaling_group_tag").filter(
    ([, body]) =>
      body.autoscaling_group_name === `\${aws_eks_node_group.${nodeGroupId}.resources[0].autoscaling_groups[0].name}`,
  );
  if (own.length !== 1) throw new Error(`expected one tag resource for ${nodeGroupId}, found ${own.length}`);
  const [id, body] = own[0];
  expect(id).toMatch(/_asg-template-tags_/);
  expect(body.tag).toEqual({ key: "${each.key}", value: "${each.value}", propagate_at_launch: false });
  return body.for_each as Record<string, string>;
}

const groupIn = (json: SynthJson, size: string, zone: number, capacity: "spot" | "on-demand") =>
  resources(json, "aws_eks_node_group").filter(([id]) =>
    id.startsWith(`gpu-size-${size}_zone-${zone}_${capacity}_node-group_`),
  );
const warningsOf = (app: ReturnType<typeof buildApp>) =>
  app.stages.eks.node
    .findAll()
    .flatMap((n) => n.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data)));

describe("eks stack: GPU node groups, one Spot and one On-Demand group per size and zone", () => {
  const gpuSizes = config.nodeGroups.gpu;
  const group = (size: string, zone: number, capacity: "spot" | "on-demand"): [string, Body] => {
    const found = groupIn(eks, size, zone, capacity);
    if (found.length !== 1) throw new Error(`no single ${capacity} group of ${size} in zone ${zone}`);
    return found[0];
  };

  it("every size has a Spot and an On-Demand group in every configured zone, named and placed from config alone", () => {
    expect(config.network.zones).toEqual(ZONES);
    expect(nodeGroups).toHaveLength(1 + gpuSizes.length * ZONES.length * 2);
    for (const gpu of gpuSizes) {
      ZONES.forEach((zoneName, zone) => {
        const subnet = resources(eks, "aws_subnet").find(([id]) => id.startsWith(`network_private-${zone}_`))!;
        expect(subnet[1].availability_zone).toBe(zoneName);
        for (const capacity of ["spot", "on-demand"] as const) {
          const [, g] = group(gpu.name, zone, capacity);
          expect(g.node_group_name).toBe(`${gpu.name}-${capacity}-${zoneName}`);
          expect(g.instance_types).toEqual(gpu.instanceTypes);
          expect(g).not.toHaveProperty("count");
          expect(g.capacity_type).toBe(capacity === "spot" ? "SPOT" : "ON_DEMAND");
          expect(g.subnet_ids).toEqual([`\${aws_subnet.${subnet[0]}.id}`]);
          expect(g.ami_type).toBe("AL2023_x86_64_NVIDIA");
          expect(g.scaling_config).toMatchObject({ min_size: 0, desired_size: 0 });
          expect(g.taint).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
          expect(g.labels).toMatchObject({
            "nvidia.com/gpu.present": "true",
            "kubeflow-eks/gpu-size": gpu.name,
            "kubeflow-eks/capacity-type": capacity,
          });
          expect(g.lifecycle).toEqual({ ignore_changes: ["scaling_config[0].desired_size"] });
          expect(g).not.toHaveProperty("remote_access");
        }
      });
    }
  });

  it("splits each size's maxSize over its zones: gpu-1x 4 as 2+1+1, gpu-4x 3 as 1+1+1", () => {
    const max = (size: string, capacity: "spot" | "on-demand") =>
      [0, 1, 2].map((z) => (group(size, z, capacity)[1].scaling_config as Body).max_size);
    expect(max("gpu-1x", "spot")).toEqual([2, 1, 1]);
    expect(max("gpu-1x", "on-demand")).toEqual([2, 1, 1]);
    expect(max("gpu-4x", "spot")).toEqual([1, 1, 1]);
  });

  it("writes each group's node template onto its ASG: labels, the Lustre label, taint, GPUs, ephemeral storage, its zone", () => {
    for (const gpu of gpuSizes) {
      ZONES.forEach((zoneName, zone) => {
        for (const capacity of ["spot", "on-demand"] as const) {
          const [id, g] = group(gpu.name, zone, capacity);
          const tags = asgTagsOf(eks, id);
          for (const [k, v] of Object.entries(g.labels as Record<string, string>))
            expect(tags[`${TEMPLATE}label/${k}`]).toBe(v);
          expect(tags[`${TEMPLATE}label/kubeflow-eks/lustre-client`]).toBe("installed");
          expect(tags[`${TEMPLATE}taint/nvidia.com/gpu`]).toBe("true:NoSchedule");
          expect(tags[`${TEMPLATE}resources/nvidia.com/gpu`]).toBe(gpu.name === "gpu-4x" ? "4" : "1");
          // 100 GiB root: 99 GiB of file system, less 10% eviction reserve and 1 GiB kube-reserved.
          expect(tags[`${TEMPLATE}resources/ephemeral-storage`]).toBe(gpu.name === "gpu-4x" ? "177Gi" : "88Gi");
          expect(tags[`${TEMPLATE}label/topology.kubernetes.io/zone`]).toBe(zoneName);
          expect(tags[`${TEMPLATE}label/topology.ebs.csi.aws.com/zone`]).toBe(zoneName);
          const extra = Object.keys(tags)
            .filter((k) => k.startsWith(`${TEMPLATE}label/`))
            .map((k) => k.slice(`${TEMPLATE}label/`.length))
            .filter((l) => !(l in (g.labels as Body)));
          expect(extra.sort()).toEqual([
            "kubeflow-eks/lustre-client",
            "topology.ebs.csi.aws.com/zone",
            "topology.kubernetes.io/zone",
          ]);
        }
      });
    }
  });

  it("leaves EKS's discovery tags to EKS: no tag resource writes (or could delete) them", () => {
    for (const [, body] of resources(eks, "aws_autoscaling_group_tag")) {
      const keys = Object.keys(body.for_each as Body);
      expect(keys.every((k) => k.startsWith(TEMPLATE))).toBe(true);
      expect(keys).not.toContain("k8s.io/cluster-autoscaler/enabled");
      expect(keys).not.toContain(`k8s.io/cluster-autoscaler/${config.cluster.name}`);
    }
  });

  it("forgets the tag resources earlier versions wrote (discovery tags included) without deleting a tag", () => {
    const removed = (eks as SynthJson & { removed?: { from: string; lifecycle: Body }[] }).removed ?? [];
    expect(removed).toHaveLength(nodeGroups.length);
    for (const r of removed) {
      expect(r.lifecycle).toEqual({ destroy: false });
      const [type, id] = r.from.split(".");
      expect(type).toBe("aws_autoscaling_group_tag");
      expect(id).toMatch(/_asg-tags_[0-9A-F]{8}$/);
      // Not a resource of today's configuration (Terraform refuses a removed block for one).
      expect(resources(eks, "aws_autoscaling_group_tag").map(([i]) => i)).not.toContain(id);
    }
    // One for each group: the path of its old resource.
    const groupPaths = nodeGroups.map(([id]) => id.replace(/_node-group_[0-9A-F]+$/, ""));
    expect(removed.map((r) => r.from.split(".")[1].replace(/_asg-tags_[0-9A-F]+$/, "")).sort()).toEqual(
      groupPaths.sort(),
    );
  });

  describeWithTerraform("planned by terraform", () => {
    it("an upgrade forgets the old tags resource, EKS's discovery tags among them, and deletes no tag", () => {
      const removed = (eks as SynthJson & { removed: { from: string; lifecycle: Body }[] }).removed;
      const [systemId] = byName("system");
      const oldId = removed.find((r) => r.from.includes(systemId.replace(/_node-group_.*/, "_asg-tags_")))!.from;
      const newId = resources(eks, "aws_autoscaling_group_tag").find(([, t]) =>
        String(t.autoscaling_group_name).includes(systemId),
      )![0];
      // terraform_data stand-ins at the same names: what the old version wrote, then today's configuration.
      const asTerraformData = (address: string) => `terraform_data.${address.split(".")[1]}`;
      const before = {
        resource: {
          terraform_data: {
            [oldId.split(".")[1]]: {
              for_each: {
                "k8s.io/cluster-autoscaler/enabled": "true",
                "k8s.io/cluster-autoscaler/kubeflow": "owned",
                "k8s.io/cluster-autoscaler/node-template/label/kubeflow-eks/node-role": "system",
              },
              input: "${each.value}",
            },
          },
        },
      };
      const after = {
        removed: removed.map((r) => ({ ...r, from: asTerraformData(r.from) })),
        resource: { terraform_data: { [newId]: { for_each: asgTagsOf(eks, systemId), input: "${each.value}" } } },
      };
      const plan = applyThenPlan(before, after);
      expect(plan.output).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
      expect(plan.output).toContain(
        `${asTerraformData(oldId)}["k8s.io/cluster-autoscaler/enabled"] will no longer be managed by Terraform, but will not be destroyed`,
      );
    });
  });

  it("the system group's template has the Lustre label and its disk's storage, and no zone labels: it spans every zone", () => {
    const tags = asgTagsOf(eks, byName("system")[0]);
    expect(Object.keys(tags).some((k) => k.includes("topology"))).toBe(false);
    expect(tags).not.toHaveProperty(`${TEMPLATE}resources/nvidia.com/gpu`);
    expect(tags[`${TEMPLATE}label/kubeflow-eks/lustre-client`]).toBe("installed");
    expect(tags[`${TEMPLATE}resources/ephemeral-storage`]).toBe("43Gi");
  });

  it("does not tag the ASGs' instances (propagate_at_launch false): the labels reach nodes through EKS", () => {
    expect(resources(eks, "aws_autoscaling_group_tag")).toHaveLength(nodeGroups.length);
    for (const [, body] of resources(eks, "aws_autoscaling_group_tag")) {
      expect((body.tag as Body).propagate_at_launch).toBe(false);
    }
  });

  it("gives the last zones no group of a size whose maxSize is below its zone count, and says so", () => {
    const small = buildApp(
      configWith((c) => ({ ...c, nodeGroups: { ...c.nodeGroups, gpu: [{ ...c.nodeGroups.gpu[1], maxSize: 2 }] } })),
    );
    const j = small.json(small.stages.eks);
    expect([0, 1, 2].map((z) => groupIn(j, "gpu-4x", z, "spot").length)).toEqual([1, 1, 0]);
    expect([0, 1].map((z) => (groupIn(j, "gpu-4x", z, "spot")[0][1].scaling_config as Body).max_size)).toEqual([1, 1]);
    expect(warningsOf(small)).toContainEqual(
      expect.stringMatching(/GPU size gpu-4x: maxSize 2 is below its 3 zones, so us-west-2c get no group of it/),
    );
  });

  it("uses a zone's own types where config narrows them, and no group where it lists none", () => {
    const narrowed = buildApp(
      configWith((c) => ({
        ...c,
        nodeGroups: {
          ...c.nodeGroups,
          gpu: [
            { ...c.nodeGroups.gpu[0], zoneInstanceTypes: { "us-west-2b": ["g5.xlarge"], "us-west-2c": [] } },
            c.nodeGroups.gpu[1],
          ],
        },
      })),
    );
    const j = narrowed.json(narrowed.stages.eks);
    expect(groupIn(j, "gpu-1x", 0, "spot")[0][1].instance_types).toEqual(["g6.xlarge", "g5.xlarge", "g4dn.xlarge"]);
    expect(groupIn(j, "gpu-1x", 1, "spot")[0][1].instance_types).toEqual(["g5.xlarge"]);
    expect(groupIn(j, "gpu-1x", 2, "spot")).toEqual([]);
    // maxSize 4 over the two zones that have types.
    expect([0, 1].map((z) => (groupIn(j, "gpu-1x", z, "on-demand")[0][1].scaling_config as Body).max_size)).toEqual([
      2, 2,
    ]);
  });
});

describe("eks stack: zones and instance types are config; AWS's offerings only check them", () => {
  const offerings = dataSources(eks, "aws_ec2_instance_type_offerings");
  const allTypes = [
    ...config.nodeGroups.system.instanceTypes,
    ...config.nodeGroups.gpu.flatMap((g) => g.instanceTypes),
  ];
  const problemsLocal = () => Object.keys(eks.locals ?? {}).find((id) => id.startsWith("zones_problems"))!;

  it("looks up the zones offering each configured instance type, among standard zones (no opt-in Local Zones)", () => {
    const filtered = offerings.map(([, body]) => {
      expect(body.location_type).toBe("availability-zone");
      return (body.filter as { name: string; values: string[] }[])[0];
    });
    expect(filtered.every((f) => f.name === "instance-type" && f.values.length === 1)).toBe(true);
    expect(filtered.map((f) => f.values[0]).sort()).toEqual([...new Set(allTypes)].sort());
    const [[, zones]] = dataSources(eks, "aws_availability_zones");
    // In any state: a zone AWS marks impaired must not stop every plan.
    expect(zones).toEqual({ filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
  });

  it("checks only the system types in Karpenter mode, which launches GPU nodes from what is offered then", () => {
    const k = buildApp(configWith((c) => ({ ...c, autoscaler: "karpenter" })));
    const looked = dataSources(k.json(k.stages.eks), "aws_ec2_instance_type_offerings").map(
      ([, b]) => (b.filter as { values: string[] }[])[0].values[0],
    );
    expect(looked.sort()).toEqual([...config.nodeGroups.system.instanceTypes].sort());
  });

  it("places subnets in the configured zones, in order, as literals", () => {
    const zoneOf = (kind: string, i: number) =>
      resources(eks, "aws_subnet").find(([id]) => id.startsWith(`network_${kind}-${i}_`))![1].availability_zone;
    expect([0, 1, 2].map((i) => zoneOf("private", i))).toEqual(ZONES);
    expect([0, 1, 2].map((i) => zoneOf("public", i))).toEqual(ZONES);
  });

  /** Every argument that replaces a subnet, a node group or its launch template when it changes. */
  const replacingArguments = (json: SynthJson) => ({
    subnets: resources(json, "aws_subnet").map(([id, s]) => [id, s.availability_zone, s.cidr_block, s.vpc_id]),
    nodeGroups: resources(json, "aws_eks_node_group").map(([id, g]) => [
      id,
      g.node_group_name,
      g.instance_types,
      g.subnet_ids,
      g.capacity_type,
      g.ami_type,
      g.cluster_name,
      g.node_role_arn,
      g.count ?? null,
    ]),
    groupCount: resources(json, "aws_eks_node_group").length,
  });

  it("derives no replacing argument from a lookup: none references a data source", () => {
    const text = JSON.stringify(replacingArguments(eks));
    expect(text).not.toMatch(/data\.aws_(ec2_instance_type_offerings|availability_zones)/);
    expect(text).not.toMatch(/\blocal\./);
  });

  describeWithTerraform("evaluated by terraform", () => {
    const everywhere = { zones: [...ZONES, "us-west-2d"] };
    const narrow = {
      zones: ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"],
      offerings: {
        "g6.xlarge": ["us-west-2a", "us-west-2d"],
        "g4dn.12xlarge": [],
        "m6i.large": ["us-west-2a", "us-west-2b"],
      },
    };

    it("gives the same replacing arguments under different offerings (and no problem where all is offered)", () => {
      // References to other resources (the VPC, subnets, the node role) are the same resource either way.
      const args = JSON.parse(
        JSON.stringify(replacingArguments(eks)).replace(/\$\{(aws_[a-z_]+\.[^}]+)\}/g, "resource:$1"),
      ) as unknown;
      const a = evaluate(eks, { args, problems: `\${local.${problemsLocal()}}` }, everywhere);
      const b = evaluate(eks, { args }, narrow);
      expect(a.args).toEqual(args);
      expect(b.args).toEqual(a.args);
      expect(a.problems).toEqual([]);
    });

    it("names each zone and type AWS no longer offers there, with the fix, and stops the plan on the VPC", () => {
      const named = buildApp(defaultConfig(), "config/prod.yaml");
      const j = named.json(named.stages.eks);
      const [pre] = (resource(j, "aws_vpc", "vpc").lifecycle as { precondition: Body[] }).precondition;
      const r = evaluate(j, { ok: pre.condition, message: pre.error_message }, narrow) as {
        ok: boolean;
        message: string;
      };
      expect(r.ok).toBe(false);
      const lines = r.message.split("\n");
      expect(lines[0]).toBe(
        "The zones and instance types in config/prod.yaml do not match what AWS offers in this account and region, so nothing was planned:",
      );
      const offeredIn = (zones: string) => `(it is offered in ${zones})`;
      expect(lines.slice(1, -1)).toEqual([
        `- nodeGroups.system.instanceTypes: m6i.large is not offered in us-west-2c ${offeredIn("us-west-2a, us-west-2b")}. Fix: use system types offered in every zone of network.zones`,
        `- nodeGroups.gpu[0] (gpu-1x): g6.xlarge is not offered in us-west-2b ${offeredIn("us-west-2a, us-west-2d")}. Fix: list the types of gpu-1x offered there under nodeGroups.gpu[0].zoneInstanceTypes.us-west-2b (or [] for no gpu-1x group there)`,
        `- nodeGroups.gpu[0] (gpu-1x): g6.xlarge is not offered in us-west-2c ${offeredIn("us-west-2a, us-west-2d")}. Fix: list the types of gpu-1x offered there under nodeGroups.gpu[0].zoneInstanceTypes.us-west-2c (or [] for no gpu-1x group there)`,
        ...ZONES.map(
          (z) =>
            `- nodeGroups.gpu[1] (gpu-4x): g4dn.12xlarge is not offered in ${z} ${offeredIn("")}. Fix: list the types of gpu-4x offered there under nodeGroups.gpu[1].zoneInstanceTypes.${z} (or [] for no gpu-4x group there)`,
        ),
      ]);
      expect(lines[lines.length - 1]).toMatch(/Subnets never move, so for a deployed network change the types/);
    });

    it("names a configured zone the account does not have", () => {
      const r = evaluate(eks, { problems: `\${local.${problemsLocal()}}` }, { zones: ["us-west-2a", "us-west-2b"] });
      expect(r.problems).toEqual([
        "network.zones: us-west-2c is not a standard zone of this region in this account (those are us-west-2a, us-west-2b); list zones from that set",
      ]);
    });

    it("checks a narrowed zone only for the types config leaves it", () => {
      const narrowed = buildApp(
        configWith((c) => ({
          ...c,
          nodeGroups: {
            ...c.nodeGroups,
            gpu: [
              { ...c.nodeGroups.gpu[0], zoneInstanceTypes: { "us-west-2b": ["g5.xlarge"], "us-west-2c": [] } },
              c.nodeGroups.gpu[1],
            ],
          },
        })),
      );
      const j = narrowed.json(narrowed.stages.eks);
      const local = Object.keys(j.locals ?? {}).find((id) => id.startsWith("zones_problems"))!;
      const r = evaluate(
        j,
        { problems: `\${local.${local}}` },
        {
          zones: ZONES,
          offerings: { "g6.xlarge": ["us-west-2a"], "g4dn.xlarge": ["us-west-2a"] },
        },
      );
      expect(r.problems).toEqual([]);
    });
  });
});

describe("eks stack: node versions", () => {
  it("every node group runs the cluster's Kubernetes minor, so a cluster upgrade rolls the nodes too", () => {
    const cluster = resource(eks, "aws_eks_cluster", "cluster");
    expect(cluster.version).toBe("1.35");
    for (const [, g] of nodeGroups) expect(g.version).toBe(cluster.version);
  });
});

describe("eks stack: system node group", () => {
  const [, system] = byName("system");
  it("keeps the subnets it was created with, so appending a zone never replaces it", () => {
    expect(system.lifecycle).toEqual({ ignore_changes: ["scaling_config[0].desired_size", "subnet_ids"] });
  });

  it("is On-Demand, always on, untainted, on the standard AL2023 AMI", () => {
    expect(system.capacity_type).toBe("ON_DEMAND");
    expect(system.scaling_config).toEqual({ min_size: 2, desired_size: 2, max_size: 6 });
    expect(system.ami_type).toBe("AL2023_x86_64_STANDARD");
    expect(system.taint).toEqual([]);
    expect(system.labels).toMatchObject({ "kubeflow-eks/node-role": "system" });
  });
});

describe("eks stack: launch templates", () => {
  const templates = resources(eks, "aws_launch_template");

  it("has one launch template per node group and every group uses its own", () => {
    expect(templates).toHaveLength(nodeGroups.length);
    const used = nodeGroups.map(([, g]) => referencedAddress((g.launch_template as Body).id));
    expect(new Set(used).size).toBe(nodeGroups.length);
    for (const address of used) expect(templates.map(([id]) => `aws_launch_template.${id}`)).toContain(address);
  });

  it.each(templates)("%s requires IMDSv2 with hop limit 1 and an encrypted gp3 root volume", (_id, template) => {
    expect(template.metadata_options).toEqual({
      http_endpoint: "enabled",
      http_tokens: "required",
      http_put_response_hop_limit: 1,
      instance_metadata_tags: "disabled",
    });
    expect(template.block_device_mappings).toEqual([
      expect.objectContaining({
        device_name: "/dev/xvda",
        ebs: expect.objectContaining({ encrypted: "true", volume_type: "gp3" }),
      }),
    ]);
    // No image_id: EKS supplies the AMI and merges its nodeadm NodeConfig into our user data; no key pair: no SSH.
    expect(template).not.toHaveProperty("image_id");
    expect(template).not.toHaveProperty("key_name");
  });

  it.each(templates)(
    "%s carries the AL2023 nodeadm user data with the NodeConfig and the Lustre client parts",
    (_id, template) => {
      const text = Buffer.from(String(template.user_data), "base64").toString("utf8");
      expect(text).toBe(nodeUserData());
      const parts = mimeParts(text);
      expect(parts.map((p) => p.contentType)).toEqual([
        "application/node.eks.aws",
        'text/x-shellscript; charset="us-ascii"',
      ]);
      const nodeConfig = parse(parts[0].body) as {
        apiVersion: string;
        kind: string;
        spec: { kubelet: { flags: string[] } };
      };
      expect(nodeConfig).toMatchObject({ apiVersion: "node.eks.aws/v1alpha1", kind: "NodeConfig" });
      expect(nodeConfig.spec.kubelet.flags).toEqual(["--node-labels=kubeflow-eks/lustre-client=not-installed"]);
      expect(parts[1].body).toMatch(/^#!\/bin\/bash\n/);
      expect(parts[1].body).toContain(LUSTRE_DNF_COMMAND);
    },
  );

  it("sizes GPU root volumes from config", () => {
    const [, group] = nodeGroups.find(([id]) => id.startsWith("gpu-size-gpu-4x_zone-0_spot_"))!;
    const template = resource(
      eks,
      "aws_launch_template",
      referencedAddress((group.launch_template as Body).id).split(".")[1],
    );
    expect((template.block_device_mappings as Body[])[0]).toMatchObject({ ebs: { volume_size: 200 } });
  });
});

describe("eks stack: control plane", () => {
  const cluster = resource(eks, "aws_eks_cluster", "cluster");

  it("runs the configured version in standard support with every log type", () => {
    expect(cluster.version).toBe("1.35");
    expect(cluster.upgrade_policy).toEqual({ support_type: "STANDARD" });
    expect(cluster.enabled_cluster_log_types).toEqual([
      "api",
      "audit",
      "authenticator",
      "controllerManager",
      "scheduler",
    ]);
    expect(resource(eks, "aws_cloudwatch_log_group", "control-plane-logs")).toMatchObject({
      name: "/aws/eks/kubeflow/cluster",
      retention_in_days: 90,
    });
  });

  it("encrypts secrets with a rotating KMS key", () => {
    const enc = cluster.encryption_config as { resources: string[]; provider: { key_arn: string } };
    expect(enc.resources).toEqual(["secrets"]);
    const key = resource(eks, "aws_kms_key", referencedAddress(enc.provider.key_arn).split(".")[1]);
    expect(key.enable_key_rotation).toBe(true);
  });

  it("keeps the private endpoint on and limits the public one to the configured CIDRs", () => {
    expect(cluster.vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: true,
      public_access_cidrs: ["203.0.113.0/24"],
    });
    const privateOnly = buildApp(
      configWith((c) => ({ ...c, cluster: { ...c.cluster, endpointPublicAccessCidrs: [] } })),
    );
    const other = resource(privateOnly.json(privateOnly.stages.eks), "aws_eks_cluster", "cluster");
    expect(other.vpc_config).toMatchObject({ endpoint_private_access: true, endpoint_public_access: false });
    expect(other.vpc_config).not.toHaveProperty("public_access_cidrs");
  });

  it("authenticates with access entries only, never EKS's creator entry (its flag replaces the cluster)", () => {
    expect(cluster.access_config).toEqual({
      authentication_mode: "API",
      bootstrap_cluster_creator_admin_permissions: false,
    });
    // A cluster an earlier version created with EKS's creator entry is not replaced for it; a zone
    // appended later is not offered to the control plane, which EKS would refuse.
    expect(cluster.lifecycle).toEqual({
      ignore_changes: ["access_config[0].bootstrap_cluster_creator_admin_permissions", "vpc_config[0].subnet_ids"],
    });
    expect(resources(eks, "kubernetes_config_map")).toEqual([]);
  });

  it("gives the deploying role cluster-admin by an access entry of its own, kept for the first deployer", () => {
    const entries = resources(eks, "aws_eks_access_entry");
    expect(entries).toHaveLength(1);
    const [entryId, entry] = entries[0];
    expect(entryId).toMatch(/^cluster_creator-access_/);
    const [[sessionId, session]] = dataSources(eks, "aws_iam_session_context");
    expect(session.arn).toMatch(/^\$\{data\.aws_caller_identity\.[^}]+\.arn\}$/);
    // The role behind an assumed-role session, as access entries take it.
    expect(entry.principal_arn).toBe(`\${data.aws_iam_session_context.${sessionId}.issuer_arn}`);
    expect(entry.type).toBe("STANDARD");
    expect((entry.lifecycle as Body).ignore_changes).toEqual(["principal_arn"]);
    // Not where EKS already made one for the creator (clusters of an earlier version).
    const clusterId = resources(eks, "aws_eks_cluster")[0][0];
    expect(entry.count).toBe(
      `\${aws_eks_cluster.${clusterId}.access_config[0].bootstrap_cluster_creator_admin_permissions ? 0 : 1}`,
    );
    const [[, policy]] = resources(eks, "aws_eks_access_policy_association");
    expect(policy).toMatchObject({
      count: entry.count,
      principal_arn: `\${aws_eks_access_entry.${entryId}[0].principal_arn}`,
      access_scope: { type: "cluster" },
    });
    expect(String(policy.policy_arn)).toMatch(/:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/);
  });

  describeWithTerraform("evaluated by terraform", () => {
    const withAdmins = buildApp(
      configWith((c) => ({
        ...c,
        cluster: {
          ...c.cluster,
          adminPrincipals: [
            { roleName: "Deploy", accessPolicy: "cluster-admin" },
            { arn: "arn:aws:iam::111122223333:role/Auditors", accessPolicy: "view" },
          ],
        },
      })),
    );
    const j = withAdmins.json(withAdmins.stages.eks);
    const [entryId] = resources(j, "aws_eks_access_entry").find(([id]) => id.startsWith("cluster_creator-access_"))!;
    const [, association] = resources(j, "aws_eks_access_policy_association").find(([id]) =>
      id.startsWith("cluster_creator-access-policy_"),
    )!;
    const [pre] = (association.lifecycle as { precondition: Body[] }).precondition;
    const [[partitionId]] = dataSources(j, "aws_partition");
    const [[callerId]] = dataSources(j, "aws_caller_identity");
    const heldBy = (arn: string) =>
      evaluate(
        j,
        { ok: pre.condition, message: pre.error_message },
        {
          zones: [],
          data: {
            [`aws_eks_access_entry.${entryId}`]: [{ principal_arn: arn }],
            [`data.aws_partition.${partitionId}`]: { partition: "aws" },
            [`data.aws_caller_identity.${callerId}`]: { account_id: "111122223333" },
          },
        },
      ) as { ok: boolean; message: string };

    it("lets another identity (CI) be an admin principal while the first deployer holds the entry", () => {
      expect(heldBy("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/Humans").ok).toBe(true);
    });

    it("stops the plan when the entry's holder is also an admin principal (EKS takes one entry per principal)", () => {
      const r = heldBy("arn:aws:iam::111122223333:role/Deploy");
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(
        /^arn:aws:iam::111122223333:role\/Deploy holds the deployer's access entry \(it deployed eks first\) and is also listed in cluster\.adminPrincipals/,
      );
    });
  });

  it("turning clusterCreatorAdmin off removes only the deployer's entry: the cluster is the same", () => {
    const off = buildApp(configWith((c) => ({ ...c, cluster: { ...c.cluster, clusterCreatorAdmin: false } })));
    const j = off.json(off.stages.eks);
    expect(resources(j, "aws_eks_access_entry")).toEqual([]);
    expect(resources(j, "aws_eks_access_policy_association")).toEqual([]);
    expect(resource(j, "aws_eks_cluster", "cluster")).toEqual(cluster);
  });

  it("creates an access entry and a cluster-scoped policy per admin principal", () => {
    const withAdmins = buildApp(
      configWith((c) => ({
        ...c,
        cluster: {
          ...c.cluster,
          clusterCreatorAdmin: false,
          adminPrincipals: [
            { roleName: "PlatformAdmins", accessPolicy: "cluster-admin" },
            { arn: "arn:aws:iam::111122223333:role/Auditors", accessPolicy: "view" },
          ],
        },
      })),
    );
    const j = withAdmins.json(withAdmins.stages.eks);
    const entries = resources(j, "aws_eks_access_entry").map(([, e]) => e);
    expect(entries.map((e) => e.principal_arn)).toEqual([
      expect.stringMatching(
        /^arn:\$\{data\.aws_partition\.[^}]+\}:iam::\$\{data\.aws_caller_identity\.[^}]+\}:role\/PlatformAdmins$/,
      ),
      "arn:aws:iam::111122223333:role/Auditors",
    ]);
    const policies = resources(j, "aws_eks_access_policy_association").map(([, p]) => p);
    expect(policies.map((p) => String(p.policy_arn).split("/").pop())).toEqual([
      "AmazonEKSClusterAdminPolicy",
      "AmazonEKSViewPolicy",
    ]);
    expect(policies.every((p) => (p.access_scope as Body).type === "cluster")).toBe(true);
    expect(resource(j, "aws_eks_cluster", "cluster").access_config).toMatchObject({
      bootstrap_cluster_creator_admin_permissions: false,
    });
  });

  const addons: Record<string, Body & { id: string }> = Object.fromEntries(
    resources(eks, "aws_eks_addon").map(([id, a]) => [String(a.addon_name), { id, ...a }]),
  );

  it("installs vpc-cni, kube-proxy, CoreDNS, the Pod Identity agent and the EBS CSI driver, nodes after networking", () => {
    expect(Object.keys(addons).sort()).toEqual([
      "aws-ebs-csi-driver",
      "coredns",
      "eks-pod-identity-agent",
      "kube-proxy",
      "vpc-cni",
    ]);
    const [, system] = byName("system");
    for (const name of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) {
      expect(system.depends_on).toContain(`aws_eks_addon.${addons[name].id}`);
    }
    expect(addons.coredns.depends_on).toContain(`aws_eks_node_group.${byName("system")[0]}`);
    expect(cluster.bootstrap_self_managed_addons).toBe(false);
  });

  it("resolves each add-on's build for the cluster's minor at plan time, unless config pins it", () => {
    const versions = dataSources(eks, "aws_eks_addon_version");
    expect(versions).toHaveLength(5);
    for (const addon of Object.values(addons)) {
      const [id, lookup] = versions.find(([, v]) => v.addon_name === addon.addon_name)!;
      expect(lookup).toEqual({ addon_name: addon.addon_name, kubernetes_version: "1.35" });
      expect(addon.addon_version).toBe(`\${data.aws_eks_addon_version.${id}.version}`);
    }
    const pinned = buildApp(
      configWith((c) => ({ ...c, cluster: { ...c.cluster, addonVersions: { vpcCni: "v1.21.1-eksbuild.3" } } })),
    );
    const j = pinned.json(pinned.stages.eks);
    expect(resource(j, "aws_eks_addon", "vpc-cni").addon_version).toBe("v1.21.1-eksbuild.3");
    expect(dataSources(j, "aws_eks_addon_version").map(([, v]) => v.addon_name)).not.toContain("vpc-cni");
  });

  it("turns on NetworkPolicy enforcement in the VPC CNI and leaves the other add-ons at their defaults", () => {
    expect(JSON.parse(String(addons["vpc-cni"].configuration_values))).toEqual({ enableNetworkPolicy: "true" });
    for (const name of ["coredns", "kube-proxy", "eks-pod-identity-agent", "aws-ebs-csi-driver"]) {
      expect(addons[name]).not.toHaveProperty("configuration_values");
    }
  });

  it("gives nodes a role with the worker, registry, CNI and SSM policies only", () => {
    const [, system] = byName("system");
    const roleId = referencedAddress(system.node_role_arn).split(".")[1];
    const attached = resources(eks, "aws_iam_role_policy_attachment")
      .filter(([, a]) => String(a.role).includes(roleId))
      .map(([, a]) => String(a.policy_arn).split("/").pop());
    expect(attached.sort()).toEqual(
      [
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
        "AmazonSSMManagedInstanceCore",
      ].sort(),
    );
  });
});

describe("eks stack: outputs for later stages", () => {
  it("exposes typed values rather than names to look up", () => {
    const outputs = stages.eks.outputs;
    expect(outputs.privateSubnetIds).toHaveLength(3);
    expect(outputs.clusterName).toMatch(/TfToken/);
    expect(stages.eks.gpuSizes.map((g) => [g.name, g.gpusPerNode])).toEqual([
      ["gpu-1x", 1],
      ["gpu-4x", 4],
    ]);
  });
});
