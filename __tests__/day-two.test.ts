/**
 * Day-2 changes (conformance/day-two.ts): each config change the README or config/default.yaml
 * presents as something to do on a running platform is synthesized before and after, and every
 * changed argument of a stateful resource must update in place by the provider's facts, or be a
 * replacement the change declares (which README's table states).
 */
import { configSchema } from "../config/schema";
import {
  checkDayTwoChange,
  checkDayTwoChanges,
  DAY_TWO_CHANGES,
  REFERENCED_TYPES,
  STATEFUL_TYPES,
  synthesizeStateful,
  type DayTwoChange,
} from "../conformance/day-two";
import { checkProviderFacts, PROVIDER_FACTS, type ProviderFact } from "../conformance/provider-facts";
import { defaultConfig } from "./helpers";

const config = defaultConfig();
const before = synthesizeStateful(config);
const check = (change: DayTwoChange) =>
  checkDayTwoChange(change, before, synthesizeStateful(configSchema.parse(change.change(config))));

describe("day-2 changes", () => {
  it("update every stateful resource in place, or replace only what they declare", () => {
    expect(checkDayTwoChanges(config)).toEqual([]);
  });

  it("cover the changes the README and config file invite", () => {
    const keys = new Set(DAY_TWO_CHANGES.map((c) => c.key));
    for (const key of [
      "cluster.adminPrincipals",
      "cluster.clusterCreatorAdmin",
      "nodeGroups.gpu[].maxSize",
      "nodeGroups.gpu[].instanceTypes",
      "kubeflow.culling",
      "storage.iops",
      "cluster.logRetentionDays",
      "network.zones",
    ])
      expect(keys).toContain(key);
  });

  it("name the key, the resource and the argument of a change that would replace the cluster", () => {
    const rename: DayTwoChange = {
      key: "cluster.name",
      edit: "rename the cluster",
      change: (c) => ({ ...c, cluster: { ...c.cluster, name: "kubeflow-two" } }),
    };
    const findings = check(rename);
    expect(findings).toContainEqual({
      check: "day-2 changes",
      where: "cluster.name eks eks/cluster/cluster name",
      message: expect.stringMatching(
        /^rename the cluster changes aws_eks_cluster\.name \("kubeflow" -> "kubeflow-two"\), which does not update in place by the provider's facts \(conformance\/provider-facts\.ts\): it replaces aws_eks_cluster\.cluster_[0-9A-F]{8} on apply$/,
      ),
    });
  });

  it("name a subnet a change would move, and the file system a change would move with it", () => {
    const reorder: DayTwoChange = {
      key: "network.zones",
      edit: "reorder the zones",
      change: (c) => ({ ...c, network: { ...c.network, zones: ["us-west-2b", "us-west-2a", "us-west-2c"] } }),
    };
    const where = check(reorder).map((f) => f.where);
    expect(where).toContainEqual(
      expect.stringMatching(/^network\.zones eks eks\/network\/private-0 availability_zone$/),
    );
    expect(where).toContainEqual(
      expect.stringMatching(/^network\.zones eks eks\/network\/public-1 availability_zone$/),
    );
  });

  it("name a change that replaces a node group through its launch template, or takes the template away", () => {
    const change: DayTwoChange = { key: "nodeGroups.system", edit: "an edit", change: (c) => c };
    const after = structuredClone(before) as typeof before;
    const eks = after.find((s) => s.name === "eks")!.json.resource!;
    const [templateId] = Object.keys(eks.aws_launch_template).filter((id) => id.startsWith("system-nodes_"));
    eks.aws_launch_template[templateId].name_prefix = "kubeflow-other-";
    expect(checkDayTwoChange(change, before, after)).toEqual([
      expect.objectContaining({
        where: "nodeGroups.system eks eks/system-nodes/launch-template name_prefix",
        message: expect.stringContaining("changes aws_launch_template.name_prefix"),
      }),
    ]);
    delete eks.aws_launch_template[templateId];
    expect(checkDayTwoChange(change, before, after)).toEqual([
      expect.objectContaining({
        where: "nodeGroups.system eks eks/system-nodes/launch-template",
        message: expect.stringMatching(
          /^an edit removes aws_launch_template\.system-nodes_launch-template_[0-9A-F]{8}, which eks aws_eks_node_group\.system-nodes_node-group_[0-9A-F]{8} still names: it would be replaced$/,
        ),
      }),
    ]);
  });

  it("report a declared replacement that no longer happens, so the README's warning stays true", () => {
    const overclaimed: DayTwoChange = {
      key: "cluster.logRetentionDays",
      edit: "keep logs longer",
      change: (c) => ({ ...c, cluster: { ...c.cluster, logRetentionDays: 365 } }),
      replaces: [{ type: "aws_eks_cluster", argument: "name", consequence: "replaces the cluster" }],
    };
    expect(check(overclaimed)).toEqual([
      {
        check: "day-2 changes",
        where: "cluster.logRetentionDays",
        message: "declares that it replaces the cluster (aws_eks_cluster name), which no longer happens",
      },
    ]);
  });

  it("take an argument as in place only from a fact the provider's code bears out", () => {
    expect(checkProviderFacts()).toEqual([]);
    for (const fact of PROVIDER_FACTS)
      expect([...STATEFUL_TYPES, ...REFERENCED_TYPES] as readonly string[]).toContain(fact.type);
    for (const change of DAY_TWO_CHANGES)
      for (const r of change.replaces ?? [])
        if (r.argument !== "removed")
          expect(PROVIDER_FACTS).toContainEqual(
            expect.objectContaining({ type: r.type, argument: r.argument, verdict: "replace" }),
          );
  });

  it("refuse a fact the provider's code contradicts, and one whose citation moved", () => {
    const wrong: ProviderFact = {
      type: "aws_eks_node_group",
      argument: "instance_types",
      verdict: "in-place",
      schema: { file: "eks/func.resourceNodeGroup.goindex", line: 82, text: '"instance_types": {' },
      update: { file: "eks/func.resourceNodeGroupUpdate.goindex", line: 90, text: '"scaling_config"' },
    };
    const moved: ProviderFact = {
      ...wrong,
      verdict: "replace",
      schema: { ...wrong.schema, line: 83 },
      update: undefined,
    };
    expect(checkProviderFacts(undefined, [wrong, moved])).toEqual([
      expect.objectContaining({
        where: "aws_eks_node_group.instance_types",
        message: "is recorded as in-place, but its schema at eks/func.resourceNodeGroup.goindex:82 has ForceNew",
      }),
      expect.objectContaining({
        message: expect.stringMatching(
          /^its schema is cited as eks\/func\.resourceNodeGroup\.goindex:83 ""instance_types": \{", but that line is /,
        ),
      }),
    ]);
  });

  it("refuse an in-place fact for an argument a CustomizeDiff replaces", () => {
    const encryption: ProviderFact = {
      type: "aws_eks_cluster",
      argument: "encryption_config",
      verdict: "in-place",
      schema: { file: "eks/func.resourceCluster.goindex", line: 456, text: '"public_access_cidrs": {' },
      update: { file: "eks/func.resourceClusterUpdate.goindex", line: 207, text: "vpc_config" },
    };
    expect(checkProviderFacts(undefined, [encryption])).toContainEqual(
      expect.objectContaining({
        message:
          "is recorded as in place, but eks/func.resourceCluster.goindex:51 forces a new resource when it changes",
      }),
    );
  });

  it("accept a growing file system in place, and name a shrinking one, which the provider replaces", () => {
    const shrink: DayTwoChange = {
      key: "fsx.storageCapacityGiB",
      edit: "shrink the file system",
      change: (c) => ({ ...c, fsx: { ...c.fsx, storageCapacityGiB: 2400 } }),
    };
    const grown = synthesizeStateful(configSchema.parse(shrink.change(config)));
    expect(checkDayTwoChange(shrink, grown, before)).toEqual([
      expect.objectContaining({
        where: "fsx.storageCapacityGiB fsx fsx/lustre/file-system storage_capacity",
        message: expect.stringContaining("changes aws_fsx_lustre_file_system.storage_capacity (2400 -> 1200)"),
      }),
    ]);
  });
});
