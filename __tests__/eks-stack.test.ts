import { GPU_INSTANCE_TYPES } from "../lib/instance-types";
import { buildApp, configWith, dataSources, referencedAddress, resource, resources, type SynthJson } from "./helpers";

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

/** The ASG tags written for the node group with this logical id, as key -> value. */
function asgTagsOf(nodeGroupId: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [, body] of resources(eks, "aws_autoscaling_group_tag")) {
    if (
      String(body.autoscaling_group_name) ===
      `\${aws_eks_node_group.${nodeGroupId}.resources[0].autoscaling_groups[0].name}`
    ) {
      const tag = body.tag as { key: string; value: string; propagate_at_launch: boolean };
      tags[tag.key] = tag.value;
    }
  }
  return tags;
}

describe("eks stack: GPU node groups", () => {
  const gpuSizes = config.nodeGroups.gpu;

  it("creates a Spot and an On-Demand group per GPU size and nothing else besides the system group", () => {
    const expected = ["system", ...gpuSizes.flatMap((g) => [`${g.name}-spot`, `${g.name}-on-demand`])];
    expect(nodeGroups.map(([, b]) => b.node_group_name).sort()).toEqual(expected.sort());
  });

  it.each(gpuSizes.map((g) => [g.name, g] as const))(
    "%s: both groups scale from 0 with the same instance types and max",
    (_n, gpu) => {
      const [, spot] = byName(`${gpu.name}-spot`);
      const [, onDemand] = byName(`${gpu.name}-on-demand`);
      expect(spot.capacity_type).toBe("SPOT");
      expect(onDemand.capacity_type).toBe("ON_DEMAND");
      for (const group of [spot, onDemand]) {
        expect(group.scaling_config).toEqual({ min_size: 0, desired_size: 0, max_size: gpu.maxSize });
        expect(group.instance_types).toEqual(gpu.instanceTypes);
        expect(group.ami_type).toBe("AL2023_x86_64_NVIDIA");
        expect(group.taint).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
        expect(group.labels).toMatchObject({ "nvidia.com/gpu.present": "true", "kubeflow-eks/gpu-size": gpu.name });
        expect(group.lifecycle).toEqual({ ignore_changes: ["scaling_config[0].desired_size"] });
        expect(group).not.toHaveProperty("remote_access");
      }
      expect(spot.instance_types).toEqual(onDemand.instance_types);
    },
  );

  it("labels each group with its own capacity type (the original marked On-Demand as Spot)", () => {
    for (const gpu of gpuSizes) {
      expect((byName(`${gpu.name}-spot`)[1].labels as Body)["kubeflow-eks/capacity-type"]).toBe("spot");
      expect((byName(`${gpu.name}-on-demand`)[1].labels as Body)["kubeflow-eks/capacity-type"]).toBe("on-demand");
    }
    expect((byName("system")[1].labels as Body)["kubeflow-eks/capacity-type"]).toBe("on-demand");
  });

  it("writes discovery tags and a node template onto every group's ASG that matches its labels, taints and GPUs", () => {
    for (const [id, group] of nodeGroups) {
      const tags = asgTagsOf(id);
      expect(tags["k8s.io/cluster-autoscaler/enabled"]).toBe("true");
      expect(tags[`k8s.io/cluster-autoscaler/${config.cluster.name}`]).toBe("owned");

      const labels = group.labels as Record<string, string>;
      const taints = (group.taint ?? []) as { key: string; value: string; effect: string }[];
      const templateKeys = Object.keys(tags).filter((k) => k.startsWith(TEMPLATE));
      for (const key of templateKeys) {
        const rest = key.slice(TEMPLATE.length);
        if (rest.startsWith("label/")) {
          expect({ key, value: tags[key] }).toEqual({ key, value: labels[rest.slice("label/".length)] });
        } else if (rest.startsWith("taint/")) {
          const taint = taints.find((t) => t.key === rest.slice("taint/".length));
          expect(taint).toBeDefined();
          const effect = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" }[
            taint!.effect
          ];
          expect(tags[key]).toBe(`${taint!.value}:${effect}`);
        } else {
          expect(rest).toBe("resources/nvidia.com/gpu");
        }
      }
      // And the converse: every label and taint the group sets is in its template.
      for (const [k, v] of Object.entries(labels)) expect(tags[`${TEMPLATE}label/${k}`]).toBe(v);
      for (const t of taints) expect(tags[`${TEMPLATE}taint/${t.key}`]).toBeDefined();
    }
  });

  it("declares each GPU group's GPU count as the instance types' count", () => {
    for (const gpu of gpuSizes) {
      for (const name of [`${gpu.name}-spot`, `${gpu.name}-on-demand`]) {
        const [id, group] = byName(name);
        const counts = new Set((group.instance_types as string[]).map((t) => GPU_INSTANCE_TYPES[t].gpus));
        expect(counts.size).toBe(1);
        expect(asgTagsOf(id)[`${TEMPLATE}resources/nvidia.com/gpu`]).toBe(String([...counts][0]));
      }
    }
    expect(byName("gpu-1x-spot")[1].instance_types).toContain("g6.xlarge");
    expect(asgTagsOf(byName("gpu-4x-spot")[0])[`${TEMPLATE}resources/nvidia.com/gpu`]).toBe("4");
    expect(asgTagsOf(byName("system")[0])).not.toHaveProperty(`${TEMPLATE}resources/nvidia.com/gpu`);
  });

  it("does not tag the ASGs' instances (propagate_at_launch false): the labels reach nodes through EKS", () => {
    for (const [, body] of resources(eks, "aws_autoscaling_group_tag")) {
      expect((body.tag as Body).propagate_at_launch).toBe(false);
    }
  });
});

