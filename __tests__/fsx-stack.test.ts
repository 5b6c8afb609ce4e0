import type { Config } from "../config/schema";
import { LUSTRE_PORT_RANGES } from "../constructs/lustre-file-system";
import { profileNamespaceMissingMessage } from "../stacks/fsx-stack";
import { buildApp, configWith, dataSources, referencedAddress, resource, resources, type SynthJson } from "./helpers";

type Body = Record<string, unknown>;
const withFsx = (change: (f: Config["fsx"]) => Config["fsx"]) => configWith((c) => ({ ...c, fsx: change(c.fsx) }));
function fsxOf(config?: Config): SynthJson {
  const { stages, json } = buildApp(config);
  return json(stages.fsx);
}
const fsx = fsxOf();

describe("fsx stack: data bucket", () => {
  it("creates the configured bucket private, KMS-encrypted, versioned, TLS-only and protected from destroy", () => {
    expect(resource(fsx, "aws_s3_bucket", "data-bucket")).toMatchObject({
      bucket: "example-kubeflow-datasets",
      lifecycle: { prevent_destroy: true },
    });
    expect(resource(fsx, "aws_s3_bucket_public_access_block", "data-bucket")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resource(fsx, "aws_s3_bucket_versioning", "data-bucket").versioning_configuration).toEqual({
      status: "Enabled",
    });
    const sse = resource(fsx, "aws_s3_bucket_server_side_encryption_configuration", "data-bucket").rule as Body[];
    expect(sse[0]).toMatchObject({ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" } });
    expect(resources(fsx, "aws_s3_bucket_policy")).toHaveLength(1);
  });

  it("lets FSx's S3 data repository role use the bucket's key, as AWS documents for SSE-KMS buckets, without naming the file system", () => {
    const key = resource(fsx, "aws_kms_key", "data-bucket_key");
    expect(key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    const policy = referencedAddress(key.policy).split(".")[2];
    const combined = dataSources(fsx, "aws_iam_policy_document").find(([id]) => id === policy)![1];
    const sources = (combined.source_policy_documents as string[]).map((ref) => referencedAddress(ref).split(".")[2]);
    const doc = (id: string) => dataSources(fsx, "aws_iam_policy_document").find(([d]) => d === id)![1];
    const [account, grants] = sources.map(doc);
    // KMS's default statement first: the account's IAM policies keep deciding everything else.
    expect(account.statement).toEqual([
      {
        sid: "EnableIamUserPermissions",
        effect: "Allow",
        principals: [
          {
            type: "AWS",
            identifiers: [
              expect.stringMatching(
                /^arn:\$\{data\.aws_partition\.[^}]+\}:iam::\$\{data\.aws_caller_identity\.[^}]+\}:root$/,
              ),
            ],
          },
        ],
        actions: ["kms:*"],
        resources: ["*"],
      },
    ]);
    const partition = "${data.aws_partition.partition.partition}";
    const accountId = "${data.aws_caller_identity.caller.account_id}";
    expect(grants.statement).toEqual([
      {
        sid: "FsxS3DataRepositoryUseOfTheKey",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: ["*"] }],
        actions: [
          "kms:Encrypt",
          "kms:Decrypt",
          "kms:ReEncryptFrom",
          "kms:ReEncryptTo",
          "kms:GenerateDataKey",
          "kms:GenerateDataKeyWithoutPlaintext",
          "kms:DescribeKey",
        ],
        resources: ["*"],
        condition: [
          {
            test: "ArnLike",
            variable: "aws:PrincipalArn",
            values: [
              `arn:${partition}:iam::${accountId}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_*`,
            ],
          },
          { test: "StringEquals", variable: "kms:CallerAccount", values: [accountId] },
          { test: "StringEquals", variable: "kms:ViaService", values: ["s3.us-west-2.amazonaws.com"] },
          {
            test: "StringLike",
            variable: "kms:EncryptionContext:aws:s3:arn",
            values: [
              `arn:${partition}:s3:::example-kubeflow-datasets`,
              `arn:${partition}:s3:::example-kubeflow-datasets/*`,
            ],
          },
        ],
      },
    ]);
    // No cycle: the key's policy refers to no file system.
    expect(JSON.stringify([account, grants, combined])).not.toContain("aws_fsx_lustre_file_system");
  });

  it("links the file system to the bucket only once the bucket and its encryption exist", () => {
    const link = resource(fsx, "aws_fsx_data_repository_association", "s3-link");
    const waitsFor = (link.depends_on as string[]).map((d) => d.split(".")[0]);
    expect(waitsFor).toEqual(
      expect.arrayContaining(["aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration", "aws_kms_key"]),
    );
  });

  it("uses an existing bucket without creating one", () => {
    const existing = fsxOf(withFsx((f) => ({ ...f, dataBucket: { name: "team-data", create: false } })));
    expect(resources(existing, "aws_s3_bucket")).toEqual([]);
    expect(resource(existing, "aws_fsx_data_repository_association", "s3-link").data_repository_path).toBe(
      "s3://team-data",
    );
  });
});

