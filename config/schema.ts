/**
 * The one configuration schema. Every stack reads its settings from the parsed result of this
 * schema and nothing else. Objects are strict: an unknown key is an error, not a silent no-op.
 */
import { z } from "zod";
import { parseCidr } from "../lib/cidr";
import { gpuInstanceType } from "../lib/instance-types";
import { clusterAutoscalerVersions, EKS_MANAGED_ADDONS, KUBEFLOW_VERSION, type EksAddonKey } from "../lib/versions";
import { durationMinutes, NODE_BOOT_MINUTES } from "../lib/duration";
import { EBS_VOLUME_LIMITS, type VolumeTypeLimits } from "../lib/ebs";
import { hasCommittedRender } from "../lib/kubeflow-release";
import { DEFAULT_COMPONENTS, KUBEFLOW_COMPONENTS, UNAVAILABLE_COMPONENTS } from "../lib/kubeflow-components";
import { lustreInstallCeilingSeconds } from "../lib/node-user-data";

const dnsLabel = (what: string, max = 63) =>
  z
    .string()
    .max(max, `${what} must be at most ${max} characters`)
    .regex(
      /^[a-z]([a-z0-9-]*[a-z0-9])?$/,
      `${what} must be lowercase letters, digits and "-", starting with a letter and not ending with "-"`,
    );

const cidr = z.string().refine((value) => parseCidr(value) !== undefined, {
  message: 'must be an IPv4 network in CIDR form with its host bits zero, such as "10.0.0.0/16"',
});

const instanceType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type such as "m7i.xlarge"');

/** A Go duration as cluster-autoscaler flags take it: "7m", "90s", "1h30m". */
const DURATION = /^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/;
const duration = z.string().regex(DURATION, 'must be a duration such as "7m", "90s" or "1h30m"');

const fraction = z.number().min(0).max(1);

/** The slowest a node joins before it gives up on the Lustre client: slow boot plus every install retry. */
const SLOWEST_NODE_JOIN_MINUTES = Math.ceil(NODE_BOOT_MINUTES.high + lustreInstallCeilingSeconds() / 60);

const hostName = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lowercase DNS name such as "kubeflow.example.com"',
  );

const diskSizeGiB = z.number().int().min(20).max(16384);

/** An EKS add-on build as `aws eks describe-addon-versions` lists it. */
const addonVersion = z
  .string()
  .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, 'must be an EKS add-on build such as "v1.21.1-eksbuild.3"');

/** Reports an IOPS or throughput figure outside what the volume type takes. */
function checkVolumePerformance(
  s: { readonly type: keyof typeof EBS_VOLUME_LIMITS; readonly iops?: number; readonly throughput?: number },
  ctx: z.RefinementCtx,
): void {
  const limits: VolumeTypeLimits = EBS_VOLUME_LIMITS[s.type];
  if (s.iops === undefined && limits.iopsRequired) {
    ctx.addIssue({
      code: "custom",
      path: ["iops"],
      input: undefined,
      message: `${s.type} volumes need provisioned IOPS; add storage.iops (${limits.iops.min}-${limits.iops.max})`,
    });
  }
  if (s.iops !== undefined && (s.iops < limits.iops.min || s.iops > limits.iops.max)) {
    ctx.addIssue({
      code: "custom",
      path: ["iops"],
      input: s.iops,
      message: `${s.type} takes ${limits.iops.min}-${limits.iops.max} IOPS; set storage.iops within that range${limits.iopsRequired ? "" : ` or remove it for the ${limits.iops.min} IOPS baseline`}`,
    });
  }
  if (s.throughput !== undefined) {
    if (!limits.throughput) {
      ctx.addIssue({
        code: "custom",
        path: ["throughput"],
        input: s.throughput,
        message: `${s.type} has no provisioned throughput (gp3 only); remove storage.throughput`,
      });
    } else if (s.throughput < limits.throughput.min || s.throughput > limits.throughput.max) {
      ctx.addIssue({
        code: "custom",
        path: ["throughput"],
        input: s.throughput,
        message: `${s.type} takes ${limits.throughput.min}-${limits.throughput.max} MiB/s; set storage.throughput within that range or remove it for the ${limits.throughput.min} MiB/s baseline`,
      });
    } else {
      const iops = s.iops ?? limits.iops.min;
      const most = Math.floor(iops * limits.throughput.perIops);
      if (s.throughput > most) {
        ctx.addIssue({
          code: "custom",
          path: ["throughput"],
          input: s.throughput,
          message: `${s.type} allows at most ${limits.throughput.perIops} MiB/s per provisioned IOPS, so ${iops} IOPS allow ${most} MiB/s; raise storage.iops to at least ${Math.ceil(s.throughput / limits.throughput.perIops)} or lower storage.throughput`,
        });
      }
    }
  }
}

