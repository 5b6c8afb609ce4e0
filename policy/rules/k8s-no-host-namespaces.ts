import { KUBERNETES_WORKLOADS, podSpecsOf, type PolicyRule } from "../rule";

/** CKV_K8S_17/18/19 / KSV008-010: no host network, PID or IPC namespace. */
export const k8sNoHostNamespaces: PolicyRule = {
  id: "CKV_K8S_17-19 / KSV008-010",
  title: "No pod shares the host's network, PID or IPC namespace",
  fix: "remove hostNetwork/hostPID/hostIPC",
  appliesTo: KUBERNETES_WORKLOADS,
  check: (r) =>
    podSpecsOf(r).flatMap((spec) =>
      ["hostNetwork", "hostPID", "hostIPC", "host_network", "host_pid", "host_ipc"]
        .filter((k) => spec[k] === true)
        .map((k) => `${k} is true`),
    ),
};
