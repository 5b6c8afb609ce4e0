/**
 * Every upstream pin, read from upstream/PROVENANCE.json: no version is written here. Each entry
 * there was recorded by `npm run vendor` (or `npm run generate -- kubeflow`) from the upstream
 * repository at its tag, with the commit and the sha256 of every file taken; a test checks that
 * every entry is indexed below and that this file holds no version of its own.
 *
 * EKS managed add-on builds (vpc-cni, kube-proxy, CoreDNS, the Pod Identity agent, the EBS CSI
 * driver) are not pinned here: nothing offline can prove which builds AWS publishes for a
 * Kubernetes minor. The eks stack resolves each at plan time with `aws_eks_addon_version` (the
 * default build for the cluster's minor) unless `cluster.addonVersions` pins one. See what a
 * plan would pick with:
 *   aws eks describe-addon-versions --kubernetes-version <minor> --addon-name vpc-cni \
 *     --query 'addons[].addonVersions[?compatibilities[?defaultVersion]].addonVersion'
 */
import { provenanceEntry, readProvenance, type ProvenanceEntry } from "./provenance";

const ENTRIES = readProvenance();
const entry = (name: string): ProvenanceEntry => provenanceEntry(name, ENTRIES);

/** Every PROVENANCE entry, by what it pins. */
export const UPSTREAM = {
  clusterAutoscaler: entry("cluster-autoscaler"),
  clusterAutoscalerChart: entry("cluster-autoscaler-chart"),
  /** The autoscaler's logging flags; the version its go.mod requires. */
  klog: entry("klog"),
  nvidiaDevicePlugin: entry("nvidia-device-plugin"),
  headlamp: entry("headlamp"),
  /** CRDs and IAM policy of the release. */
  karpenter: entry("karpenter"),
  /** The charts as published for the release. */
  karpenterChart: entry("karpenter-chart"),
  awsLoadBalancerController: entry("aws-load-balancer-controller"),
  awsLoadBalancerControllerChart: entry("aws-load-balancer-controller-chart"),
  awsFsxCsiDriver: entry("aws-fsx-csi-driver"),
  /** The Kubernetes API schema the conformance checks validate objects against. */
  kubernetesOpenApi: entry("kubernetes-openapi"),
  busybox: entry("busybox"),
  /** The AWS provider's schemas and update code, for the day-2 check's facts (conformance/provider-facts.ts). */
  terraformProviderAws: entry("terraform-provider-aws"),
  /** Modules whose flag registrations cluster-autoscaler links (conformance/autoscaler-flags.ts). */
  componentBase: entry("component-base"),
  cloudProviderGcp: entry("cloud-provider-gcp"),
  /** kubernetes/k8s.io's promoter records: what registry.k8s.io serves (conformance/images.ts). */
  k8sIoAutoscalingPromoter: entry("k8s-io-autoscaling-promoter"),
  k8sIoAutoscalingImages: entry("k8s-io-autoscaling-images"),
  k8sIoJobsetPromoter: entry("k8s-io-jobset-promoter"),
  k8sIoJobsetImages: entry("k8s-io-jobset-images"),
  /** The Kubeflow release (its render) and the remote bases it pulls. */
  kubeflow: entry("kubeflow"),
  kubeflowArgoWorkflows: entry("kubeflow-argo-workflows"),
  kubeflowLws: entry("kubeflow-lws"),
  kubeflowJobset: entry("kubeflow-jobset"),
} as const;

/** Kubernetes minor of a version ("1.35.2" -> "1.35"). */
const minorOf = (version: string) => version.split(".").slice(0, 2).join(".");

/** The EKS managed add-ons the eks stack installs, by config key (`cluster.addonVersions.<key>`). */
export const EKS_MANAGED_ADDONS = {
  vpcCni: "vpc-cni",
  kubeProxy: "kube-proxy",
  podIdentityAgent: "eks-pod-identity-agent",
  coreDns: "coredns",
  ebsCsiDriver: "aws-ebs-csi-driver",
} as const;

export type EksAddonKey = keyof typeof EKS_MANAGED_ADDONS;

/**
 * cluster-autoscaler's minor must match the cluster's Kubernetes minor: the pinned release serves
 * the Kubernetes minor of its own version, from the pinned chart, with its image tag set explicitly
 * so a chart default can never move it.
 */
export interface ClusterAutoscalerVersions {
  readonly chart: string;
  readonly imageTag: string;
}

export const CLUSTER_AUTOSCALER_VERSIONS: Readonly<Record<string, ClusterAutoscalerVersions>> = {
  [minorOf(UPSTREAM.clusterAutoscaler.version)]: {
    chart: UPSTREAM.clusterAutoscalerChart.version,
    // The release's image is tagged v<version>: the chart's default pairs appVersion 1.35.0 with
    // image.tag v1.35.0 (cluster-autoscaler-chart 9.59.0 Chart.yaml:2, values.yaml:306).
    imageTag: `v${UPSTREAM.clusterAutoscaler.version}`,
  },
};

export function clusterAutoscalerVersions(kubernetesVersion: string): ClusterAutoscalerVersions | undefined {
  return Object.prototype.hasOwnProperty.call(CLUSTER_AUTOSCALER_VERSIONS, kubernetesVersion)
    ? CLUSTER_AUTOSCALER_VERSIONS[kubernetesVersion]
    : undefined;
}

/** NVIDIA k8s-device-plugin chart (nvidia.github.io/k8s-device-plugin); its image tag is the chart's appVersion. */
export const NVIDIA_DEVICE_PLUGIN_CHART = UPSTREAM.nvidiaDevicePlugin.version;

/** Headlamp chart (kubernetes-sigs.github.io/headlamp), the Kubernetes Dashboard's maintained successor. */
export const HEADLAMP_CHART = UPSTREAM.headlamp.version;

/** Karpenter's charts karpenter and karpenter-crd (oci://public.ecr.aws/karpenter), released together. */
export const KARPENTER_CHART = UPSTREAM.karpenterChart.version;

/** eks-charts' aws-load-balancer-controller chart, and the controller image it runs. */
export const AWS_LOAD_BALANCER_CONTROLLER_CHART = UPSTREAM.awsLoadBalancerControllerChart.version;
/** The controller's image tag is v<version> (eks-charts' chart: appVersion v3.5.0, values.yaml image.tag v3.5.0). */
export const AWS_LOAD_BALANCER_CONTROLLER_IMAGE_TAG = `v${UPSTREAM.awsLoadBalancerController.version}`;

/** The image of the fsx stack's one-off permissions Job. */
/** The Docker official image, from its mirror on ECR Public (no Docker Hub pull limits), at the pinned tag. */
export const BUSYBOX_IMAGE = `public.ecr.aws/docker/library/busybox:${UPSTREAM.busybox.version}`;

/** The Kubeflow release the committed render is of (the default of kubeflow.manifestsVersion). */
export const KUBEFLOW_VERSION = UPSTREAM.kubeflow.version;

/** The Kubernetes minor the vendored API schema describes. */
export const KUBERNETES_SCHEMA_VERSION = UPSTREAM.kubernetesOpenApi.version;