/** An IAM principal that gets an EKS access entry. */
const adminPrincipal = z
  .strictObject({
    arn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, "must be an IAM role or user ARN")
      .optional()
      .describe("Full ARN of an IAM role or user."),
    roleName: z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/, "must be an IAM role name (letters, digits and +=,.@_-)")
      .optional()
      .describe(
        "Name of an IAM role in the deploying account; the ARN is built at apply time, so no account id sits in config.",
      ),
    accessPolicy: z
      .enum(["cluster-admin", "admin", "edit", "view"])
      .default("cluster-admin")
      .describe("EKS access policy granted cluster-wide."),
  })
  .refine((p) => (p.arn === undefined) !== (p.roleName === undefined), {
    message: 'give exactly one of "arn" or "roleName"',
  });

/** Reports a node group whose sizes contradict each other. */
function checkScaling(
  s: { readonly minSize: number; readonly desiredSize: number; readonly maxSize: number },
  ctx: z.RefinementCtx,
): void {
  if (s.maxSize < s.minSize) {
    ctx.addIssue({
      code: "custom",
      path: ["maxSize"],
      input: s.maxSize,
      message: `maxSize (${s.maxSize}) is below minSize (${s.minSize}); raise maxSize or lower minSize`,
    });
  } else if (s.desiredSize < s.minSize || s.desiredSize > s.maxSize) {
    ctx.addIssue({
      code: "custom",
      path: ["desiredSize"],
      input: s.desiredSize,
      message: `desiredSize (${s.desiredSize}) must lie between minSize (${s.minSize}) and maxSize (${s.maxSize})`,
    });
  }
}

const systemNodeGroup = z
  .strictObject({
    instanceTypes: z
      .array(instanceType)
      .min(1)
      .describe("On-Demand CPU types for the always-on system group (Kubeflow, the autoscaler, controllers)."),
    minSize: z
      .number()
      .int()
      .min(1, "the system group runs the autoscaler itself, so minSize must be at least 1")
      .describe("Fewest system nodes (at least 1: they run the autoscaler and controllers)."),
    desiredSize: z.number().int().min(1).describe("System nodes at creation; the autoscaler adjusts it afterwards."),
    maxSize: z.number().int().min(1).describe("Most system nodes the autoscaler may add."),
    diskSizeGiB: diskSizeGiB.default(50).describe("Root volume size (encrypted gp3)."),
  })
  .superRefine(checkScaling);

