import { containersOf, KUBERNETES_WORKLOADS, podSpecsOf, type PolicyRule } from "../rule";

/** CKV_K8S_16 / KSV017: no privileged containers (a component that needs one records why). */
export const k8sNoPrivileged: PolicyRule = {
  id: "CKV_K8S_16 / KSV017",
  title: "No privileged containers",
  fix: "drop securityContext.privileged, or record an exception with the reason the component needs it",
  appliesTo: KUBERNETES_WORKLOADS,
  check: (r) =>
    podSpecsOf(r).flatMap((spec) =>
      containersOf(spec)
        .filter((c) => {
          const sc = (c.securityContext ?? ([] as unknown[]).concat(c.security_context ?? [])[0]) as
            { privileged?: boolean } | undefined;
          return sc?.privileged === true;
        })
        .map((c) => `container ${String(c.name)} is privileged`),
    ),
};
