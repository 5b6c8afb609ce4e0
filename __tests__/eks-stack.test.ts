import {
  buildApp,
  configWith,
  dataSources,
  mimeParts,
  referencedAddress,
  resource,
  resources,
  type SynthJson,
} from "./helpers";
import { describeWithTerraform, evaluate } from "./terraform-eval";
import { parse } from "yaml";
import { nodeUserData } from "../lib/node-user-data";

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
const chosenZonesLocal = () => Object.keys(eks.locals ?? {}).find((id) => id.startsWith("zones_chosen"))!;

/** The ASG tags written for the node group with this logical id, as key -> value (one for_each resource per group). */
function asgTagsOf(nodeGroupId: string): Record<string, string> {
  const own = resources(eks, "aws_autoscaling_group_tag").filter(([, body]) => {
    const name = String(body.autoscaling_group_name);
    return (
      name === `\${aws_eks_node_group.${nodeGroupId}.resources[0].autoscaling_groups[0].name}` ||
      name === `\${aws_eks_node_group.${nodeGroupId}[0].resources[0].autoscaling_groups[0].name}`
    );
  });
  if (own.length !== 1) throw new Error(`expected one tag resource for ${nodeGroupId}, found ${own.length}`);
  const [, body] = own[0];
  expect(body.tag).toEqual({ key: "${each.key}", value: "${each.value}", propagate_at_launch: false });
  if (typeof body.for_each === "object") return body.for_each as Record<string, string>;
  // A group created at plan time only: the tags of a local, kept only when the group exists.
  const [, local] =
    /^\$\{\{ for key, value in local\.([^ ]+) : key => value if length\(aws_eks_node_group\.([^)]+)\) == 1 \}\}$/.exec(
      String(body.for_each),
    )!;
  expect(String(body.for_each)).toContain(`length(aws_eks_node_group.${nodeGroupId})`);
  return eks.locals![local] as Record<string, string>;
}

