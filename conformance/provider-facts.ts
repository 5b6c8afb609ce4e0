/**
 * What the Terraform AWS provider does when an argument of a stateful resource changes: update it
 * in place, or replace the resource. The day-2 check (conformance/day-two.ts) accepts a change only
 * by one of these facts. Each names the provider's own code at the pinned release, vendored in
 * upstream/terraform-provider-aws (entry "terraform-provider-aws": the provider's Go functions at
 * v6.25.0, one per file): the schema entry (`schema`, whose block has `ForceNew: true` exactly when
 * the provider replaces, and no CustomizeDiff in the schema function forces a new resource on an
 * in-place argument) and, for an in-place fact, the Update code that sends the change to AWS
 * (`update`). checkProviderFacts reads those lines, so a fact that does not match the code fails.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { provenanceEntry, readProvenance, REPO_ROOT } from "../lib/provenance";
import { finding, type Finding } from "./findings";

/** A line of a vendored provider file that must contain `text`. */
export interface CodeLine {
  /** Under upstream/terraform-provider-aws/index/internal/service/. */
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

export interface ProviderFact {
  readonly type: string;
  /** Nested blocks joined by dots, no list indices, as the day-2 check names arguments. */
  readonly argument: string;
  readonly verdict: "in-place" | "replace";
  /**
   * An in-place fact that holds only when the value grows (a CustomizeDiff replaces on a decrease).
   * @default - in place for any change
   */
  readonly onlyWhenGrowing?: CodeLine;
  /** The argument's schema entry: `<key>: {` at this line. */
  readonly schema: CodeLine;
  /**
   * The Update function's handling of the argument (in-place facts).
   * @default - none (replace facts)
   */
  readonly update?: CodeLine;
}

const EKS_CLUSTER = "eks/func.resourceCluster.goindex";
const EKS_CLUSTER_UPDATE = "eks/func.resourceClusterUpdate.goindex";
const NODE_GROUP = "eks/func.resourceNodeGroup.goindex";
const NODE_GROUP_UPDATE = "eks/func.resourceNodeGroupUpdate.goindex";
const LUSTRE = "fsx/func.resourceLustreFileSystem.goindex";
const LUSTRE_UPDATE = "fsx/func.resourceLustreFileSystemUpdate.goindex";
const USER_POOL = "cognitoidp/func.resourceUserPool.goindex";
const USER_POOL_UPDATE = "cognitoidp/func.resourceUserPoolUpdate.goindex";

const nodeGroupScaling = (field: string, line: number): ProviderFact => ({
  type: "aws_eks_node_group",
  argument: `scaling_config.${field}`,
  verdict: "in-place",
  schema: { file: NODE_GROUP, line, text: `"${field}": {` },
  update: { file: NODE_GROUP_UPDATE, line: 90, text: '"scaling_config"' },
});

export const PROVIDER_FACTS: readonly ProviderFact[] = [
  {
    type: "aws_eks_cluster",
    argument: "vpc_config.public_access_cidrs",
    verdict: "in-place",
    schema: { file: EKS_CLUSTER, line: 456, text: '"public_access_cidrs": {' },
    update: { file: EKS_CLUSTER_UPDATE, line: 207, text: '"vpc_config.0.public_access_cidrs"' },
  },
  {
    type: "aws_eks_cluster",
    argument: "vpc_config.subnet_ids",
    verdict: "in-place",
    schema: { file: EKS_CLUSTER, line: 470, text: "names.AttrSubnetIDs: {" },
    update: { file: EKS_CLUSTER_UPDATE, line: 223, text: 'd.HasChange("vpc_config.0.subnet_ids")' },
  },
  {
    type: "aws_eks_cluster",
    argument: "version",
    verdict: "in-place",
    schema: { file: EKS_CLUSTER, line: 430, text: "names.AttrVersion: {" },
    update: { file: EKS_CLUSTER_UPDATE, line: 43, text: "conn.UpdateClusterVersion" },
  },
  {
    type: "aws_eks_cluster",
    argument: "name",
    verdict: "replace",
    schema: { file: EKS_CLUSTER, line: 278, text: "names.AttrName: {" },
  },
  nodeGroupScaling("desired_size", 275),
  nodeGroupScaling("max_size", 280),
  nodeGroupScaling("min_size", 285),
  {
    type: "aws_eks_node_group",
    argument: "version",
    verdict: "in-place",
    schema: { file: NODE_GROUP, line: 358, text: "names.AttrVersion: {" },
    update: { file: NODE_GROUP_UPDATE, line: 77, text: "conn.UpdateNodegroupVersion" },
  },
  {
    type: "aws_eks_node_group",
    argument: "instance_types",
    verdict: "replace",
    schema: { file: NODE_GROUP, line: 82, text: '"instance_types": {' },
  },
  {
    type: "aws_eks_node_group",
    argument: "subnet_ids",
    verdict: "replace",
    schema: { file: NODE_GROUP, line: 297, text: "names.AttrSubnetIDs: {" },
  },
  {
    type: "aws_subnet",
    argument: "availability_zone",
    verdict: "replace",
    schema: { file: "ec2/func.resourceSubnet.goindex", line: 65, text: "names.AttrAvailabilityZone: {" },
  },
  {
    type: "aws_subnet",
    argument: "cidr_block",
    verdict: "replace",
    schema: { file: "ec2/func.resourceSubnet.goindex", line: 79, text: "names.AttrCIDRBlock: {" },
  },
  {
    type: "aws_vpc",
    argument: "cidr_block",
    verdict: "replace",
    schema: { file: "ec2/func.resourceVPC.goindex", line: 71, text: "names.AttrCIDRBlock: {" },
  },
  {
    type: "aws_fsx_lustre_file_system",
    argument: "per_unit_storage_throughput",
    verdict: "in-place",
    schema: { file: LUSTRE, line: 244, text: '"per_unit_storage_throughput": {' },
    update: { file: LUSTRE_UPDATE, line: 99, text: 'd.HasChange("per_unit_storage_throughput")' },
  },
  {
    type: "aws_fsx_lustre_file_system",
    argument: "storage_capacity",
    verdict: "in-place",
    onlyWhenGrowing: {
      file: "fsx/func.resourceLustreFileSystemStorageCapacityCustomizeDiff.goindex",
      line: 37,
      text: "if n.(int) < o.(int) ||",
    },
    schema: { file: LUSTRE, line: 293, text: '"storage_capacity": {' },
    update: { file: LUSTRE_UPDATE, line: 107, text: 'd.HasChange("storage_capacity")' },
  },
  {
    type: "aws_fsx_lustre_file_system",
    argument: "deployment_type",
    verdict: "replace",
    schema: { file: LUSTRE, line: 115, text: '"deployment_type": {' },
  },
  {
    type: "aws_fsx_lustre_file_system",
    argument: "subnet_ids",
    verdict: "replace",
    schema: { file: LUSTRE, line: 305, text: "names.AttrSubnetIDs: {" },
  },
  {
    type: "aws_cognito_user_pool",
    argument: "mfa_configuration",
    verdict: "in-place",
    schema: { file: USER_POOL, line: 381, text: '"mfa_configuration": {' },
    update: { file: USER_POOL_UPDATE, line: 37, text: '"mfa_configuration"' },
  },
  {
    type: "aws_cognito_user_pool",
    argument: "user_pool_tier",
    verdict: "in-place",
    schema: { file: USER_POOL, line: 623, text: '"user_pool_tier": {' },
    update: { file: USER_POOL_UPDATE, line: 97, text: '"user_pool_tier"' },
  },
  {
    type: "aws_cognito_user_pool",
    argument: "user_pool_add_ons",
    verdict: "in-place",
    schema: { file: USER_POOL, line: 593, text: '"user_pool_add_ons": {' },
    update: { file: USER_POOL_UPDATE, line: 96, text: '"user_pool_add_ons"' },
  },
  {
    type: "aws_cognito_user_pool",
    argument: "deletion_protection",
    verdict: "in-place",
    schema: { file: USER_POOL, line: 140, text: "names.AttrDeletionProtection: {" },
    update: { file: USER_POOL_UPDATE, line: 82, text: "names.AttrDeletionProtection" },
  },
  {
    // Any change makes a new version (CreateLaunchTemplateVersion, then the default); the node group
    // follows its latest_version in place (launch_template.version, UpdateNodegroupVersion).
    type: "aws_launch_template",
    argument: "block_device_mappings",
    verdict: "in-place",
    schema: { file: "ec2/func.resourceLaunchTemplate.goindex", line: 44, text: '"block_device_mappings": {' },
    update: { file: "ec2/func.resourceLaunchTemplateUpdate.goindex", line: 33, text: '"block_device_mappings",' },
  },
  {
    type: "aws_launch_template",
    argument: "user_data",
    verdict: "in-place",
    schema: { file: "ec2/func.resourceLaunchTemplate.goindex", line: 984, text: '"user_data": {' },
    update: { file: "ec2/func.resourceLaunchTemplateUpdate.goindex", line: 60, text: '"user_data",' },
  },
  {
    type: "aws_eks_node_group",
    argument: "launch_template.version",
    verdict: "in-place",
    schema: { file: NODE_GROUP, line: 116, text: "names.AttrVersion: {" },
    update: { file: NODE_GROUP_UPDATE, line: 41, text: "names.AttrLaunchTemplate" },
  },
  {
    type: "aws_cognito_user_pool_domain",
    argument: "domain",
    verdict: "replace",
    schema: { file: "cognitoidp/func.resourceUserPoolDomain.goindex", line: 56, text: "names.AttrDomain: {" },
  },
];

export const PROVIDER_INDEX_DIR = "upstream/terraform-provider-aws/index/internal/service";

/** The lines of a schema entry: from its `key: {` to the brace that closes it. */
export function schemaBlock(lines: readonly string[], start: number): string[] {
  let depth = 0;
  for (let i = start - 1; i < lines.length; i++) {
    for (const ch of lines[i]) {
      if (ch === "{") depth++;
      else if (ch === "}") depth--;
    }
    if (depth === 0) return lines.slice(start - 1, i + 1);
  }
  return lines.slice(start - 1);
}

/** ForceNew set on the entry itself, not on an argument nested in its Elem. */
export function forcesNew(block: readonly string[]): boolean {
  let depth = 0;
  for (const line of block) {
    if (depth === 1 && /^\s*ForceNew:\s*true,/.test(line)) return true;
    for (const ch of line) {
      if (ch === "{") depth++;
      else if (ch === "}") depth--;
    }
  }
  return false;
}

const CHECK = "provider facts";

/**
 * Each fact against the vendored provider code, and the vendored code against the provider version
 * the bindings generate for (@cdktf/provider-aws).
 */
export function checkProviderFacts(
  root: string = REPO_ROOT,
  facts: readonly ProviderFact[] = PROVIDER_FACTS,
): Finding[] {
  const findings: Finding[] = [];
  const entry = provenanceEntry(
    "terraform-provider-aws",
    readProvenance(path.join(root, "upstream", "PROVENANCE.json")),
  );
  const bindings = readFileSync(require.resolve("@cdktf/provider-aws/lib/provider/index.js"), "utf8");
  const bound = /registry\.terraform\.io\/providers\/hashicorp\/aws\/(\d+\.\d+\.\d+)\/docs/.exec(bindings)?.[1];
  if (bound !== entry.version)
    findings.push(
      finding(
        CHECK,
        "upstream/terraform-provider-aws",
        `the facts come from provider ${entry.version}, the bindings are for ${bound}: npm run vendor -- terraform-provider-aws --version ${bound}, then review conformance/provider-facts.ts`,
      ),
    );
  const files = new Map<string, string[]>();
  const linesOf = (file: string) => {
    if (!files.has(file)) files.set(file, readFileSync(path.join(root, PROVIDER_INDEX_DIR, file), "utf8").split("\n"));
    return files.get(file)!;
  };
  const at = (fact: ProviderFact, what: string, code: CodeLine): boolean => {
    const line = linesOf(code.file)[code.line - 1] ?? "";
    if (line.includes(code.text)) return true;
    findings.push(
      finding(
        CHECK,
        `${fact.type}.${fact.argument}`,
        `its ${what} is cited as ${code.file}:${code.line} "${code.text}", but that line is "${line.trim()}"`,
      ),
    );
    return false;
  };
  for (const fact of facts) {
    if (at(fact, "schema", fact.schema)) {
      const replaces = forcesNew(schemaBlock(linesOf(fact.schema.file), fact.schema.line));
      if (replaces !== (fact.verdict === "replace"))
        findings.push(
          finding(
            CHECK,
            `${fact.type}.${fact.argument}`,
            `is recorded as ${fact.verdict}, but its schema at ${fact.schema.file}:${fact.schema.line} ${replaces ? "has" : "has no"} ForceNew`,
          ),
        );
    }
    // A CustomizeDiff can replace what the schema updates in place: an in-place fact must cite it.
    if (fact.verdict === "in-place") {
      for (const [i, line] of linesOf(fact.schema.file).entries()) {
        const forced = /ForceNew\w*\(\s*"([^"]+)"/.exec(line)?.[1]?.replace(/\.\d+\./g, ".");
        if (forced && (fact.argument === forced || fact.argument.startsWith(`${forced}.`)))
          findings.push(
            finding(
              CHECK,
              `${fact.type}.${fact.argument}`,
              `is recorded as in place, but ${fact.schema.file}:${i + 1} forces a new resource when it changes`,
            ),
          );
      }
    }
    if (fact.update) at(fact, "update", fact.update);
    else if (fact.verdict === "in-place")
      findings.push(
        finding(
          CHECK,
          `${fact.type}.${fact.argument}`,
          "is recorded as in place without the Update code that applies it",
        ),
      );
    if (fact.onlyWhenGrowing) at(fact, "replacement on a decrease", fact.onlyWhenGrowing);
  }
  return findings;
}
