import { KUBERNETES_WORKLOADS, podSpecsOf, type PolicyRule } from "../rule";

/** KSV023: no hostPath volumes (a component that needs them records why). */
export const k8sNoHostPath: PolicyRule = {
  id: "KSV023",
  title: "No hostPath volumes",
  fix: "use a PersistentVolumeClaim or emptyDir, or record an exception with the reason",
  appliesTo: KUBERNETES_WORKLOADS,
  check: (r) =>
    podSpecsOf(r).flatMap((spec) =>
      ([] as Record<string, unknown>[])
        .concat(
          (spec.volumes as Record<string, unknown>[] | undefined) ?? [],
          (spec.volume as Record<string, unknown>[] | undefined) ?? [],
        )
        .filter((v) => v.hostPath || v.host_path)
        .map((v) => `volume ${String(v.name)} is a hostPath`),
    ),
};