describe("fsx stack: file system", () => {
  const fileSystem = resource(fsx, "aws_fsx_lustre_file_system", "file-system");

  it("is PERSISTENT_2 by default, KMS-encrypted, logging, in the configured zone", () => {
    expect(fileSystem).toMatchObject({
      deployment_type: "PERSISTENT_2",
      // The Lustre version of the client the nodes install (lustre-client on AL2023).
      file_system_type_version: "2.15",
      storage_capacity: 1200,
      per_unit_storage_throughput: 125,
      log_configuration: { level: "WARN_ERROR" },
      lifecycle: { prevent_destroy: true },
    });
    expect(String(fileSystem.kms_key_id)).toMatch(/^\$\{aws_kms_key\.lustre_key/);
    expect(resource(fsx, "aws_kms_key", "lustre_key").enable_key_rotation).toBe(true);
    expect(String((fileSystem.log_configuration as Body).destination)).toContain(
      "aws_cloudwatch_log_group.lustre_logs",
    );
    expect(resource(fsx, "aws_cloudwatch_log_group", "lustre_logs").name).toMatch(/^\/aws\/fsx\//);
    expect(String((fileSystem.subnet_ids as string[])[0])).toContain("private-0");
  });

  it("imports and exports new, changed and deleted objects through a data repository association", () => {
    const link = resource(fsx, "aws_fsx_data_repository_association", "s3-link");
    expect(link).toMatchObject({
      file_system_path: "/",
      data_repository_path: "s3://example-kubeflow-datasets",
      batch_import_meta_data_on_create: true,
      s3: {
        auto_import_policy: { events: ["NEW", "CHANGED", "DELETED"] },
        auto_export_policy: { events: ["NEW", "CHANGED", "DELETED"] },
      },
    });
  });

  it("offers SCRATCH_2 with import and export paths and no customer key", () => {
    const scratch = fsxOf(withFsx((f) => ({ ...f, deploymentType: "SCRATCH_2", s3Prefix: "datasets/" })));
    const fs = resource(scratch, "aws_fsx_lustre_file_system", "file-system");
    expect(fs).toMatchObject({
      deployment_type: "SCRATCH_2",
      import_path: "s3://example-kubeflow-datasets/datasets",
      export_path: "s3://example-kubeflow-datasets/fsx-exports",
      auto_import_policy: "NEW_CHANGED_DELETED",
    });
    expect(fs).not.toHaveProperty("kms_key_id");
    expect(fs).not.toHaveProperty("per_unit_storage_throughput");
    expect(resources(scratch, "aws_fsx_data_repository_association")).toEqual([]);
  });
});

describe("fsx stack: security group", () => {
  const rules = resources(fsx, "aws_vpc_security_group_ingress_rule").map(([, r]) => r);

  it("opens TCP 988 and 1018-1023 (not just 1021-1023) between the nodes and the file system", () => {
    expect(LUSTRE_PORT_RANGES).toEqual([
      { from: 988, to: 988 },
      { from: 1018, to: 1023 },
    ]);
    const fromNodes = rules.filter(
      (r) =>
        String(r.security_group_id).includes("lustre_security-group") &&
        String(r.referenced_security_group_id).includes("remote_state"),
    );
    expect(fromNodes.map((r) => [r.ip_protocol, r.from_port, r.to_port])).toEqual([
      ["tcp", 988, 988],
      ["tcp", 1018, 1023],
    ]);
    const fromSelf = rules.filter((r) => r.security_group_id === r.referenced_security_group_id);
    expect(fromSelf.map((r) => [r.from_port, r.to_port])).toEqual([
      [988, 988],
      [1018, 1023],
    ]);
  });

  it("never opens Lustre to an address range", () => {
    for (const r of rules) {
      expect(r).not.toHaveProperty("cidr_ipv4");
      expect(r.ip_protocol).toBe("tcp");
    }
  });
});

describe("fsx stack: CSI driver", () => {
  const manifests = resources(fsx, "kubernetes_manifest").map(
    ([, m]) => m.manifest as { kind: string; metadata: { name: string } },
  );

  it("deploys the node plugin only for static provisioning, no controller and no IAM", () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual([
      "CSIDriver",
      "ClusterRole",
      "ClusterRoleBinding",
      "DaemonSet",
      "ServiceAccount",
    ]);
    expect(resources(fsx, "aws_eks_pod_identity_association")).toEqual([]);
    expect(resources(fsx, "aws_iam_role")).toEqual([]);
  });

  it("gives the node plugin the region through its environment, and carries no static keys", () => {
    const daemonSet = manifests.find((m) => m.kind === "DaemonSet") as unknown as {
      spec: { template: { spec: { containers: { name: string; env: { name: string; value?: string }[] }[] } } };
    };
    const plugin = daemonSet.spec.template.spec.containers.find((c) => c.name === "fsx-plugin")!;
    expect(plugin.env).toContainEqual({ name: "AWS_REGION", value: "us-west-2" });
    expect(JSON.stringify(manifests)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-secret/);
  });

  it("adds the controller with a Pod Identity role when dynamic provisioning is on", () => {
    const dynamic = fsxOf(withFsx((f) => ({ ...f, dynamicProvisioning: true })));
    const kinds = resources(dynamic, "kubernetes_manifest").map(([, m]) => (m.manifest as { kind: string }).kind);
    expect(kinds).toContain("Deployment");
    expect(resource(dynamic, "aws_eks_pod_identity_association", "csi-controller")).toMatchObject({
      namespace: "kube-system",
      service_account: "fsx-csi-controller-sa",
    });
  });
});

describe("fsx stack: notebook volume", () => {
  const volume = resource(fsx, "kubernetes_persistent_volume_v1", "notebook-volume");
  const claim = resource(fsx, "kubernetes_persistent_volume_claim_v1", "notebook-volume");

  it("is a static, retained, shared FSx volume", () => {
    const [spec] = volume.spec as Body[];
    expect(spec).toMatchObject({
      access_modes: ["ReadWriteMany"],
      persistent_volume_reclaim_policy: "Retain",
      mount_options: ["flock"],
      storage_class_name: "",
      capacity: { storage: "1200Gi" },
    });
    const csi = (spec.persistent_volume_source as { csi: Body }).csi;
    expect(csi.driver).toBe("fsx.csi.aws.com");
    expect(String(csi.volume_handle)).toMatch(/aws_fsx_lustre_file_system\..*\.id\}$/);
    expect(Object.keys(csi.volume_attributes as Body).sort()).toEqual(["dnsname", "mountname"]);
  });

  it("is claimed in the team's profile namespace", () => {
    expect(claim.metadata).toMatchObject({ name: "fsx-claim", namespace: "data-science" });
    expect(claim.spec).toMatchObject({ access_modes: ["ReadWriteMany"], storage_class_name: "" });
    expect(String((claim.spec as Body).volume_name)).toContain("kubernetes_persistent_volume_v1");
  });

  it("lets pods mount it only on nodes whose Lustre client install succeeded", () => {
    const [spec] = volume.spec as Body[];
    expect(spec.node_affinity).toEqual({
      required: {
        node_selector_term: [
          {
            match_expressions: [
              { key: "kubeflow-eks/lustre-client", operator: "In", values: ["installed"] },
              { key: "kubeflow-eks/lustre-client-failed", operator: "DoesNotExist" },
            ],
          },
        ],
      },
    });
  });

  it("grows with the file system by the volume's capacity; the claim keeps its size (no class, no resize)", () => {
    expect((claim.lifecycle as Body).ignore_changes).toEqual(["spec[0].resources[0].requests"]);
    const grown = buildApp(withFsx((f) => ({ ...f, storageCapacityGiB: 2400 })));
    const j = grown.json(grown.stages.fsx);
    const [spec] = resource(j, "kubernetes_persistent_volume_v1", "notebook-volume").spec as Body[];
    expect(spec.capacity).toEqual({ storage: "2400Gi" });
  });

  it("gives notebook users write access once, with a pinned image and only CHOWN", () => {
    const job = resource(fsx, "kubernetes_job_v1", "permissions");
    const template = (job.spec as { template: { metadata: Body; spec: { container: Body[] } } }).template;
    expect(template.metadata).toEqual({ annotations: { "sidecar.istio.io/inject": "false" } });
    const [container] = template.spec.container;
    expect(container.image).toMatch(/:\d+\.\d+\.\d+$/);
    expect((container.command as string[])[2]).toBe("chmod 2775 /data && chown 1000:100 /data");
    expect(container.security_context).toMatchObject({
      allow_privilege_escalation: false,
      capabilities: { drop: ["ALL"], add: ["CHOWN"] },
    });
  });
});

