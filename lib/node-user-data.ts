/**
 * User data for every node that can run a pod mounting FSx for Lustre: the system group, every GPU
 * group and Karpenter's EC2NodeClasses.
 *
 * The EKS AL2023 AMIs (standard and NVIDIA) ship the Lustre kernel module but not the
 * `lustre-client` userspace (mount.lustre, lctl), and the amazon-eks-ami maintainers point to user
 * data for it (amazon-eks-ami PR #2696); the FSx CSI driver's mounts fail without it
 * (aws-fsx-csi-driver #437, #436). So the user data is an AL2023 nodeadm MIME multi-part
 * document with:
 *
 * 1. a NodeConfig part that labels the node `kubeflow-eks/lustre-client=not-installed`, and
 * 2. a shell part that installs `lustre-client` with retries and then writes a nodeadm drop-in
 *    (`/etc/eks/nodeadm.d/`) relabelling the node `installed` or `failed` (a failed node also gets
 *    `kubeflow-eks/lustre-client-failed=true`), plus how many seconds it took.
 *
 * dnf reads the Amazon Linux repository only (`--repo amazonlinux`): the NVIDIA AMI leaves NVIDIA's
 * CUDA repository enabled (amazon-eks-ami templates/al2023/provisioners/install-nvidia-driver.sh),
 * and dnf fails an install when any enabled repository's metadata cannot be fetched
 * (skip_if_unavailable defaults to false), which is every install where nodes have no internet.
 *
 * The shared volume (constructs/shared-volume.ts) requires `lustre-client=installed` and no
 * `lustre-client-failed` label of the node a pod mounting it runs on. The second label exists for
 * Karpenter: its NodePools must declare `lustre-client=installed` for the first requirement to be
 * schedulable, and Karpenter writes a NodePool's labels over the node's own at registration
 * (kubernetes-sigs/karpenter v1.14.1 pkg/controllers/nodeclaim/lifecycle/registration.go:220), so
 * only a key it does not declare can still say the install failed. A Karpenter node whose script
 * never ran at all carries neither the failure label nor a true `lustre-client`: that case is
 * guarded on node groups only.
 *
 * Order on the AMI (amazon-eks-ami templates/al2023/runtime/rootfs/etc/systemd/system):
 * nodeadm-config.service runs before cloud-init; cloud-init runs the shell part; then
 * nodeadm-run.service ("start after cloud-init, in order to pickup changes the user may have
 * applied via cloud-init scripts") merges user data with the drop-ins and starts kubelet. nodeadm
 * appends kubelet flags from every source and `--node-labels` values merge in order
 * (nodeadm/internal/api/merge.go), so the drop-in's label wins. A node whose script never ran
 * keeps `not-installed`. EKS (managed node groups) and Karpenter (EC2NodeClass userData) both add
 * their own NodeConfig part with the cluster's details to this document.
 */
import { LABEL_PREFIX } from "./labels";

/** Result of the Lustre client install: installed, failed, or not-installed (the script never ran). */
export const LUSTRE_CLIENT_LABEL = `${LABEL_PREFIX}/lustre-client`;
/** Present ("true") only on a node whose install failed; a label Karpenter never overwrites. */
export const LUSTRE_CLIENT_FAILED_LABEL = `${LABEL_PREFIX}/lustre-client-failed`;
/** Seconds the install took on that node (the boot-time cost, measured on your own nodes). */
export const LUSTRE_INSTALL_SECONDS_LABEL = `${LABEL_PREFIX}/lustre-install-seconds`;

/**
 * The label an autoscaler's picture of a not-yet-launched node carries (cluster-autoscaler's ASG
 * template tags, Karpenter's NodePool labels), so a pod mounting FSx still scales a group from zero.
 */
export const LUSTRE_TEMPLATE_LABELS: Readonly<Record<string, string>> = { [LUSTRE_CLIENT_LABEL]: "installed" };

/** Where the script writes its nodeadm drop-in and its log (overridable for tests only). */
export const NODEADM_DROPIN_DIR = "/etc/eks/nodeadm.d";
export const LUSTRE_INSTALL_LOG = "/var/log/kubeflow-eks-lustre-client.log";
export const LUSTRE_DROPIN_FILE = "90-kubeflow-eks-lustre-client.yaml";

