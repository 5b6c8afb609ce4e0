/**
 * Every policy rule, each with a compliant and a non-compliant construct: the first must pass,
 * the second must fail with the rule's own message.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EksCluster as AwsEksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { FsxLustreFileSystem } from "@cdktf/provider-aws/lib/fsx-lustre-file-system";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Release } from "@cdktf/provider-helm/lib/release";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { LocalBackend, S3Backend, TerraformStack, Testing } from "cdktf";
import { SecureBucket } from "../constructs/secure-bucket";
import { evaluateStack } from "../policy/engine";
import type { PolicyRule } from "../policy/rule";
import { ALL_RULES } from "../policy/rules";
import { cognitoMfa } from "../policy/rules/cognito-mfa";
import { cognitoNoSelfSignup } from "../policy/rules/cognito-no-self-signup";
import { cognitoPasswordPolicy } from "../policy/rules/cognito-password-policy";
import { cognitoThreatProtection } from "../policy/rules/cognito-threat-protection";
import { eksAccessEntries } from "../policy/rules/eks-access-entries";
import { eksControlPlaneLogging } from "../policy/rules/eks-control-plane-logging";
import { eksNodeGroupLaunchTemplate } from "../policy/rules/eks-node-group-launch-template";
import { eksNodeGroupNoSsh } from "../policy/rules/eks-node-group-no-ssh";
import { eksPrivateEndpoint } from "../policy/rules/eks-private-endpoint";
import { eksPublicEndpoint } from "../policy/rules/eks-public-endpoint";
import { eksSecretsEncryption } from "../policy/rules/eks-secrets-encryption";
import { fsxEncryption } from "../policy/rules/fsx-encryption";
import { helmPinnedAtomic } from "../policy/rules/helm-pinned-atomic";
import { iamNoAdmin } from "../policy/rules/iam-no-admin";
import { iamNoWildcardAction } from "../policy/rules/iam-no-wildcard-action";
import { iamPrivilegeEscalation } from "../policy/rules/iam-privilege-escalation";
import { iamScopedTrust } from "../policy/rules/iam-scoped-trust";
import { iamScopedWrites } from "../policy/rules/iam-scoped-writes";
import { k8sNoHostNamespaces } from "../policy/rules/k8s-no-host-namespaces";
import { k8sNoHostPath } from "../policy/rules/k8s-no-host-path";
import { k8sNoPrivileged } from "../policy/rules/k8s-no-privileged";
import { karpenterNodeClass } from "../policy/rules/karpenter-node-class";
import { kmsRotation } from "../policy/rules/kms-rotation";
import { launchTemplateEncryptedVolumes } from "../policy/rules/launch-template-encrypted-volumes";
import { launchTemplateHopLimit } from "../policy/rules/launch-template-hop-limit";
import { launchTemplateImdsv2 } from "../policy/rules/launch-template-imdsv2";
import { logRetention } from "../policy/rules/log-retention";
import { noOpenIngress } from "../policy/rules/no-open-ingress";
import { s3Encryption } from "../policy/rules/s3-encryption";
import { s3NoAcls } from "../policy/rules/s3-no-acls";
import { s3PublicAccessBlock } from "../policy/rules/s3-public-access-block";
import { s3TlsOnly } from "../policy/rules/s3-tls-only";
import { s3Versioning } from "../policy/rules/s3-versioning";
import { safeDestroy } from "../policy/rules/safe-destroy";
import { stateBackend } from "../policy/rules/state-backend";
import { subnetNoPublicIp } from "../policy/rules/subnet-no-public-ip";
import { vpcDefaultSecurityGroupClosed } from "../policy/rules/vpc-default-security-group-closed";
import { vpcFlowLogs } from "../policy/rules/vpc-flow-logs";
import { defaultStorageClass } from "../policy/rules/default-storage-class";
import { systemCapacity } from "../policy/rules/system-capacity";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { APP_RULES } from "../policy/rules";
import { evaluateApp, stackView } from "../policy/engine";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";

type Build = (stack: TerraformStack) => void;

function stackWith(build: Build, backend: "s3" | "local" | "s3-unlocked" = "s3"): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "fixture");
  new AwsProvider(stack, "aws", { region: "us-west-2" });
  if (backend === "local") new LocalBackend(stack, { path: "x.tfstate" });
  else {
    const b = new S3Backend(stack, { bucket: "b", key: "k", region: "us-west-2", encrypt: true });
    if (backend === "s3") b.addOverride("use_lockfile", true);
  }
  build(stack);
  return stack;
}

function failuresOf(rule: PolicyRule, build: Build, backend?: "s3" | "local" | "s3-unlocked"): string[] {
  const [report] = evaluateStack(stackWith(build, backend), [rule]);
  return report.findings.filter((f) => f.status === "fail").map((f) => f.message);
}

const cluster = (stack: TerraformStack, overrides: Partial<ConstructorParameters<typeof AwsEksCluster>[2]> = {}) =>
  new AwsEksCluster(stack, "cluster", {
    name: "c",
    roleArn: "arn:aws:iam::111122223333:role/r",
    vpcConfig: {
      subnetIds: ["s"],
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
    },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-west-2:111122223333:key/k" } },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    accessConfig: { authenticationMode: "API" },
    ...overrides,
  });

const launchTemplate = (stack: TerraformStack, tokens = "required", hop = 1, encrypted = "true") =>
  new LaunchTemplate(stack, "lt", {
    metadataOptions: { httpTokens: tokens, httpPutResponseHopLimit: hop },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted } }],
  });

const nodeGroup = (stack: TerraformStack, withTemplate: boolean, ssh = false) => {
  const lt = launchTemplate(stack);
  new EksNodeGroup(stack, "ng", {
    clusterName: "c",
    nodeRoleArn: "arn:aws:iam::111122223333:role/n",
    subnetIds: ["s"],
    scalingConfig: { minSize: 0, maxSize: 1, desiredSize: 0 },
    launchTemplate: withTemplate ? { id: lt.id, version: "1" } : undefined,
    remoteAccess: ssh ? { ec2SshKey: "key" } : undefined,
  });
};

const policy = (statement: DataAwsIamPolicyDocumentStatement[]) => (stack: TerraformStack) =>
  new DataAwsIamPolicyDocument(stack, "doc", { statement });

const pool = (stack: TerraformStack, overrides: Partial<ConstructorParameters<typeof CognitoUserPool>[2]> = {}) =>
  new CognitoUserPool(stack, "pool", {
    name: "p",
    passwordPolicy: {
      minimumLength: 14,
      requireLowercase: true,
      requireUppercase: true,
      requireNumbers: true,
      requireSymbols: true,
    },
    mfaConfiguration: "ON",
    adminCreateUserConfig: { allowAdminCreateUserOnly: true },
    userPoolTier: "PLUS",
    userPoolAddOns: { advancedSecurityMode: "ENFORCED" },
    deletionProtection: "ACTIVE",
    ...overrides,
  });

const vpcWith = (flowLog: boolean, defaultSg: "closed" | "open" | "none") => (stack: TerraformStack) => {
  const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
  if (flowLog)
    new FlowLog(stack, "flow", {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestination: "arn:aws:logs:x",
      iamRoleArn: "arn:aws:iam::1:role/x",
    });
  if (defaultSg === "closed") new DefaultSecurityGroup(stack, "default", { vpcId: vpc.id });
  if (defaultSg === "open")
    new DefaultSecurityGroup(stack, "default", {
      vpcId: vpc.id,
      ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/16"] }],
    });
};

const workload = (podSpec: Record<string, unknown>) => (stack: TerraformStack) => {
  const provider = new KubernetesProvider(stack, "k8s", {});
  new Manifest(stack, "ds", {
    provider,
    manifest: {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "d", namespace: "n" },
      spec: { template: { spec: podSpec } },
    },
  });
};
const container = (securityContext: Record<string, unknown> = {}) => ({ name: "c", image: "i:1", securityContext });

const nodeClassRelease = (stack: TerraformStack, httpTokens: string, hop: number, encrypted: boolean) =>
  new Release(stack, "pools", {
    provider: new HelmProvider(stack, "helm", {}),
    name: "pools",
    chart: "../../../charts/raw-resources",
    version: "0.1.0",
    atomic: true,
    values: [
      JSON.stringify({
        resources: [
          {
            kind: "EC2NodeClass",
            metadata: { name: "gpu" },
            spec: {
              metadataOptions: { httpTokens, httpPutResponseHopLimit: hop },
              blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted } }],
            },
          },
        ],
      }),
    ],
  });

const bareBucket = (stack: TerraformStack) => new S3Bucket(stack, "bucket", { bucket: "b" });
const secureBucket = (stack: TerraformStack) =>
  new SecureBucket(stack, "secure", { bucketName: "b", purpose: "tests" });

const CASES: [PolicyRule, Build, Build, RegExp, ("s3" | "local" | "s3-unlocked")?][] = [
  [
    eksPublicEndpoint,
    (s) => cluster(s),
    (s) =>
      cluster(s, { vpcConfig: { subnetIds: ["s"], endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }),
    /0\.0\.0\.0\/0/,
  ],
  [
    eksPrivateEndpoint,
    (s) => cluster(s),
    (s) =>
      cluster(s, {
        vpcConfig: { subnetIds: ["s"], endpointPrivateAccess: false, publicAccessCidrs: ["203.0.113.0/24"] },
      }),
    /endpoint_private_access/,
  ],
  [eksSecretsEncryption, (s) => cluster(s), (s) => cluster(s, { encryptionConfig: undefined }), /no encryption_config/],
  [
    eksControlPlaneLogging,
    (s) => cluster(s),
    (s) => cluster(s, { enabledClusterLogTypes: ["api"] }),
    /log type "audit" is not enabled/,
  ],
  [
    eksAccessEntries,
    (s) => cluster(s),
    (s) => cluster(s, { accessConfig: { authenticationMode: "CONFIG_MAP" } }),
    /authentication_mode is CONFIG_MAP/,
  ],
  [eksNodeGroupNoSsh, (s) => nodeGroup(s, true), (s) => nodeGroup(s, true, true), /remote_access/],
  [eksNodeGroupLaunchTemplate, (s) => nodeGroup(s, true), (s) => nodeGroup(s, false), /no launch template/],
  [launchTemplateImdsv2, (s) => launchTemplate(s), (s) => launchTemplate(s, "optional"), /http_tokens/],
  [launchTemplateHopLimit, (s) => launchTemplate(s), (s) => launchTemplate(s, "required", 2), /hop_limit is 2/],
  [
    launchTemplateEncryptedVolumes,
    (s) => launchTemplate(s),
    (s) => launchTemplate(s, "required", 1, "false"),
    /not encrypted/,
  ],
  [
    iamNoAdmin,
    policy([{ actions: ["s3:GetObject"], resources: ["*"] }]),
    policy([{ actions: ["*"], resources: ["*"] }]),
    /grants \*:\*/,
  ],
  [
    iamNoWildcardAction,
    policy([{ actions: ["s3:GetObject"], resources: ["*"] }]),
    policy([{ actions: ["s3:*"], resources: ["arn:aws:s3:::b"] }]),
    /allows "s3:\*"/,
  ],
  [
    iamScopedWrites,
    policy([
      {
        actions: ["autoscaling:SetDesiredCapacity"],
        resources: ["*"],
        condition: [{ test: "StringEquals", variable: "aws:ResourceTag/x", values: ["owned"] }],
      },
    ]),
    policy([{ sid: "Scale", actions: ["autoscaling:SetDesiredCapacity"], resources: ["*"] }]),
    /statement Scale allows autoscaling:SetDesiredCapacity on "\*" without a condition/,
  ],
  [
    iamPrivilegeEscalation,
    policy([{ actions: ["iam:PassRole"], resources: ["arn:aws:iam::111122223333:role/exact-role"] }]),
    policy([{ actions: ["iam:PassRole"], resources: ["*"] }]),
    /allows iam:PassRole on any principal/,
  ],
  [
    iamScopedTrust,
    policy([
      {
        actions: ["sts:AssumeRole", "sts:TagSession"],
        principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:RequestTag/kubernetes-namespace", values: ["ns"] },
          { test: "StringEquals", variable: "aws:RequestTag/kubernetes-service-account", values: ["sa"] },
        ],
      },
    ]),
    policy([
      {
        actions: ["sts:AssumeRole", "sts:TagSession"],
        principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
      },
    ]),
    /without a aws:RequestTag\/kubernetes-service-account condition/,
  ],
  [s3PublicAccessBlock, secureBucket, bareBucket, /no aws_s3_bucket_public_access_block/],
  [s3Encryption, secureBucket, bareBucket, /no KMS default encryption/],
  [s3Versioning, secureBucket, bareBucket, /versioning is not enabled/],
  [s3TlsOnly, secureBucket, bareBucket, /no bucket policy/],
  [s3NoAcls, secureBucket, bareBucket, /not BucketOwnerEnforced/],
  [
    kmsRotation,
    (s) => new KmsKey(s, "k", { enableKeyRotation: true }),
    (s) => new KmsKey(s, "k", {}),
    /enable_key_rotation/,
  ],
  [
    fsxEncryption,
    (s) =>
      new FsxLustreFileSystem(s, "fs", {
        subnetIds: ["s"],
        deploymentType: "PERSISTENT_2",
        kmsKeyId: "arn:aws:kms:us-west-2:1:key/k",
      }),
    (s) => new FsxLustreFileSystem(s, "fs", { subnetIds: ["s"], deploymentType: "SCRATCH_2" }),
    /no kms_key_id \(deployment type SCRATCH_2\)/,
  ],
  [
    cognitoPasswordPolicy,
    (s) => pool(s),
    (s) => pool(s, { passwordPolicy: { minimumLength: 6, requireSymbols: false } }),
    /minimum_length 6 < 8/,
  ],
  [cognitoMfa, (s) => pool(s), (s) => pool(s, { mfaConfiguration: "OPTIONAL" }), /mfa_configuration is OPTIONAL/],
  [
    cognitoNoSelfSignup,
    (s) => pool(s),
    (s) => pool(s, { adminCreateUserConfig: { allowAdminCreateUserOnly: false } }),
    /self sign-up is allowed/,
  ],
  [
    cognitoThreatProtection,
    (s) => pool(s),
    (s) => pool(s, { userPoolTier: "ESSENTIALS", userPoolAddOns: undefined }),
    /tier ESSENTIALS/,
  ],
  [
    noOpenIngress,
    (s) =>
      new VpcSecurityGroupIngressRule(s, "r", {
        securityGroupId: "sg",
        cidrIpv4: "0.0.0.0/0",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
      }),
    (s) =>
      new SecurityGroup(s, "sg", {
        ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }],
      }),
    /ingress from anywhere on ports 22-22/,
  ],
  [vpcFlowLogs, vpcWith(true, "closed"), vpcWith(false, "closed"), /no flow log/],
  [vpcDefaultSecurityGroupClosed, vpcWith(true, "closed"), vpcWith(true, "open"), /it has rules/],
  [
    subnetNoPublicIp,
    (s) => new Subnet(s, "sn", { vpcId: "v", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: false }),
    (s) => new Subnet(s, "sn", { vpcId: "v", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true }),
    /map_public_ip_on_launch is true/,
  ],
  [
    logRetention,
    (s) => new CloudwatchLogGroup(s, "lg", { retentionInDays: 30 }),
    (s) => new CloudwatchLogGroup(s, "lg", {}),
    /kept forever/,
  ],
  [
    k8sNoPrivileged,
    workload({ containers: [container({ privileged: false })] }),
    workload({ containers: [container({ privileged: true })] }),
    /container c is privileged/,
  ],
  [
    k8sNoHostPath,
    workload({ containers: [container()], volumes: [{ name: "v", emptyDir: {} }] }),
    workload({ containers: [container()], volumes: [{ name: "v", hostPath: { path: "/" } }] }),
    /volume v is a hostPath/,
  ],
  [
    k8sNoHostNamespaces,
    workload({ containers: [container()] }),
    workload({ containers: [container()], hostNetwork: true }),
    /hostNetwork is true/,
  ],
  [
    helmPinnedAtomic,
    (s) =>
      new Release(s, "r", {
        provider: new HelmProvider(s, "helm", {}),
        name: "r",
        chart: "c",
        version: "1.2.3",
        atomic: true,
      }),
    (s) => new Release(s, "r", { provider: new HelmProvider(s, "helm", {}), name: "r", chart: "c", version: "~1.2" }),
    /chart version "~1\.2" is not exact/,
  ],
  [
    karpenterNodeClass,
    (s) => nodeClassRelease(s, "required", 1, true),
    (s) => nodeClassRelease(s, "optional", 2, false),
    /EC2NodeClass gpu: httpTokens is not "required"[\s\S]*hop limit is 2[\s\S]*not encrypted/,
  ],
  [
    safeDestroy,
    (s) => new KmsKey(s, "k", { lifecycle: { preventDestroy: true } }),
    (s) => new KmsKey(s, "k", {}),
    /no lifecycle\.prevent_destroy/,
  ],
];