describe("fsx stack: the profile namespace it needs", () => {
  it("checks at plan time that the install created the namespace, with a message naming it and the command", () => {
    const [[nsId, ns]] = dataSources(fsx, "kubernetes_resources");
    expect(ns).toMatchObject({ api_version: "v1", kind: "Namespace", field_selector: "metadata.name=data-science" });
    const claim = resource(fsx, "kubernetes_persistent_volume_claim_v1", "notebook-volume");
    const [check] = (claim.lifecycle as { precondition: { condition: string; error_message: string }[] }).precondition;
    expect(check.condition).toBe(`\${(length(data.kubernetes_resources.${nsId}.objects) == 1)}`);
    expect(check.error_message).toBe(profileNamespaceMissingMessage("data-science"));
    expect(check.error_message).toContain(
      'The namespace "data-science" (kubeflow.profile.name in the configuration file)',
    );
    expect(check.error_message).toContain("npm run deploy -- --from kubeflow-install");
  });

  it("names the config file when it knows it", () => {
    const { stages, json } = buildApp(
      withFsx((f) => f),
      "config/prod.yaml",
    );
    const claim = resource(json(stages.fsx), "kubernetes_persistent_volume_claim_v1", "notebook-volume");
    const [check] = (claim.lifecycle as { precondition: { error_message: string }[] }).precondition;
    expect(check.error_message).toContain("(kubeflow.profile.name in config/prod.yaml)");
  });
});

describe("eks stack: GPU groups and the file system's zone", () => {
  it("spreads GPU groups over all zones by default and pins them to the file system's zone when asked", () => {
    const subnetsOf = (config?: Config) => {
      const { stages, json } = buildApp(config);
      return resources(json(stages.eks), "aws_eks_node_group")
        .filter(([, g]) => String(g.node_group_name).startsWith("gpu-"))
        .map(([, g]) => (g.subnet_ids as string[]).map((id) => /private-(\d)/.exec(id)![1]).join());
    };
    expect(new Set(subnetsOf())).toEqual(new Set(["0", "1", "2"]));
    expect(subnetsOf()).toHaveLength(12);
    const pinned = subnetsOf(withFsx((f) => ({ ...f, pinGpuGroupsToFileSystemZone: true, zoneIndex: 1 })));
    expect(pinned).toEqual(["1", "1", "1", "1"]);
  });
});
