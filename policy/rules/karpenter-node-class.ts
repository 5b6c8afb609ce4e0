import { parse } from "yaml";
import type { PolicyRule } from "../rule";

interface NodeClass {
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    metadataOptions?: { httpTokens?: string; httpPutResponseHopLimit?: number };
    blockDeviceMappings?: { deviceName?: string; ebs?: { encrypted?: boolean } }[];
  };
}

/** CKV_AWS_79 / CKV_AWS_341 / CKV_AWS_8 for Karpenter: its EC2NodeClasses are launch templates in all but name. */
export const karpenterNodeClass: PolicyRule = {
  id: "KF_KARPENTER_NODECLASS / CKV_AWS_79 / CKV_AWS_341 / CKV_AWS_8",
  title: "Karpenter EC2NodeClasses require IMDSv2 with hop limit 1 and encrypted volumes",
  fix: 'set metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 1 } and ebs.encrypted: true (KarpenterGpuNodePools does)',
  appliesTo: ["helm_release"],
  check: ({ config }) => {
    const problems: string[] = [];
    for (const text of (config.values as string[] | undefined) ?? []) {
      const values = parse(text) as { resources?: unknown } | null;
      // Other charts use "resources" for CPU and memory; only a list of manifests is ours.
      const manifests = Array.isArray(values?.resources) ? (values.resources as NodeClass[]) : [];
      for (const o of manifests) {
        if (o?.kind !== "EC2NodeClass") continue;
        const name = o.metadata?.name ?? "?";
        const md = o.spec?.metadataOptions;
        if (md?.httpTokens !== "required") problems.push(`EC2NodeClass ${name}: httpTokens is not "required"`);
        if (md?.httpPutResponseHopLimit !== 1)
          problems.push(`EC2NodeClass ${name}: hop limit is ${String(md?.httpPutResponseHopLimit)}`);
        const devices = o.spec?.blockDeviceMappings ?? [];
        if (devices.length === 0 || devices.some((d) => d.ebs?.encrypted !== true))
          problems.push(`EC2NodeClass ${name}: a volume is not encrypted`);
      }
    }
    return problems;
  },
};
