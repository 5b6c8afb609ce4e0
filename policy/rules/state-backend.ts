import type { PolicyRule } from "../rule";

/** Ours: encrypted remote state with S3-native locking (Terraform >= 1.10). */
export const stateBackend: PolicyRule = {
  id: "KF_STATE_BACKEND",
  title: "State is kept in S3, encrypted, with locking",
  fix: "derive the stack from BaseStack",
  appliesTo: ["terraform"],
  check: ({ config }) => {
    const s3 = (config.backend as { s3?: { encrypt?: boolean; use_lockfile?: boolean } } | undefined)?.s3;
    if (!s3)
      return [`backend is ${Object.keys((config.backend as object | undefined) ?? {}).join(", ") || "unset"}, not s3`];
    const problems: string[] = [];
    if (s3.encrypt !== true) problems.push("encrypt is not true");
    if (s3.use_lockfile !== true) problems.push("use_lockfile is not true");
    return problems;
  },
};
