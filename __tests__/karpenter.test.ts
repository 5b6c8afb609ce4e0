import { parse } from "yaml";
import { UPSTREAM } from "../lib/versions";
import type { Config } from "../config/schema";
import { GPU_INSTANCE_TYPES } from "../lib/instance-types";
import { nodeUserData } from "../lib/node-user-data";
import { buildApp, configWith, dataSources, mimeParts, resource, resources, type SynthJson } from "./helpers";

type Body = Record<string, unknown>;
const karpenterConfig = configWith((c) => ({ ...c, autoscaler: "karpenter" }));
const caConfig = configWith((c) => c);

function stacksOf(config: Config): { eks: SynthJson; addons: SynthJson } {
  const { stages, json } = buildApp(config);
  return { eks: json(stages.eks), addons: json(stages.addons) };
}
const karpenter = stacksOf(karpenterConfig);
const ca = stacksOf(caConfig);

const releases = (j: SynthJson) => resources(j, "helm_release").map(([, r]) => r);
const releaseNamed = (j: SynthJson, name: string) => releases(j).find((r) => r.name === name)!;
const valuesOf = (r: Body) => parse((r.values as string[])[0]) as Body;

interface K8sObject {
  kind: string;
  metadata: { name: string };
  spec: Body;
}
const objects = (valuesOf(releaseNamed(karpenter.addons, "gpu-node-pools")).resources as K8sObject[]) ?? [];
const nodePool = (name: string) => objects.find((o) => o.kind === "NodePool" && o.metadata.name === name)!;
const nodeClass = (name: string) => objects.find((o) => o.kind === "EC2NodeClass" && o.metadata.name === name)!;

