import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { GPU_PRESENT_LABEL, type NodeTaint } from "../lib/labels";
import { HelmChart } from "./helm-chart";

export interface NvidiaDevicePluginProps {
  readonly chartVersion: string;
  /** The taint GPU nodes carry; the plugin tolerates exactly this one. */
  readonly gpuTaint: NodeTaint;
  readonly helmProvider: TerraformProvider;
}

/**
 * NVIDIA's device plugin DaemonSet, which advertises `nvidia.com/gpu` on each GPU node. It runs
 * only on nodes labelled `nvidia.com/gpu.present=true` and tolerates only the GPU taint, so it
 * never lands on (or keeps alive) a CPU node.
 */
export class NvidiaDevicePlugin extends Construct {
  readonly chart: HelmChart;

  constructor(scope: Construct, id: string, props: NvidiaDevicePluginProps) {
    super(scope, id);
    const onGpuNodes = { key: GPU_PRESENT_LABEL, operator: "In", values: ["true"] };
    this.chart = new HelmChart(this, "chart", {
      provider: props.helmProvider,
      name: "nvidia-device-plugin",
      namespace: "kube-system",
      repository: "https://nvidia.github.io/k8s-device-plugin",
      chart: "nvidia-device-plugin",
      version: props.chartVersion,
      values: {
        nodeSelector: { [GPU_PRESENT_LABEL]: "true" },
        // Replaces the chart's default, which also admits nodes by NFD labels we do not run.
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [onGpuNodes] }] },
          },
        },
        tolerations: [
          { key: props.gpuTaint.key, operator: "Equal", value: props.gpuTaint.value, effect: props.gpuTaint.effect },
        ],
        priorityClassName: "system-node-critical",
        gfd: { enabled: false },
      },
      // No GPU node exists until a pod asks for one, so there is nothing to wait for.
      timeoutSeconds: 300,
    });
  }
}
