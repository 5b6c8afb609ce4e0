/**
 * A small evaluator of Kubernetes NetworkPolicies (networking.k8s.io/v1), ingress only, for tests
 * over rendered objects: may this source reach this pod on this port? It follows the API's rules: a
 * pod is isolated for ingress once any policy of its namespace selects it (policyTypes includes
 * Ingress, or has ingress rules and no policyTypes); then a connection is allowed when some
 * selecting policy has a rule whose `from` (absent or empty: anyone) and `ports` (absent or empty:
 * any) both match. Peers: podSelector (the policy's namespace), namespaceSelector (with an optional
 * podSelector), ipBlock (cidr minus except). Named ports are resolved through the target's
 * container ports.
 *
 * Besides pods and plain addresses it knows the two sources that are not pods and that every
 * cluster has, as the VPC CNI's network policy agent sees them:
 * - the EKS control plane (`controlPlane(vpcCidr)`), which calls admission and conversion webhooks
 *   from network interfaces EKS places in the cluster's subnets. Which subnets, and so which
 *   addresses, EKS picks is not known in advance and changes on upgrades (awsdocs/amazon-eks-user-guide
 *   latest/ug/networking/network-reqs.adoc:68 at 4d52b4d0), so only a rule that admits the whole
 *   VPC range (an ipBlock covering it with no except overlapping it, or no `from` at all) is sure
 *   to admit it; pod and namespace selectors never match it.
 * - the kubelet (`KUBELET`), which probes pods from its node's own address. The agent always admits
 *   that address, on every port, to every pod it enforces policies on: it reads the node's address
 *   from IMDS local-ipv4 (aws/aws-network-policy-agent main.go:113 at v1.4.0) and puts it in every
 *   pod's policy map as allow-all ("Traffic from the local node should always be allowed",
 *   pkg/fwruleprocessor/fw_rule_processor.go:80-84, ComputeTrieValue(ports, allowAll, denyAll) at
 *   pkg/utils/utils.go:385, both at v1.4.0; the same at v1.2.7 :76 and v1.3.5 :80). v1.4.0 is the
 *   agent aws-vpc-cni v1.22.4 ships (aws/eks-charts stable/aws-vpc-cni/values.yaml:32 at 27a920d).
 *   So no NetworkPolicy blocks a probe; another node's address is just an `{ ip }` in the VPC.
 */
import { parseCidr } from "./cidr";

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    readonly values?: readonly string[];
  }[];
}

export interface NetworkPolicy {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly podSelector?: LabelSelector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly {
      readonly from?: readonly {
        readonly podSelector?: LabelSelector;
        readonly namespaceSelector?: LabelSelector;
        readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
      }[];
      readonly ports?: readonly {
        readonly protocol?: string;
        readonly port?: number | string;
        readonly endPort?: number;
      }[];
    }[];
  };
}

/** A pod, as far as policies care: where it runs, its labels, its IP, its named ports. */
export interface Pod {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ip?: string;
  readonly namedPorts?: Readonly<Record<string, number>>;
}

/**
 * Who opens the connection: a pod; any other single address (a load balancer's node, another
 * node); the EKS control plane, somewhere in the VPC's range; or the kubelet of the target's node.
 */
export type Source =
  | { readonly pod: Pod }
  | { readonly ip: string }
  | { readonly controlPlane: { readonly vpcCidr: string } }
  | { readonly kubelet: true };

/** The EKS control plane, calling from an address EKS picks in the VPC's range (`vpcCidr`). */
export function controlPlane(vpcCidr: string): Source {
  if (!parseCidr(vpcCidr)) throw new Error(`not a CIDR: ${vpcCidr}`);
  return { controlPlane: { vpcCidr } };
}

/** The kubelet of the node the target pod runs on (probes): always admitted, see the header. */
export const KUBELET: Source = { kubelet: true };

export interface Cluster {
  readonly policies: readonly NetworkPolicy[];
  /** Namespace labels by name; `kubernetes.io/metadata.name` is added as Kubernetes does. */
  readonly namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export function selects(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    if (e.operator === "In" && !(has && (e.values ?? []).includes(value))) return false;
    if (e.operator === "NotIn" && has && (e.values ?? []).includes(value)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function ipToNumber(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`not a CIDR: ${cidr}`);
  const size = 2 ** (32 - parsed.prefix);
  const base = ipToNumber(cidr.split("/")[0]);
  const n = ipToNumber(ip);
  return n >= base && n < base + size;
}

/** Whether every address of `inner` is in `outer`. */
function cidrContains(outer: string, inner: string): boolean {
  const [o, i] = [parseCidr(outer), parseCidr(inner)];
  if (!o || !i) throw new Error(`not a CIDR: ${o ? inner : outer}`);
  return o.prefix <= i.prefix && inCidr(inner.split("/")[0], outer);
}

/** Whether two ranges share an address (CIDRs either nest or are disjoint). */
function cidrsOverlap(a: string, b: string): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

function namespaceLabels(cluster: Cluster, name: string): Record<string, string> {
  return { ...(cluster.namespaces[name] ?? {}), "kubernetes.io/metadata.name": name };
}

const governsIngress = (p: NetworkPolicy) => (p.spec.policyTypes ? p.spec.policyTypes.includes("Ingress") : true);

/** Whether `source` may open a connection to `target` on `port` (TCP unless given). */
export function allowsIngress(cluster: Cluster, source: Source, target: Pod, port: number, protocol = "TCP"): boolean {
  const selecting = cluster.policies.filter(
    (p) =>
      (p.metadata.namespace ?? "default") === target.namespace &&
      governsIngress(p) &&
      selects(p.spec.podSelector, target.labels),
  );
  if (selecting.length === 0 || "kubelet" in source) return true;
  const sourceIp = "ip" in source ? source.ip : "pod" in source ? source.pod.ip : undefined;
  return selecting.some((policy) =>
    (policy.spec.ingress ?? []).some((rule) => {
      const portOk =
        !rule.ports ||
        rule.ports.length === 0 ||
        rule.ports.some((p) => {
          if ((p.protocol ?? "TCP") !== protocol) return false;
          if (p.port === undefined) return true;
          const number = typeof p.port === "number" ? p.port : target.namedPorts?.[p.port];
          if (number === undefined) return false;
          return p.endPort !== undefined ? port >= number && port <= p.endPort : port === number;
        });
      if (!portOk) return false;
      if (!rule.from || rule.from.length === 0) return true;
      return rule.from.some((peer) => {
        if (peer.ipBlock) {
          if ("controlPlane" in source) {
            const range = source.controlPlane.vpcCidr;
            return (
              cidrContains(peer.ipBlock.cidr, range) && !(peer.ipBlock.except ?? []).some((c) => cidrsOverlap(c, range))
            );
          }
          if (!sourceIp || !inCidr(sourceIp, peer.ipBlock.cidr)) return false;
          return !(peer.ipBlock.except ?? []).some((c) => inCidr(sourceIp, c));
        }
        if (!("pod" in source)) return false;
        const pod = source.pod;
        if (peer.namespaceSelector) {
          return (
            selects(peer.namespaceSelector, namespaceLabels(cluster, pod.namespace)) &&
            selects(peer.podSelector, pod.labels)
          );
        }
        return pod.namespace === (policy.metadata.namespace ?? "default") && selects(peer.podSelector, pod.labels);
      });
    }),
  );
}