describe("Karpenter mode", () => {
  it("replaces the GPU node groups and cluster-autoscaler with NodePools, EC2NodeClasses, the controller, its queue and rules", () => {
    expect(resources(karpenter.eks, "aws_eks_node_group").map(([, g]) => g.node_group_name)).toEqual(["system"]);
    expect(resources(karpenter.eks, "aws_autoscaling_group_tag")).toEqual([]);
    expect(
      releases(karpenter.addons)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["gpu-node-pools", "karpenter", "karpenter-crd", "nvidia-device-plugin"]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "EC2NodeClass/gpu-1x",
      "EC2NodeClass/gpu-4x",
      "NodePool/gpu-1x",
      "NodePool/gpu-4x",
    ]);
    expect(resources(karpenter.addons, "aws_sqs_queue")).toHaveLength(1);
    expect(resources(karpenter.addons, "aws_cloudwatch_event_rule")).toHaveLength(5);
  });

  it("keeps cluster-autoscaler mode free of Karpenter", () => {
    expect(
      releases(ca.addons)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["cluster-autoscaler", "nvidia-device-plugin"]);
    expect(resources(ca.addons, "aws_sqs_queue")).toEqual([]);
    expect(resources(ca.eks, "aws_eks_access_entry").filter(([, e]) => e.type === "EC2_LINUX")).toEqual([]);
  });

  describe("over the same GPU config as cluster-autoscaler mode", () => {
    const gpu = caConfig.nodeGroups.gpu;
    /** The zone-0 group of a size and capacity type in cluster-autoscaler mode ("gpu-1x-spot"). */
    const caGroup = (prefix: string) =>
      resources(ca.eks, "aws_eks_node_group").find(([, g]) =>
        String(g.node_group_name).startsWith(`${prefix}-us-west-2`),
      )![1];

    it.each(gpu.map((g) => [g.name, g] as const))("%s: same instance types, labels and taint", (name, size) => {
      const pool = nodePool(name).spec as {
        template: { metadata: { labels: Body }; spec: { requirements: Body[]; taints: Body[] } };
      };
      const spotGroup = caGroup(`${name}-spot`);
      const { ["kubeflow-eks/capacity-type"]: capacity, ...sharedLabels } = spotGroup.labels as Record<string, string>;
      expect(capacity).toBe("spot");
      // The node groups' labels, plus the Lustre label their ASG template carries: a pod mounting
      // FSx requires it, and Karpenter launches only for a custom label its NodePool declares.
      expect(pool.template.metadata.labels).toEqual({ ...sharedLabels, "kubeflow-eks/lustre-client": "installed" });
      expect(pool.template.spec.requirements).toContainEqual({
        key: "node.kubernetes.io/instance-type",
        operator: "In",
        values: size.instanceTypes,
      });
      const effect: Record<string, string> = { NO_SCHEDULE: "NoSchedule" };
      expect(pool.template.spec.taints).toEqual(
        (spotGroup.taint as Body[]).map((t) => ({ key: t.key, value: t.value, effect: effect[String(t.effect)] })),
      );
    });

    it.each(gpu.map((g) => [g.name, g] as const))(
      "%s: the GPU limit is maxSize nodes' GPUs, the cap the node groups split over their zones",
      (name, size) => {
        const gpus = GPU_INSTANCE_TYPES[size.instanceTypes[0]].gpus;
        expect((nodePool(name).spec.limits as Body)["nvidia.com/gpu"]).toBe(String(size.maxSize * gpus));
        // The node groups split the same maxSize over their zones.
        const spotMax = resources(ca.eks, "aws_eks_node_group")
          .filter(([, g]) => String(g.node_group_name).startsWith(`${name}-spot-`))
          .reduce((sum, [, g]) => sum + Number((g.scaling_config as Body).max_size), 0);
        expect(spotMax).toBe(size.maxSize);
      },
    );

    it.each(gpu.map((g) => [g.name] as const))("%s: Spot is preferred, On-Demand allowed", (name) => {
      const requirements = (
        nodePool(name).spec as { template: { spec: { requirements: { key: string; values: string[] }[] } } }
      ).template.spec.requirements;
      // Karpenter prefers spot over on-demand when a NodePool allows both and falls back within seconds.
      expect(requirements.find((r) => r.key === "karpenter.sh/capacity-type")!.values).toEqual(["spot", "on-demand"]);
      expect(caGroup(`${name}-spot`).capacity_type).toBe("SPOT");
    });
  });

  it("covers every chosen zone: the node classes select every private subnet, one per zone, and no pool narrows the zones", () => {
    const subnets = resources(karpenter.eks, "aws_subnet").filter(([id]) => id.includes("private"));
    expect(subnets.map(([, s]) => s.availability_zone).sort()).toEqual(karpenterConfig.network.zones);
    for (const [, s] of subnets) expect((s.tags as Body)["karpenter.sh/discovery"]).toBe("kubeflow");
    for (const size of caConfig.nodeGroups.gpu) {
      expect((nodeClass(size.name).spec as Body).subnetSelectorTerms).toEqual([
        { tags: { "karpenter.sh/discovery": "kubeflow" } },
      ]);
      const requirements = (nodePool(size.name).spec as { template: { spec: { requirements: { key: string }[] } } })
        .template.spec.requirements;
      expect(requirements.map((r) => r.key)).not.toContain("topology.kubernetes.io/zone");
    }
    // And the public subnets (load balancers only) are not Karpenter's.
    for (const [, s] of resources(karpenter.eks, "aws_subnet").filter(([id]) => id.includes("public")))
      expect(s.tags as Body).not.toHaveProperty("karpenter.sh/discovery");
  });

  it("gives every GPU node the same nodeadm user data as the node groups: the Lustre client install", () => {
    for (const size of caConfig.nodeGroups.gpu) {
      const userData = String((nodeClass(size.name).spec as Body).userData);
      expect(userData).toBe(nodeUserData());
      expect(mimeParts(userData).map((p) => p.contentType)).toEqual([
        "application/node.eks.aws",
        'text/x-shellscript; charset="us-ascii"',
      ]);
    }
    const [[, system]] = resources(karpenter.eks, "aws_launch_template");
    expect(Buffer.from(String(system.user_data), "base64").toString()).toBe(nodeUserData());
  });

  it("orders sizes smallest first and removes empty GPU nodes after the configured time", () => {
    expect((nodePool("gpu-1x").spec.weight as number) > (nodePool("gpu-4x").spec.weight as number)).toBe(true);
    expect(nodePool("gpu-1x").spec.disruption).toEqual({ consolidationPolicy: "WhenEmpty", consolidateAfter: "5m" });
  });

  it("launches GPU nodes with the AL2023 alias, IMDSv2 only, hop limit 1, encrypted volumes and discovery by tag", () => {
    const spec = nodeClass("gpu-4x").spec as Body;
    expect(spec.amiSelectorTerms).toEqual([{ alias: "al2023@latest" }]);
    expect(spec.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(spec.blockDeviceMappings).toEqual([
      {
        deviceName: "/dev/xvda",
        ebs: { volumeSize: "200Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true },
      },
    ]);
    expect(spec.subnetSelectorTerms).toEqual([{ tags: { "karpenter.sh/discovery": "kubeflow" } }]);
    const subnets = resources(karpenter.eks, "aws_subnet").filter(([id]) => id.includes("private"));
    for (const [, s] of subnets) expect((s.tags as Body)["karpenter.sh/discovery"]).toBe("kubeflow");
    expect(resource(karpenter.eks, "aws_ec2_tag", "karpenter")).toMatchObject({
      key: "karpenter.sh/discovery",
      value: "kubeflow",
    });
  });

  it("gives Karpenter's nodes their own role with an EC2_LINUX access entry", () => {
    const [[, entry]] = resources(karpenter.eks, "aws_eks_access_entry").filter(([, e]) => e.type === "EC2_LINUX");
    expect(String(entry.principal_arn)).toContain("karpenter-nodes_role");
  });

  it("runs the pinned controller on the system nodes with its region, queue and Pod Identity", () => {
    const controller = releaseNamed(karpenter.addons, "karpenter");
    expect(controller).toMatchObject({
      repository: "oci://public.ecr.aws/karpenter",
      chart: "karpenter",
      version: UPSTREAM.karpenterChart.version,
      skip_crds: true,
    });
    expect(releaseNamed(karpenter.addons, "karpenter-crd")).toMatchObject({
      chart: "karpenter-crd",
      version: UPSTREAM.karpenterChart.version,
    });
    const values = valuesOf(controller);
    expect(values.controller).toMatchObject({ env: [{ name: "AWS_REGION", value: "us-west-2" }] });
    expect(values.nodeSelector).toMatchObject({ "kubeflow-eks/node-role": "system" });
    expect(String((values.settings as Body).interruptionQueue)).toMatch(/aws_sqs_queue\..*\.name/);
    expect(resource(karpenter.addons, "aws_eks_pod_identity_association", "karpenter")).toMatchObject({
      namespace: "kube-system",
      service_account: "karpenter",
    });
  });

  it("scopes the controller's IAM to this cluster's tagged resources, passing only the node role", () => {
    const [, doc] = dataSources(karpenter.addons, "aws_iam_policy_document").find(([id]) =>
      id.includes("karpenter_identity_permissions"),
    )!;
    const statements = doc.statement as {
      sid: string;
      actions: string[];
      resources: string[];
      condition?: { variable: string }[];
    }[];
    for (const s of statements) for (const a of s.actions) expect(a).not.toContain("*");
    const pass = statements.find((s) => s.sid === "AllowPassingInstanceRole")!;
    expect(pass.resources).toEqual([expect.stringContaining("karpenter-nodes_role")]);
    const deletion = statements.find((s) => s.sid === "AllowScopedDeletion")!;
    expect(deletion.condition!.map((c) => c.variable)).toContain("aws:ResourceTag/kubernetes.io/cluster/kubeflow");
    // What the pinned release's policy adds over older ones: instance status and placement-group
    // reads, launches into placement groups, and the zonal-shift status of this cluster only.
    const actions = statements.flatMap((s) => s.actions);
    expect(actions).toEqual(expect.arrayContaining(["ec2:DescribeInstanceStatus", "ec2:DescribePlacementGroups"]));
    const launch = statements.find((s) => s.sid === "AllowScopedEC2InstanceAccessActions")!;
    expect(launch.resources).toContainEqual(expect.stringMatching(/:ec2:us-west-2:\*:placement-group\/\*$/));
    const zonalShift = statements.find((s) => s.sid === "AllowZonalShiftStatusReadOnly")!;
    expect(JSON.stringify(zonalShift.condition)).toContain(":cluster/kubeflow");
    // Every placeholder of the template was filled.
    expect(JSON.stringify(statements)).not.toMatch(/\$\{(ClusterName|AWS::|Karpenter)/);
  });

  it("feeds Spot interruptions, rebalance recommendations, scheduled changes, state changes and capacity-reservation interruptions into a short-lived encrypted queue", () => {
    const queue = resource(karpenter.addons, "aws_sqs_queue", "interruption");
    expect(queue).toMatchObject({ message_retention_seconds: 300, sqs_managed_sse_enabled: true });
    const patterns = resources(karpenter.addons, "aws_cloudwatch_event_rule").map(([, r]) =>
      JSON.parse(String(r.event_pattern)),
    );
    expect(patterns.map((p) => p["detail-type"][0]).sort()).toEqual([
      "AWS Health Event",
      "EC2 Capacity Reservation Instance Interruption Warning",
      "EC2 Instance Rebalance Recommendation",
      "EC2 Instance State-change Notification",
      "EC2 Spot Instance Interruption Warning",
    ]);
    expect(resources(karpenter.addons, "aws_cloudwatch_event_target")).toHaveLength(5);
  });

  it("keeps GPU nodes in the file system's zone when asked", () => {
    const pinned = configWith((c) => ({
      ...c,
      autoscaler: "karpenter",
      fsx: { ...c.fsx, pinGpuGroupsToFileSystemZone: true },
    }));
    const { stages, json } = buildApp(pinned);
    const pools = valuesOf(releaseNamed(json(stages.addons), "gpu-node-pools")).resources as K8sObject[];
    const zoneRequirement = (
      pools.find((o) => o.kind === "NodePool")!.spec as {
        template: { spec: { requirements: { key: string; values: string[] }[] } };
      }
    ).template.spec.requirements.find((r) => r.key === "topology.kubernetes.io/zone")!;
    // The zone is config (network.zones[fsx.zoneIndex]), the same the file system's subnet is in.
    expect(zoneRequirement.values).toEqual(["us-west-2a"]);
  });
});
