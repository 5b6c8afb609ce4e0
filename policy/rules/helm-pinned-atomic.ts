import type { PolicyRule } from "../rule";

/** Ours: reproducible, all-or-nothing releases. */
export const helmPinnedAtomic: PolicyRule = {
  id: "KF_HELM_PINNED_ATOMIC",
  title: "Helm releases pin an exact chart version and are atomic",
  fix: "create releases with the HelmChart construct",
  appliesTo: ["helm_release"],
  check: ({ config }) => {
    const problems: string[] = [];
    if (!/^\d+\.\d+\.\d+$/.test(String(config.version ?? "")))
      problems.push(`chart version "${String(config.version ?? "")}" is not exact`);
    if (config.atomic !== true) problems.push("atomic is not true");
    return problems;
  },
};