describe("eks stack: system node group", () => {
  const [, system] = byName("system");
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
    // No image_id and no user_data: EKS supplies the AMI and nodeadm bootstrap; no key pair: no SSH.
    expect(template).not.toHaveProperty("image_id");
    expect(template).not.toHaveProperty("user_data");
    expect(template).not.toHaveProperty("key_name");
  });

  it("sizes GPU root volumes from config", () => {
    const [, group] = byName("gpu-4x-spot");
    const template = resource(
      eks,
      "aws_launch_template",
      referencedAddress((group.launch_template as Body).id).split(".")[1],
    );
    expect((template.block_device_mappings as Body[])[0]).toMatchObject({ ebs: { volume_size: 200 } });
  });
});

describe("eks stack: availability zones", () => {
  const offerings = dataSources(eks, "aws_ec2_instance_type_offerings");
  const allTypes = [
    ...config.nodeGroups.system.instanceTypes,
    ...config.nodeGroups.gpu.flatMap((g) => g.instanceTypes),
  ];

  it("looks up the zones offering each configured instance type", () => {
    const filtered = offerings.map(([, body]) => {
      expect(body.location_type).toBe("availability-zone");
      return (body.filter as { name: string; values: string[] }[])[0];
    });
    expect(filtered.every((f) => f.name === "instance-type" && f.values.length === 1)).toBe(true);
    expect(filtered.map((f) => f.values[0]).sort()).toEqual([...new Set(allTypes)].sort());
  });

  it("places subnets only in zones in the intersection of all offerings", () => {
    const [[qualifyingId, qualifying]] = Object.entries(eks.locals ?? {}).filter(([id]) => id.includes("qualifying"));
    const expression = String(qualifying);
    expect(expression).toMatch(/^\$\{sort\(setintersection\(data\.aws_availability_zones\.[^,]+\.names, /);
    for (const [id] of offerings) expect(expression).toContain(`data.aws_ec2_instance_type_offerings.${id}.locations`);

    const [[chosenId, chosen]] = Object.entries(eks.locals ?? {}).filter(([id]) => id.includes("chosen"));
    expect(chosen).toBe(`\${slice(local.${qualifyingId}, 0, 3)}`);
    const subnets = resources(eks, "aws_subnet");
    expect(subnets).toHaveLength(6);
    const zones = subnets.map(([, s]) => s.availability_zone).sort();
    expect(new Set(zones)).toEqual(new Set([0, 1, 2].map((i) => `\${element(local.${chosenId}, ${i})}`)));
  });

  it("refuses to plan when fewer zones than configured offer every type", () => {
    const vpc = resource(eks, "aws_vpc", "vpc");
    const [pre] = (vpc.lifecycle as { precondition: { condition: string; error_message: string }[] }).precondition;
    expect(pre.condition).toMatch(/^\$\{\(length\(local\.[^)]+qualifying[^)]*\) >= 3\)\}$/);
    expect(pre.error_message).toMatch(/Fewer than 3 availability zones offer all of .*g6\.xlarge/);
  });

  it("only considers standard zones (no opt-in Local Zones)", () => {
    const [[, zones]] = dataSources(eks, "aws_availability_zones");
    expect(zones).toMatchObject({
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
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

  it("authenticates with access entries only", () => {
    expect(cluster.access_config).toEqual({
      authentication_mode: "API",
      bootstrap_cluster_creator_admin_permissions: true,
    });
    expect(resources(eks, "kubernetes_config_map")).toEqual([]);
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

  it("installs vpc-cni, kube-proxy, CoreDNS and the Pod Identity agent at pinned versions, nodes after networking", () => {
    const addons: Record<string, Body & { id: string }> = Object.fromEntries(
      resources(eks, "aws_eks_addon").map(([id, a]) => [String(a.addon_name), { id, ...a }]),
    );
    expect(Object.keys(addons).sort()).toEqual(["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
    for (const addon of Object.values(addons))
      expect(String(addon.addon_version)).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
    const [, system] = byName("system");
    for (const name of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) {
      expect(system.depends_on).toContain(`aws_eks_addon.${addons[name].id}`);
    }
    expect(addons.coredns.depends_on).toContain(`aws_eks_node_group.${byName("system")[0]}`);
    expect(cluster.bootstrap_self_managed_addons).toBe(false);
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