describe("policy rules", () => {
  it("has at least 25 rules, each covered below", () => {
    expect(ALL_RULES.length).toBeGreaterThanOrEqual(25);
    const covered = new Set([...CASES.map(([r]) => r), stateBackend, eksAccessEntries]);
    expect(ALL_RULES.filter((r) => !covered.has(r)).map((r) => r.id)).toEqual([]);
  });

  it.each(CASES.map(([rule, ok, bad, message]) => [rule.id, rule, ok, bad, message] as const))(
    "%s passes a compliant construct and fails a non-compliant one",
    (_id, rule, ok, bad, message) => {
      expect(failuresOf(rule, ok)).toEqual([]);
      const failures = failuresOf(rule, bad);
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.join("\n")).toMatch(message);
    },
  );

  it("KF_STATE_BACKEND wants encrypted S3 state with a lockfile", () => {
    expect(failuresOf(stateBackend, () => undefined)).toEqual([]);
    expect(failuresOf(stateBackend, () => undefined, "s3-unlocked")).toEqual(["use_lockfile is not true"]);
    expect(failuresOf(stateBackend, () => undefined, "local")).toEqual(["backend is local, not s3"]);
  });

  it('KF_KARPENTER_NODECLASS ignores charts whose "resources" are CPU and memory', () => {
    const failures = failuresOf(
      karpenterNodeClass,
      (s) =>
        new Release(s, "r", {
          provider: new HelmProvider(s, "helm", {}),
          name: "r",
          chart: "c",
          version: "1.0.0",
          values: [JSON.stringify({ resources: { requests: { cpu: "100m" } } })],
        }),
    );
    expect(failures).toEqual([]);
  });

  it("KF_EKS_ACCESS_ENTRIES also catches a managed aws-auth ConfigMap", () => {
    const failures = failuresOf(eksAccessEntries, (s) => {
      cluster(s);
      new ConfigMapV1(s, "aws-auth", {
        provider: new KubernetesProvider(s, "k8s", {}),
        metadata: { name: "aws-auth", namespace: "kube-system" },
      });
    });
    expect(failures).toEqual([expect.stringMatching(/manages aws-auth/)]);
  });
});