const gpuNodeGroup = z
  .strictObject({
    name: dnsLabel("a GPU group name", 20).describe(
      "Short name of the GPU size; node group names and the priority expander derive from it.",
    ),
    instanceTypes: z
      .array(instanceType)
      .min(1)
      .describe("Interchangeable types: same vCPUs, memory and GPU count. More types mean more Spot pools."),
    maxSize: z
      .number()
      .int()
      .min(1)
      .max(100)
      .describe(
        "Most Spot nodes, and separately most On-Demand nodes, of this size: the cost cap. Split across the zones the size runs in (see README).",
      ),
    diskSizeGiB: diskSizeGiB.default(100).describe("Root volume size (encrypted gp3): GPU images are large."),
    zoneInstanceTypes: z
      .record(z.string(), z.array(instanceType))
      .default({})
      .describe(
        "Per zone (of network.zones), the types of instanceTypes that zone offers, where it offers fewer than all; [] puts no group of this size there. Zones not listed use every type.",
      ),
  })
  .superRefine((group, ctx) => {
    const facts = group.instanceTypes.map((t) => ({ type: t, facts: gpuInstanceType(t) }));
    facts.forEach(({ type, facts: f }, index) => {
      if (!f) {
        ctx.addIssue({
          code: "custom",
          path: ["instanceTypes", index],
          input: type,
          message: `"${type}" is not a GPU instance type this project knows; use one listed in lib/instance-types.ts or add a row there`,
        });
      }
    });
    const known = facts.filter((x) => x.facts !== undefined);
    const first = known[0];
    for (const other of known.slice(1)) {
      const a = first.facts!;
      const b = other.facts!;
      if (a.vcpus !== b.vcpus || a.memoryGiB !== b.memoryGiB || a.gpus !== b.gpus) {
        ctx.addIssue({
          code: "custom",
          path: ["instanceTypes"],
          input: group.instanceTypes,
          message:
            `"${other.type}" (${b.vcpus} vCPU, ${b.memoryGiB} GiB, ${b.gpus} GPU) differs from "${first.type}" ` +
            `(${a.vcpus} vCPU, ${a.memoryGiB} GiB, ${a.gpus} GPU); cluster-autoscaler templates a group from one type, ` +
            "so put types of one size in a group and make another group for the other size",
        });
      }
    }
  });