describe("eks stack: GPU node groups, one Spot and one On-Demand group per size and zone", () => {
  const gpuSizes = config.nodeGroups.gpu;
  const zoneIndices = [0, 1, 2];
  const chosen = chosenZonesLocal();
  const group = (size: string, zone: number, capacity: "spot" | "on-demand"): [string, Body] => {
    const found = nodeGroups.filter(([id]) => id.startsWith(`gpu-size-${size}_zone-${zone}_${capacity}_node-group_`));
    if (found.length !== 1) throw new Error(`no single ${capacity} group of ${size} in zone ${zone}`);
    return found[0];
  };

  it("every size has a Spot and an On-Demand group in every chosen zone, in that zone's subnet, and nothing else", () => {
    expect(nodeGroups).toHaveLength(1 + gpuSizes.length * zoneIndices.length * 2);
    for (const gpu of gpuSizes) {
      for (const zone of zoneIndices) {
        const subnet = resources(eks, "aws_subnet").find(([id]) => id.startsWith(`network_private-${zone}_`))![0];
        for (const capacity of ["spot", "on-demand"] as const) {
          const [, g] = group(gpu.name, zone, capacity);
          expect(g.node_group_name).toBe(`${gpu.name}-${capacity}-\${element(local.${chosen}, ${zone})}`);
          expect(g.capacity_type).toBe(capacity === "spot" ? "SPOT" : "ON_DEMAND");
          expect(g.subnet_ids).toEqual([`\${aws_subnet.${subnet}.id}`]);
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
      }
    }
  });

  it("writes each group's own node template onto its ASG: its labels, taint, GPUs and its zone's topology labels", () => {
    for (const gpu of gpuSizes) {
      for (const zone of zoneIndices) {
        for (const capacity of ["spot", "on-demand"] as const) {
          const [id, g] = group(gpu.name, zone, capacity);
          const tags = asgTagsOf(id);
          expect(tags["k8s.io/cluster-autoscaler/enabled"]).toBe("true");
          expect(tags[`k8s.io/cluster-autoscaler/${config.cluster.name}`]).toBe("owned");
          for (const [k, v] of Object.entries(g.labels as Record<string, string>))
            expect(tags[`${TEMPLATE}label/${k}`]).toBe(v);
          expect(tags[`${TEMPLATE}taint/nvidia.com/gpu`]).toBe("true:NoSchedule");
          expect(tags[`${TEMPLATE}resources/nvidia.com/gpu`]).toBe(gpu.name === "gpu-4x" ? "4" : "1");
          const zoneName = `\${element(local.${chosen}, ${zone})}`;
          expect(tags[`${TEMPLATE}label/topology.kubernetes.io/zone`]).toBe(zoneName);
          expect(tags[`${TEMPLATE}label/topology.ebs.csi.aws.com/zone`]).toBe(zoneName);
          // Nothing in the template the group does not set (besides the zone labels kubelet and the CSI driver add).
          const extra = Object.keys(tags)
            .filter((k) => k.startsWith(`${TEMPLATE}label/`))
            .map((k) => k.slice(`${TEMPLATE}label/`.length))
            .filter((l) => !(l in (g.labels as Body)));
          expect(extra.sort()).toEqual(["topology.ebs.csi.aws.com/zone", "topology.kubernetes.io/zone"]);
        }
      }
    }
  });

  it("the system group's template has no zone labels: it spans every zone", () => {
    const tags = asgTagsOf(byName("system")[0]);
    expect(Object.keys(tags).some((k) => k.includes("topology"))).toBe(false);
    expect(tags).not.toHaveProperty(`${TEMPLATE}resources/nvidia.com/gpu`);
  });

  it("does not tag the ASGs' instances (propagate_at_launch false): the labels reach nodes through EKS", () => {
    for (const [, body] of resources(eks, "aws_autoscaling_group_tag")) {
      expect((body.tag as Body).propagate_at_launch).toBe(false);
    }
  });

  it("creates a group's launch template and ASG tags exactly when it creates the group", () => {
    expect(resources(eks, "aws_autoscaling_group_tag")).toHaveLength(nodeGroups.length);
    for (const gpu of gpuSizes) {
      const [id, g] = group(gpu.name, 1, "spot");
      const template = referencedAddress((g.launch_template as Body).id);
      expect((g.launch_template as Body).id).toBe(`\${${template}[0].id}`);
      expect(resource(eks, "aws_launch_template", template.split(".")[1]).count).toBe(g.count);
      expect(Object.keys(asgTagsOf(id)).length).toBeGreaterThan(5);
    }
  });

  const attributes = () =>
    Object.fromEntries(
      nodeGroups
        .filter(([, g]) => g.node_group_name !== "system")
        .map(([id, g]) => [
          id.replace(/_node-group_.*/, ""),
          {
            name: g.node_group_name,
            count: g.count,
            max: (g.scaling_config as Body).max_size,
            types: g.instance_types,
          },
        ]),
    );
  type Evaluated = Record<string, { name: string; count: number; max: number; types: string[] }>;
  const zones = ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"];

  describeWithTerraform("evaluated by terraform", () => {
    it("with every type offered everywhere: all twelve groups, in the first three zones, maxSize split 2+1+1 and 1+1+1", () => {
      const r = evaluate(eks, attributes(), { zones }) as Evaluated;
      for (const gpu of gpuSizes) {
        for (const capacity of ["spot", "on-demand"]) {
          const perZone = zoneIndices.map((z) => r[`gpu-size-${gpu.name}_zone-${z}_${capacity}`]);
          expect(perZone.map((g) => g.count)).toEqual([1, 1, 1]);
          expect(perZone.map((g) => g.name)).toEqual(zones.slice(0, 3).map((z) => `${gpu.name}-${capacity}-${z}`));
          expect(perZone.map((g) => g.types)).toEqual([gpu.instanceTypes, gpu.instanceTypes, gpu.instanceTypes]);
          // The cap means what it meant with one group per capacity type: maxSize nodes in all.
          expect(perZone.reduce((sum, g) => sum + g.max, 0)).toBe(gpu.maxSize);
        }
      }
      expect(zoneIndices.map((z) => r[`gpu-size-gpu-1x_zone-${z}_spot`].max)).toEqual([2, 1, 1]);
      expect(zoneIndices.map((z) => r[`gpu-size-gpu-4x_zone-${z}_on-demand`].max)).toEqual([1, 1, 1]);
    });

    it("places a size only where its types are offered, with the types offered there, and splits its cap over those zones", () => {
      const offerings = {
        // No zone offers every type, so the first three system zones are chosen: a, b, c.
        "g6.12xlarge": ["us-west-2b"],
        "g5.12xlarge": ["us-west-2b", "us-west-2c"],
        "g4dn.12xlarge": [],
        "g4dn.xlarge": ["us-west-2d"],
      };
      const r = evaluate(eks, attributes(), { zones, offerings }) as Evaluated;
      const of = (size: string, z: number) => r[`gpu-size-${size}_zone-${z}_spot`];
      expect([0, 1, 2].map((z) => of("gpu-4x", z).count)).toEqual([0, 1, 1]);
      expect(of("gpu-4x", 1).types).toEqual(["g6.12xlarge", "g5.12xlarge"]);
      expect(of("gpu-4x", 2).types).toEqual(["g5.12xlarge"]);
      expect(of("gpu-4x", 1).max + of("gpu-4x", 2).max).toBe(3);
      expect([0, 1, 2].map((z) => of("gpu-1x", z).types)).toEqual([
        ["g6.xlarge", "g5.xlarge"],
        ["g6.xlarge", "g5.xlarge"],
        ["g6.xlarge", "g5.xlarge"],
      ]);
    });

    it("prefers the zones that offer every configured type", () => {
      const offerings = { "g6.xlarge": ["us-west-2b", "us-west-2c", "us-west-2d"] };
      const r = evaluate(eks, { chosen: `\${local.${chosen}}` }, { zones, offerings });
      expect(r.chosen).toEqual(["us-west-2b", "us-west-2c", "us-west-2d"]);
    });

    it("gives a zone no group of a size when maxSize is below the size's zone count", () => {
      const small = buildApp(
        configWith((c) => ({
          ...c,
          nodeGroups: { ...c.nodeGroups, gpu: [{ ...c.nodeGroups.gpu[1], maxSize: 2 }] },
        })),
      );
      const j = small.json(small.stages.eks);
      const values = Object.fromEntries(
        resources(j, "aws_eks_node_group")
          .filter(([id]) => id.includes("_spot_"))
          .map(([id, g]) => [id.replace(/_spot_.*/, ""), { count: g.count, max: (g.scaling_config as Body).max_size }]),
      );
      // And the group's ASG tags: the for_each keeps them exactly when the group is created.
      const tagsOf = (zone: number) => {
        const [groupId, g] = resources(j, "aws_eks_node_group").find(([id]) =>
          id.startsWith(`gpu-size-gpu-4x_zone-${zone}_spot_`),
        )!;
        const [, tags] = resources(j, "aws_autoscaling_group_tag").find(([, t]) =>
          String(t.for_each).includes(groupId),
        )!;
        const count = String(g.count).slice(2, -1);
        return String(tags.for_each).replace(`length(aws_eks_node_group.${groupId})`, `length(range(${count}))`);
      };
      const r = evaluate(j, { ...values, tags0: tagsOf(0), tags2: tagsOf(2) }, { zones }) as Record<
        string,
        { count: number; max: number }
      >;
      expect([0, 1, 2].map((z) => r[`gpu-size-gpu-4x_zone-${z}`])).toEqual([
        { count: 1, max: 1 },
        { count: 1, max: 1 },
        { count: 0, max: 1 },
      ]);
      expect(r.tags0).toMatchObject({
        "k8s.io/cluster-autoscaler/enabled": "true",
        "k8s.io/cluster-autoscaler/node-template/label/topology.kubernetes.io/zone": "us-west-2a",
        "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "4",
      });
      expect(r.tags2).toEqual({});
      expect(
        small.stages.eks.node
          .findAll()
          .flatMap((n) => n.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data))),
      ).toContainEqual(expect.stringMatching(/nodeGroups\.gpu\[0\] \(gpu-4x\): maxSize 2 is below its 3 zones/));
    });

    it("stops the plan, naming the file, the key, the value and the fix, when no chosen zone offers a size", () => {
      const named = buildApp(
        configWith((c) => c),
        "config/prod.yaml",
      );
      const j = named.json(named.stages.eks);
      const preconditions = (resource(j, "aws_vpc", "vpc").lifecycle as { precondition: Body[] }).precondition;
      const offerings = { "g6.12xlarge": [], "g5.12xlarge": [], "g4dn.12xlarge": ["us-west-2d"] };
      const r = evaluate(
        j,
        Object.fromEntries(preconditions.map((p, i) => [`p${i}`, { ok: p.condition, message: p.error_message }])),
        { zones, offerings },
      ) as Record<string, { ok: boolean; message: string }>;
      expect(Object.values(r).map((p) => p.ok)).toEqual([true, true, false]);
      expect(r.p2.message).toBe(
        "config/prod.yaml: nodeGroups.gpu[1].instanceTypes (g6.12xlarge, g5.12xlarge, g4dn.12xlarge): none of them is " +
          "offered in the cluster's zones (us-west-2a, us-west-2b, us-west-2c). Fix: add a type offered there, or remove this GPU size.",
      );
    });

    it("stops the plan when fewer zones than configured offer the system types", () => {
      const vpc = resource(eks, "aws_vpc", "vpc");
      const [first] = (vpc.lifecycle as { precondition: Body[] }).precondition;
      const r = evaluate(
        eks,
        { ok: first.condition },
        { zones, offerings: { "m7i.xlarge": ["us-west-2a", "us-west-2b"] } },
      );
      expect(r.ok).toBe(false);
      expect(first.error_message).toMatch(/Fewer than 3 availability zones offer all of m6i\.xlarge, m7i\.xlarge/);
    });
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
      expect(parts[1].body).toContain("dnf install -y lustre-client");
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

  it("chooses zones offering the system types, those offering every GPU type as well first", () => {
    const locals = eks.locals ?? {};
    const local = (part: string) => Object.entries(locals).find(([id]) => id.startsWith(`zones_${part}`))!;
    const [qualifyingId, qualifying] = local("qualifying");
    const [completeId, complete] = local("complete");
    const offeringOf = (type: string) =>
      offerings.find(([, b]) => (b.filter as { values: string[] }[])[0].values[0] === type)![0];
    for (const type of config.nodeGroups.system.instanceTypes) {
      expect(String(qualifying)).toContain(`data.aws_ec2_instance_type_offerings.${offeringOf(type)}.locations`);
    }
    expect(String(qualifying)).not.toContain(offeringOf("g6.xlarge"));
    for (const type of allTypes)
      expect(String(complete)).toContain(`data.aws_ec2_instance_type_offerings.${offeringOf(type)}.locations`);
    expect(local("chosen")[1]).toBe(
      `\${slice(distinct(concat(local.${completeId}, local.${qualifyingId})), 0, min(3, length(local.${qualifyingId})))}`,
    );
    const subnets = resources(eks, "aws_subnet");
    expect(subnets).toHaveLength(6);
    const zones = subnets.map(([, s]) => s.availability_zone).sort();
    expect(new Set(zones)).toEqual(new Set([0, 1, 2].map((i) => `\${element(local.${local("chosen")[0]}, ${i})}`)));
  });

  it("refuses to plan when fewer zones than configured offer the system types", () => {
    const vpc = resource(eks, "aws_vpc", "vpc");
    const [pre] = (vpc.lifecycle as { precondition: { condition: string; error_message: string }[] }).precondition;
    expect(pre.condition).toMatch(/^\$\{\(length\(local\.zones_qualifying_[^)]+\) >= 3\)\}$/);
    expect(pre.error_message).toMatch(/Fewer than 3 availability zones offer all of m6i\.xlarge, m7i\.xlarge/);
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
