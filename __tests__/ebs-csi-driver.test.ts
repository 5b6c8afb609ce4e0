import { buildApp, dataSources, referencedAddress, resource, resources, type SynthJson } from "./helpers";

type Body = Record<string, unknown>;
const { stages, json } = buildApp();
const eks: SynthJson = json(stages.eks);
const doc = (idPart: string) => dataSources(eks, "aws_iam_policy_document").find(([id]) => id.includes(idPart))![1];

describe("EBS CSI driver (eks stack)", () => {
  const addon = resources(eks, "aws_eks_addon").find(([, a]) => a.addon_name === "aws-ebs-csi-driver")![1];
  const association = resource(eks, "aws_eks_pod_identity_association", "ebs-csi-driver");

  it("is the EKS managed add-on, started after the system nodes exist and its role is bound", () => {
    const systemGroup = resources(eks, "aws_eks_node_group").find(([, g]) => g.node_group_name === "system")![0];
    expect(addon.depends_on).toEqual(
      expect.arrayContaining([
        `aws_eks_node_group.${systemGroup}`,
        `aws_eks_pod_identity_association.${resources(eks, "aws_eks_pod_identity_association").find(([id]) => id.includes("ebs-csi-driver"))![0]}`,
      ]),
    );
    expect(addon).toMatchObject({ resolve_conflicts_on_create: "OVERWRITE", resolve_conflicts_on_update: "OVERWRITE" });
  });

  it("gets AWS access through Pod Identity for its controller's service account only", () => {
    expect(association).toMatchObject({ namespace: "kube-system", service_account: "ebs-csi-controller-sa" });
    const [trust] = doc("ebs-csi-driver_controller-identity_trust").statement as Body[];
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }]);
    expect(trust.condition).toEqual(
      expect.arrayContaining([
        { test: "StringEquals", variable: "aws:RequestTag/kubernetes-namespace", values: ["kube-system"] },
        {
          test: "StringEquals",
          variable: "aws:RequestTag/kubernetes-service-account",
          values: ["ebs-csi-controller-sa"],
        },
        { test: "StringEquals", variable: "aws:RequestTag/eks-cluster-name", values: ["kubeflow"] },
      ]),
    );
  });

  it("holds AWS's managed driver policy (V2 at its catalog path, not under service-role/) and grants on the volume key only", () => {
    const role = referencedAddress(association.role_arn).split(".")[1];
    const attached = resources(eks, "aws_iam_role_policy_attachment")
      .filter(([, a]) => String(a.role).includes(role))
      .map(([, a]) => a.policy_arn);
    expect(attached).toEqual([
      expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:iam::aws:policy\/AmazonEBSCSIDriverPolicyV2$/),
    ]);
    const key = resources(eks, "aws_kms_key").find(([id]) => id.startsWith("volume-key"))![0];
    expect(doc("ebs-csi-driver_controller-identity_permissions").statement).toEqual([
      {
        sid: "UseVolumeKey",
        effect: "Allow",
        actions: ["kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext"],
        resources: [`\${aws_kms_key.${key}.arn}`],
      },
      {
        sid: "GrantVolumeKeyToEbs",
        effect: "Allow",
        actions: ["kms:CreateGrant"],
        resources: [`\${aws_kms_key.${key}.arn}`],
        condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
      },
    ]);
  });

  it("adds nothing to the node role", () => {
    const [, system] = resources(eks, "aws_eks_node_group").find(([, g]) => g.node_group_name === "system")!;
    const nodeRole = referencedAddress(system.node_role_arn).split(".")[1];
    const onNodeRole = resources(eks, "aws_iam_role_policy_attachment").filter(([, a]) =>
      String(a.role).includes(nodeRole),
    );
    expect(onNodeRole.map(([, a]) => String(a.policy_arn))).not.toContainEqual(expect.stringContaining("EBSCSI"));
    expect(resources(eks, "aws_iam_role_policy").filter(([, p]) => String(p.role).includes(nodeRole))).toEqual([]);
  });

  it("encrypts with a volume key of its own: rotating, protected, aliased, handed to the addons stack", () => {
    const [[id, key]] = resources(eks, "aws_kms_key").filter(([k]) => k.startsWith("volume-key"));
    expect(key).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    expect(resource(eks, "aws_kms_alias", "volume-key-alias")).toMatchObject({
      name: "alias/eks/kubeflow/volumes",
      target_key_id: `\${aws_kms_key.${id}.key_id}`,
    });
    expect(stages.eks.outputs.volumeKeyArn).toMatch(/TfToken/);
  });
});