describe("app rules", () => {
  /** The rule's failures over several stacks, each built by one of `builds`. */
  const appFailures = (...builds: Build[]) => {
    const views = builds.map((build) => stackView(stackWith(build)));
    const [report] = evaluateApp(views, [defaultStorageClass]);
    return report.findings.filter((f) => f.status === "fail").map((f) => `${f.address}: ${f.message}`);
  };
  const storageClass =
    (name: string, parameters: Record<string, string>, isDefault = true) =>
    (s: TerraformStack) =>
      new StorageClassV1(s, name, {
        provider: new KubernetesProvider(s, `k8s-${name}`, {}),
        metadata: { name, annotations: isDefault ? { "storageclass.kubernetes.io/is-default-class": "true" } : {} },
        storageProvisioner: "ebs.csi.aws.com",
        parameters,
      });
  const encrypted = { type: "gp3", encrypted: "true", kmsKeyId: "arn:aws:kms:us-west-2:111122223333:key/k" };

  it("are all covered here", () => {
    expect(APP_RULES).toEqual([defaultStorageClass, systemCapacity]);
  });

  it("KF_DEFAULT_STORAGE_CLASS passes one encrypted default class, in whichever stack", () => {
    expect(appFailures(() => undefined, storageClass("ebs", encrypted))).toEqual([]);
    expect(
      appFailures(storageClass("ebs", encrypted), storageClass("fast", { ...encrypted, type: "io2" }, false)),
    ).toEqual([]);
  });

  it("KF_DEFAULT_STORAGE_CLASS fails when no stack declares a default class", () => {
    expect(appFailures(() => undefined, storageClass("ebs", encrypted, false))).toEqual([
      expect.stringMatching(/^app: no default StorageClass: claims that name no class .* stay Pending$/),
    ]);
  });

  it("KF_DEFAULT_STORAGE_CLASS fails an unencrypted or key-less EBS class, default or not", () => {
    expect(appFailures(storageClass("ebs", { type: "gp3" }))).toEqual([
      expect.stringMatching(
        /kubernetes_storage_class_v1\.ebs: StorageClass ebs does not encrypt with a customer-managed key/,
      ),
    ]);
    expect(
      appFailures(storageClass("ebs", encrypted), storageClass("plain", { type: "gp3", encrypted: "true" }, false)),
    ).toEqual([expect.stringMatching(/StorageClass plain does not encrypt/)]);
  });

  it("KF_DEFAULT_STORAGE_CLASS fails two default classes", () => {
    expect(appFailures(storageClass("a", encrypted), storageClass("b", encrypted))).toEqual([
      expect.stringMatching(/2 default StorageClasses \(a, b\); claims get whichever is newest/),
    ]);
  });
});