export const configSchema = z
  .strictObject({
    project: dnsLabel("project", 20).default("kubeflow").describe("Project name: tags and resource names."),
    environment: dnsLabel("environment", 16).describe(
      "Environment name: part of every state key and every default tag.",
    ),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as "us-west-2"')
      .describe("AWS region of every stack."),
    state: z.strictObject({
      bucket: z
        .string()
        .regex(
          /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
          "must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)",
        )
        .describe("S3 bucket for every stack's state; the bootstrap stack creates it."),
      keyPrefix: z
        .string()
        .regex(/^([a-zA-Z0-9_.-]+\/)*$/, 'must be empty or end with "/", such as "platform/"')
        .default("")
        .describe("Optional prefix before `<environment>/<stack>.tfstate`."),
    }),
    autoscaler: z
      .enum(["cluster-autoscaler", "karpenter"])
      .default("cluster-autoscaler")
      .describe(
        "How GPU nodes are provisioned: cluster-autoscaler with Spot/On-Demand managed node group pairs, or Karpenter NodePools (Spot to On-Demand fallback in seconds).",
      ),
    network: z
      .strictObject({
        vpcCidr: cidr
          .default("10.0.0.0/16")
          .describe(
            "VPC range, /16 to /20: each zone gets a private /19 (of a /16) for nodes and pods and a public /24.",
          ),
        zones: z
          .array(
            z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'must be a standard zone name such as "us-west-2a"'),
          )
          .min(2, "list at least 2 zones: the system nodes and the load balancer need two")
          .max(7, "at most 7 zones fit the subnet layout (a private /19 per zone of a /16)")
          .describe(
            "The cluster's availability zones, in order (a subnet pair each). Fixed for the life of the network: a subnet cannot move to another zone, so a changed or reordered list replaces subnets. Appending a zone adds one.",
          ),
        natGateways: z
          .enum(["single", "per-az"])
          .default("single")
          .describe('"single" (one NAT gateway, cheapest) or "per-az" (one per zone, survives a zone outage).'),
      })
      .superRefine((n, ctx) => {
        const parsed = parseCidr(n.vpcCidr);
        if (parsed && (parsed.prefix < 16 || parsed.prefix > 20)) {
          ctx.addIssue({
            code: "custom",
            path: ["vpcCidr"],
            input: n.vpcCidr,
            message: "the VPC must be between /16 and /20 so each zone gets a private /19-/23 for pods and nodes",
          });
        }
      }),
    cluster: z.strictObject({
      name: dnsLabel("cluster name", 40).describe("EKS cluster name; also names its roles, log groups and tags."),
      kubernetesVersion: z
        .string()
        .regex(/^1\.\d{2}$/, 'must be a Kubernetes minor version such as "1.35"')
        .refine((v) => clusterAutoscalerVersions(v) !== undefined, {
          message:
            'no pinned cluster-autoscaler release for this Kubernetes minor; vendor one (npm run vendor -- cluster-autoscaler --version <minor>.<patch>, see README "Upgrading a component") or use the pinned minor',
        })
        .describe("A Kubernetes minor in EKS standard support."),
      endpointPublicAccessCidrs: z
        .array(cidr)
        .describe("CIDRs allowed to reach the public API endpoint; an empty list makes the endpoint private only."),
      clusterCreatorAdmin: z
        .boolean()
        .default(true)
        .describe(
          "Give the identity that first deploys the eks stage (the role, for an assumed role) cluster-admin through an access entry of its own; turning it off deletes that entry only (see README, Cluster access).",
        ),
      adminPrincipals: z
        .array(adminPrincipal)
        .default([])
        .describe("IAM roles or users given cluster access through EKS access entries (one of arn or roleName each)."),
      addonVersions: z
        .strictObject(
          Object.fromEntries(
            (Object.entries(EKS_MANAGED_ADDONS) as [EksAddonKey, string][]).map(([key, name]) => [
              key,
              addonVersion
                .optional()
                .describe(`Pin the ${name} add-on build; unset: EKS's default build for the cluster's minor.`),
            ]),
          ) as Record<EksAddonKey, z.ZodOptional<typeof addonVersion>>,
        )
        .prefault({})
        .describe(
          "EKS managed add-on builds. Unset ones are resolved at plan time (aws_eks_addon_version, EKS's default build for the minor), so a plan shows when AWS moves a default.",
        ),
      logRetentionDays: z
        .number()
        .int()
        .refine(
          (d) =>
            [
              1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
            ].includes(d),
          {
            message: "must be a CloudWatch Logs retention value such as 30, 90 or 365",
          },
        )
        .default(90)
        .describe("Days to keep control-plane logs."),
    }),
    kubeflow: z.strictObject({
      manifestsVersion: z
        .string()
        .regex(/^\d{2}\.\d{2}(\.\d+)?$/, 'must be a release tag such as "26.03"')
        .refine((v) => hasCommittedRender(v), {
          message:
            "has no committed render in kustomize-out/kubeflow/: set its tag and commit in upstream/PROVENANCE.json and run `npm run generate -- kubeflow`, or use a rendered version",
        })
        .default(KUBEFLOW_VERSION)
        .describe(
          "kubeflow/community-distribution release to install; it must be rendered in kustomize-out/kubeflow/ (see README).",
        ),
      components: z
        .array(
          z.enum(KUBEFLOW_COMPONENTS, {
            error: `must be one of ${KUBEFLOW_COMPONENTS.join(", ")} (the platform core, with cert-manager, Istio, oauth2-proxy, the central dashboard, profiles and the admission webhook, is always installed)`,
          }),
        )
        .default([...DEFAULT_COMPONENTS])
        .describe(
          `Kubeflow components to install besides the platform core: ${KUBEFLOW_COMPONENTS.join(", ")} (see README, "Choosing the Kubeflow components").`,
        ),
      ingressScheme: z
        .enum(["internet-facing", "internal"])
        .default("internet-facing")
        .describe('"internet-facing" or "internal" (reachable only from the VPC and what is peered or VPN-ed to it).'),
      culling: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe("Stop notebook servers that sit idle: an idle GPU notebook keeps a GPU node alive."),
          idleMinutes: z
            .number()
            .int()
            .min(10)
            .max(10080)
            .default(60)
            .describe("Minutes without activity before a notebook is stopped."),
          checkPeriodMinutes: z.number().int().min(1).max(60).default(5).describe("Minutes between idleness checks."),
        })
        .prefault({}),
      profile: z.strictObject({
        name: dnsLabel("a profile name", 63).describe(
          "Profile and namespace name of the data-science team (holds notebooks and the FSx claim).",
        ),
        owner: z
          .string()
          .regex(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/, "must be an email address")
          .describe("Email of the profile's owner (their Google or Cognito login)."),
      }),
    }),
    storage: z
      .strictObject({
        type: z
          .enum(
            Object.keys(EBS_VOLUME_LIMITS) as [keyof typeof EBS_VOLUME_LIMITS, ...(keyof typeof EBS_VOLUME_LIMITS)[]],
            {
              error: `must be one of ${Object.keys(EBS_VOLUME_LIMITS)
                .map((t) => JSON.stringify(t))
                .join(
                  ", ",
                )} (gp2 and io1 are superseded by gp3 and io2; st1 and sc1 cannot hold volumes under 125 GiB such as a 5Gi notebook workspace)`,
            },
          )
          .default("gp3")
          .describe("EBS volume type of the default StorageClass: gp3 (general purpose) or io2 (provisioned IOPS)."),
        iops: z
          .number()
          .int()
          .optional()
          .describe(
            "Provisioned IOPS per volume: gp3 3000-80000 (unset: the free 3000 baseline), io2 100-256000 (required).",
          ),
        throughput: z
          .number()
          .int()
          .optional()
          .describe("gp3 only: MiB/s per volume, 125-2000 and at most iops / 4 (unset: the free 125 baseline)."),
        reclaimPolicy: z
          .enum(["Delete", "Retain"])
          .default("Delete")
          .describe(
            "What happens to a volume when its claim is deleted: Delete removes it, Retain keeps it (and its cost) for manual recovery. See README, Storage.",
          ),
      })
      .superRefine(checkVolumePerformance)
      .prefault({})
      .describe("The cluster's default StorageClass (EBS CSI driver, encrypted with the eks stack's volume key)."),
    fsx: z
      .strictObject({
        deploymentType: z
          .enum(["PERSISTENT_2", "SCRATCH_2"])
          .default("PERSISTENT_2")
          .describe(
            "PERSISTENT_2: durable, KMS-encrypted, S3 linked through a data repository association. SCRATCH_2: cheaper, no replication, S3 import/export paths.",
          ),
        storageCapacityGiB: z
          .number()
          .int()
          .refine((c) => c === 1200 || (c >= 2400 && c % 2400 === 0), {
            message: "must be 1200 or a multiple of 2400 (GiB)",
          })
          .default(1200)
          .describe("1200, 2400, then multiples of 2400 GiB."),
        throughputPerTiB: z
          .union([z.literal(125), z.literal(250), z.literal(500), z.literal(1000)])
          .default(125)
          .describe("PERSISTENT_2 throughput per TiB of storage: 125, 250, 500 or 1000 MB/s."),
        zoneIndex: z
          .number()
          .int()
          .min(0)
          .default(0)
          .describe("Which zone's private subnet (0-based index into network.zones) the file system lives in."),
        pinGpuGroupsToFileSystemZone: z
          .boolean()
          .default(false)
          .describe(
            "Put the GPU node groups only in the file system's zone: no cross-zone traffic or latency, but fewer Spot pools.",
          ),
        dataBucket: z
          .strictObject({
            name: z
              .string()
              .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name")
              .describe("Bucket of the team's data sets."),
            create: z
              .boolean()
              .default(true)
              .describe(
                "Create it (versioned, KMS-encrypted, private, TLS-only) or use an existing bucket of that name.",
              ),
          })
          .prefault({ name: "example-kubeflow-datasets" })
          .describe("S3 bucket the file system is linked to."),
        s3Prefix: z
          .string()
          .regex(/^([a-zA-Z0-9_.-]+\/)*$/, 'must be empty or end with "/"')
          .default("")
          .describe('S3 prefix linked to the file system ("" for the whole bucket).'),
        exportPrefix: z
          .string()
          .regex(/^([a-zA-Z0-9_.-]+\/)+$/, 'must end with "/"')
          .default("fsx-exports/")
          .describe("SCRATCH_2 only: where changes are exported to (under the bucket)."),
        dynamicProvisioning: z
          .boolean()
          .default(false)
          .describe(
            "Also install the CSI controller (with IAM) so claims can create file systems; static volumes do not need it.",
          ),
      })
      .prefault({}),
    dashboard: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe("Headlamp, reached through kubectl port-forward with a short-lived read-only token."),
      })
      .prefault({}),
    protection: z
      .strictObject({
        preventDestroy: z
          .boolean()
          .default(true)
          .describe(
            "Guard stateful resources (state and data buckets, KMS keys, the FSx file system, the user pool) against destroy. To remove them on purpose: set false, deploy (lifts the guards), then destroy.",
          ),
      })
      .prefault({}),
    policy: z
      .strictObject({
        exceptions: z
          .array(
            z.strictObject({
              rule: z.string().min(1).describe('A rule id as `npm run policy` prints it, e.g. "CKV_AWS_79".'),
              resource: z
                .string()
                .min(1)
                .describe('Resource address "<stack>.<type>.<name>"; "*" matches any run of characters.'),
              reason: z
                .string({ error: "an exception needs a reason: say why the rule does not apply to this resource" })
                .trim()
                .min(20, "an exception needs a reason of at least 20 characters saying why the rule does not apply")
                .describe("Why the rule does not apply to this resource (20+ characters, printed at every synth)."),
            }),
          )
          .default([])
          .describe("Rules waived for a resource, each with the reason (printed at every synth)."),
      })
      .prefault({}),
    addons: z
      .strictObject({
        karpenter: z
          .strictObject({
            consolidateAfter: duration
              .default("5m")
              .describe("Karpenter mode: how long a GPU node must be empty before it is removed."),
            amiAlias: z
              .string()
              .regex(
                /^al2023@(latest|v\d{8})$/,
                'must be "al2023@latest" or a pinned release such as "al2023@v20251117"',
              )
              .default("al2023@latest")
              .describe(
                "Karpenter mode: EKS AL2023 AMI release; Karpenter picks the NVIDIA variant for GPU types. Pin a release (al2023@vYYYYMMDD) once deployed, so a new AMI never replaces nodes unannounced.",
              ),
          })
          .prefault({})
          .describe("Karpenter settings (autoscaler: karpenter)."),
        clusterAutoscaler: z
          .strictObject({
            maxNodeProvisionTime: duration
              .default("8m")
              .refine((d) => !DURATION.test(d) || durationMinutes(d) >= SLOWEST_NODE_JOIN_MINUTES, {
                message: `must be at least ${SLOWEST_NODE_JOIN_MINUTES} minutes: a node can take that long to join (boot plus the Lustre client install's retries), and the autoscaler removes a node that has not joined by then`,
              })
              .describe(
                "How long a requested node may take to join before its group is backed off and the next one tried.",
              ),
            scaleDownUnneededTime: duration
              .default("5m")
              .describe("How long a node must be unneeded before it is removed."),
            scaleDownDelayAfterAdd: duration
              .default("5m")
              .describe("How long after a scale-up before scale-down is considered again."),
            scaleDownGpuUtilizationThreshold: fraction
              .default(0.5)
              .describe("A GPU node whose pods request less than this share of its GPUs may be removed."),
            scaleDownUtilizationThreshold: fraction
              .default(0.5)
              .describe("A CPU node whose pods request less than this share of its CPU and memory may be removed."),
          })
          .prefault({}),
      })
      .prefault({}),
    domain: z.strictObject({
      hostedZone: hostName.describe(
        "An existing public Route 53 hosted zone; certificates are validated and records created in it.",
      ),
      kubeflowHost: hostName.describe("Where users reach Kubeflow; must lie inside hostedZone."),
    }),
    auth: z.strictObject({
      googleOAuthSecretName: z
        .string()
        .regex(/^[\w/+=.@-]{1,512}$/, "must be a Secrets Manager secret name")
        .describe(
          'Secrets Manager secret holding {"client_id": ..., "client_secret": ...} of the Google OAuth client.',
        ),
      mfa: z
        .enum(["required", "optional", "off"])
        .default("required")
        .describe("MFA for users with a Cognito password (Google users authenticate at Google)."),
      allowNativeUsers: z
        .boolean()
        .default(true)
        .describe("Also allow users created directly in the pool (email + password + MFA), e.g. a break-glass admin."),
      allowedEmailDomains: z
        .array(hostName)
        .default([])
        .describe(
          "Only emails in these domains may log in to Kubeflow; [] allows any Google account that can reach the pool.",
        ),
      featurePlan: z
        .enum(["essentials", "plus"])
        .default("plus")
        .describe('Cognito feature plan: "plus" adds threat protection (compromised credentials, adaptive auth).'),
      cognitoDomain: z
        .strictObject({
          prefix: z
            .string()
            .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "must be lowercase letters, digits and hyphens")
            .refine((p) => !/aws|amazon|cognito/.test(p), {
              message: 'must not contain "aws", "amazon" or "cognito" (Cognito rejects them)',
            })
            .optional()
            .describe(
              "Prefix of the Cognito-hosted domain <prefix>.auth.<region>.amazoncognito.com; unique per region.",
            ),
          custom: hostName
            .optional()
            .describe(
              "A custom login domain such as auth.example.com instead of the prefix domain (needs a us-east-1 certificate, made here).",
            ),
        })
        .refine((d) => (d.prefix === undefined) !== (d.custom === undefined), {
          message: 'give exactly one of "prefix" or "custom"',
        }),
    }),
    nodeGroups: z.strictObject({
      system: systemNodeGroup,
      gpu: z.array(gpuNodeGroup).min(1, "configure at least one GPU group"),
    }),
  })
  .superRefine((config, ctx) => {
    const zone = config.domain.hostedZone;
    const inZone = (name: string) => name === zone || name.endsWith(`.${zone}`);
    if (!inZone(config.domain.kubeflowHost)) {
      ctx.addIssue({
        code: "custom",
        path: ["domain", "kubeflowHost"],
        input: config.domain.kubeflowHost,
        message: `must lie inside the hosted zone "${zone}" (e.g. kubeflow.${zone}), so its certificate can be validated there`,
      });
    }
    const custom = config.auth.cognitoDomain.custom;
    if (custom !== undefined && (!inZone(custom) || custom === zone)) {
      ctx.addIssue({
        code: "custom",
        path: ["auth", "cognitoDomain", "custom"],
        input: custom,
        message: `must be a name below the hosted zone "${zone}" (e.g. auth.${zone})`,
      });
    }
    const components = config.kubeflow.components;
    components.forEach((component, index) => {
      const unavailable = UNAVAILABLE_COMPONENTS[config.kubeflow.manifestsVersion]?.[component];
      if (components.indexOf(component) !== index) {
        ctx.addIssue({
          code: "custom",
          path: ["kubeflow", "components", index],
          input: component,
          message: `is listed twice (also at kubeflow.components[${components.indexOf(component)}]); list each component once`,
        });
      } else if (unavailable) {
        ctx.addIssue({
          code: "custom",
          path: ["kubeflow", "components", index],
          input: component,
          message: `cannot be installed with Kubeflow ${config.kubeflow.manifestsVersion}: ${unavailable}; remove it (see README, "The Kubeflow release")`,
        });
      }
    });
    const zones = config.network.zones;
    zones.forEach((zone, index) => {
      if (!(zone.startsWith(config.region) && zone.length === config.region.length + 1)) {
        ctx.addIssue({
          code: "custom",
          path: ["network", "zones", index],
          input: zone,
          message: `is not a zone of region ${config.region} (its zones are named ${config.region}a, ${config.region}b, ...); list zones of the region`,
        });
      } else if (zones.indexOf(zone) !== index) {
        ctx.addIssue({
          code: "custom",
          path: ["network", "zones", index],
          input: zone,
          message: `is listed twice (also at network.zones[${zones.indexOf(zone)}]); list each zone once`,
        });
      }
    });
    if (config.fsx.zoneIndex >= zones.length) {
      ctx.addIssue({
        code: "custom",
        path: ["fsx", "zoneIndex"],
        input: config.fsx.zoneIndex,
        message: `must be below the number of network.zones (${zones.length}): it picks one of the cluster's zones`,
      });
    }
    config.nodeGroups.gpu.forEach((group, index) => {
      for (const [zone, types] of Object.entries(group.zoneInstanceTypes)) {
        if (!zones.includes(zone)) {
          ctx.addIssue({
            code: "custom",
            path: ["nodeGroups", "gpu", index, "zoneInstanceTypes", zone],
            input: zone,
            message: `names a zone that is not in network.zones (${zones.join(", ")}); use one of those zones or remove the entry`,
          });
        }
        types.forEach((type, t) => {
          if (!group.instanceTypes.includes(type)) {
            ctx.addIssue({
              code: "custom",
              path: ["nodeGroups", "gpu", index, "zoneInstanceTypes", zone, t],
              input: type,
              message: `is not one of this size's instanceTypes (${group.instanceTypes.join(", ")}); a zone can only narrow them`,
            });
          }
        });
      }
      const placed = gpuZoneIndices(config).filter((z) => gpuTypesInZone(group, zones[z]).length > 0);
      if (placed.length === 0) {
        ctx.addIssue({
          code: "custom",
          path: ["nodeGroups", "gpu", index, "zoneInstanceTypes"],
          input: group.zoneInstanceTypes,
          message: `leaves ${group.name} no zone to run in${config.fsx.pinGpuGroupsToFileSystemZone ? ` (fsx.pinGpuGroupsToFileSystemZone keeps GPU groups in ${zones[config.fsx.zoneIndex]})` : ""}; give at least one zone some of its types, or remove this GPU size`,
        });
      }
    });
    const seen = new Map<string, number>();
    config.nodeGroups.gpu.forEach((group, index) => {
      const earlier = seen.get(group.name);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["nodeGroups", "gpu", index, "name"],
          input: group.name,
          message: `duplicate GPU group name (also at nodeGroups.gpu.${earlier}); give each size its own name`,
        });
      }
      seen.set(group.name, index);
    });
  });

export type Config = z.output<typeof configSchema>;

/** The indices (into network.zones) of the zones GPU nodes may run in: all, or the file system's alone. */
export function gpuZoneIndices(config: {
  readonly network: { readonly zones: readonly string[] };
  readonly fsx: { readonly pinGpuGroupsToFileSystemZone: boolean; readonly zoneIndex: number };
}): number[] {
  return config.fsx.pinGpuGroupsToFileSystemZone
    ? [config.fsx.zoneIndex]
    : config.network.zones.map((_zone, index) => index);
}

/** The types a GPU size runs in a zone: the zone's entry in zoneInstanceTypes, else every type. */
export function gpuTypesInZone(
  group: {
    readonly instanceTypes: readonly string[];
    readonly zoneInstanceTypes: Readonly<Record<string, readonly string[]>>;
  },
  zone: string,
): readonly string[] {
  return group.zoneInstanceTypes[zone] ?? group.instanceTypes;
}
export type GpuNodeGroupConfig = Config["nodeGroups"]["gpu"][number];
export type SystemNodeGroupConfig = Config["nodeGroups"]["system"];
export type AdminPrincipalConfig = Config["cluster"]["adminPrincipals"][number];