/**
 * Retries: attempts, the time limit of each dnf run, and the pause after failed attempt n (n x pause).
 * Inside an attempt dnf retries a download itself (DNF_OPTIONS); the limit bounds a stalled mirror.
 */
export const LUSTRE_INSTALL = { attempts: 2, attemptTimeoutSeconds: 120, pauseSeconds: 5 } as const;

/** Amazon Linux's repository only, with dnf's own network retries (dnf.conf(5): timeout, retries, minrate). */
export const LUSTRE_DNF_COMMAND =
  "dnf --assumeyes --repo amazonlinux --setopt=timeout=30 --setopt=retries=4 --setopt=minrate=10k install lustre-client";

/** The longest the install can hold up a node's join before it gives up and labels it failed. */
export function lustreInstallCeilingSeconds(): number {
  const { attempts, attemptTimeoutSeconds, pauseSeconds } = LUSTRE_INSTALL;
  let pauses = 0;
  for (let n = 1; n < attempts; n++) pauses += n * pauseSeconds;
  return attempts * attemptTimeoutSeconds + pauses;
}

const BOUNDARY = "==KUBEFLOW-EKS-NODE==";

/** The shell part: install lustre-client, verify it, and record the result as node labels. */
export function lustreClientScript(): string {
  const { attempts, attemptTimeoutSeconds, pauseSeconds } = LUSTRE_INSTALL;
  return `#!/bin/bash
# kubeflow-eks: FSx for Lustre mounts need lustre-client on the host (the AL2023 AMIs have the
# kernel module, not mount.lustre and lctl). Installed before kubelet starts; the result becomes
# the node labels ${LUSTRE_CLIENT_LABEL} and ${LUSTRE_INSTALL_SECONDS_LABEL}.
set -u
dropin_dir="\${KUBEFLOW_EKS_NODEADM_DIR:-${NODEADM_DROPIN_DIR}}"
log="\${KUBEFLOW_EKS_LUSTRE_LOG:-${LUSTRE_INSTALL_LOG}}"
attempts=${attempts}
start=$(date +%s)
result=failed
for attempt in $(seq 1 "$attempts"); do
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) attempt $attempt/$attempts: ${LUSTRE_DNF_COMMAND}" >>"$log"
  if timeout ${attemptTimeoutSeconds} ${LUSTRE_DNF_COMMAND} >>"$log" 2>&1 &&
    command -v mount.lustre >>"$log" 2>&1 && command -v lctl >>"$log" 2>&1 &&
    modinfo -F version lustre >>"$log" 2>&1; then
    result=installed
    break
  fi
  if [ "$attempt" -lt "$attempts" ]; then sleep $((attempt * ${pauseSeconds})); fi
done
seconds=$(($(date +%s) - start))
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) lustre-client $result after \${seconds}s" >>"$log"
labels="${LUSTRE_CLIENT_LABEL}=$result,${LUSTRE_INSTALL_SECONDS_LABEL}=$seconds"
if [ "$result" = failed ]; then labels="$labels,${LUSTRE_CLIENT_FAILED_LABEL}=true"; fi
mkdir -p "$dropin_dir"
cat >"$dropin_dir/${LUSTRE_DROPIN_FILE}" <<EOF
---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  kubelet:
    flags:
      - --node-labels=$labels
EOF
# Never keep the node from joining: pods that do not mount FSx run anyway, and the label tells.
exit 0
`;
}

/** The NodeConfig part: the label a node keeps if the shell part never runs. */
export function baselineNodeConfig(): string {
  return `---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  kubelet:
    flags:
      - --node-labels=${LUSTRE_CLIENT_LABEL}=not-installed
`;
}

/** The whole MIME multi-part user data (plain text; launch templates take it base64-encoded). */
export function nodeUserData(): string {
  return [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
    "",
    `--${BOUNDARY}`,
    "Content-Type: application/node.eks.aws",
    "",
    baselineNodeConfig(),
    `--${BOUNDARY}`,
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    "",
    lustreClientScript(),
    `--${BOUNDARY}--`,
    "",
  ].join("\n");
}