describe("KF_SYSTEM_CAPACITY", () => {
  const failures = (...builds: Build[]) => {
    const views = builds.map((build) => stackView(stackWith(build)));
    const [report] = evaluateApp(views, [systemCapacity]);
    return report.findings.filter((f) => f.status === "fail").map((f) => `${f.address}: ${f.message}`);
  };
  const systemGroup =
    (instanceTypes: string[], minSize: number, role = "system") =>
    (s: TerraformStack) =>
      new EksNodeGroup(s, "system", {
        clusterName: "c",
        nodeRoleArn: "arn:aws:iam::111122223333:role/n",
        subnetIds: ["subnet-1"],
        instanceTypes,
        labels: { "kubeflow-eks/node-role": role },
        scalingConfig: { minSize, desiredSize: minSize, maxSize: 6 },
      });
  const kubeflow =
    (components: string, version = "26.03") =>
    (s: TerraformStack) =>
      new ConfigMapV1(s, "params", {
        provider: new KubernetesProvider(s, "k8s-params", {}),
        metadata: { name: "kubeflow-install-params", namespace: "kube-system" },
        data: { components, "manifests-version": version },
      });
  const chart = (name: string, values: object) => (s: TerraformStack) =>
    new Release(s, name, {
      provider: new HelmProvider(s, `helm-${name}`, {}),
      name,
      chart: name,
      version: "1.0.0",
      values: [JSON.stringify(values)],
    });

  it("passes when minSize nodes hold the requests, and checks nothing without a system group", () => {
    expect(failures(systemGroup(["m6a.large"], 2), kubeflow("notebooks,pipelines,katib"))).toEqual([]);
    expect(failures(systemGroup(["m6a.large"], 1, "gpu"), kubeflow("notebooks,pipelines,katib"))).toEqual([]);
  });

  it("fails a group too small for the selection, naming the total, the capacity and the smallest fit", () => {
    // The committed summary: core 10 pods 620m 2256 MiB, notebooks 6 / 90m / 496, pipelines 15 / 862m /
    // 3734, katib 4 / 10m / 40 = 35 pods, 1582m, 6526 MiB; on each node istio-cni-node, 100m and 100 MiB.
    // One m6a.large: 2000m - 70m kube-reserved = 1930m; 8192 - 615 (7.5%) - (11 x 29 + 255) - 100 = 6903 MiB;
    // 29 pods. After the agent: 1830m, 6803 MiB, 28 pods: CPU and memory hold, pods do not.
    expect(failures(systemGroup(["m6a.large"], 1), kubeflow("notebooks,pipelines,katib"))).toEqual([
      "fixture.aws_eks_node_group.system: the system group's minSize 1 x m6a.large cannot hold what runs on it: " +
        "35 pods requesting 1582m CPU and 6526 MiB (Kubeflow core + notebooks, pipelines, katib, add-ons, EKS add-ons), " +
        "plus on every node 1 agent requesting 100m CPU and 100 MiB; one m6a.large allocates 1930m CPU, 6903 MiB and " +
        "29 pods (EKS AL2023 kube-reserved, eviction threshold and max pods), so 1 leaves 1830m CPU, 6803 MiB and 28 pods " +
        "after the agents: pods: 35 to run, room for 28. Smallest that fits: minSize 2 of m6a.large, or instanceTypes " +
        "[m6a.xlarge] with minSize 2",
    ]);
  });

  it("counts our Helm releases from their values over the charts' defaults, and EKS's add-ons", () => {
    // Karpenter's chart runs 2 replicas by default (values.yaml:49): 2 x 1000m and 2 x 1 GiB more.
    // Kubeflow core alone (620m, 2256 MiB) + 2000m + 2048 MiB = 2620m, 4304 MiB on 1 x m6a.large (1830m free).
    const karpenter = chart("karpenter", { controller: { resources: { requests: { cpu: "1", memory: "1Gi" } } } });
    expect(failures(systemGroup(["m6a.large"], 1), kubeflow(""), karpenter)).toEqual([
      expect.stringContaining("12 pods requesting 2620m CPU and 4304 MiB"),
    ]);
    // The NVIDIA device plugin selects GPU nodes only: nothing on the system nodes.
    const plugin = chart("nvidia-device-plugin", { nodeSelector: { "nvidia.com/gpu.present": "true" } });
    expect(failures(systemGroup(["m6a.large"], 1), kubeflow(""), plugin)).toEqual([]);
    // vpc-cni's aws-node (50m, no memory) and kube-proxy's allowance (100m, 128Mi) join istio-cni-node on every node.
    const addons = (s: TerraformStack) => {
      for (const name of ["vpc-cni", "kube-proxy"]) new EksAddon(s, name, { clusterName: "c", addonName: name });
    };
    expect(failures(systemGroup(["m6a.large"], 2), kubeflow("notebooks,pipelines,katib,kserve,spark"), addons)).toEqual(
      [
        // 35 + kserve 11 + spark 2 = 48 pods; 2 x (29 - 3 agents) = 52: fits pods. CPU 1582 + 1140 = 2722m,
        // 2 x (1930 - 250) = 3360m: fits. Nothing to report.
      ],
    );
  });

  it("refuses what it cannot count: a type with no figures, a chart or an add-on it does not know, a stale summary", () => {
    expect(failures(systemGroup(["t3.large"], 2), kubeflow("notebooks"))).toEqual([
      expect.stringMatching(/instanceTypes: t3\.large has no row in SYSTEM_INSTANCE_TYPES \(lib\/instance-types\.ts\)/),
    ]);
    expect(failures(systemGroup(["m6a.large"], 2), chart("mystery", {}))).toEqual([
      expect.stringMatching(/Helm chart mystery: its pods' requests are not known to lib\/system-requests\.ts/),
    ]);
    const addon = (s: TerraformStack) =>
      new EksAddon(s, "x", { clusterName: "c", addonName: "amazon-cloudwatch-observability" });
    expect(failures(systemGroup(["m6a.large"], 2), addon)).toEqual([
      expect.stringMatching(/EKS add-on amazon-cloudwatch-observability: its pods' requests are not known/),
    ]);
    expect(failures(systemGroup(["m6a.large"], 2), kubeflow("notebooks", "26.04"))).toEqual([
      expect.stringMatching(
        /kubeflow-requests\.json is of Kubeflow 26\.03, and the install applies 26\.04: run `npm run generate`/,
      ),
    ]);
  });
});
