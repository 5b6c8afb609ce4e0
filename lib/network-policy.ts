/**
 * A small evaluator of Kubernetes NetworkPolicies (networking.k8s.io/v1), ingress only, for tests
 * over rendered objects: may this source reach this pod on this port? It follows the API's rules: a
 * pod is isolated for ingress once any policy of its namespace selects it (policyTypes includes
 * Ingress, or has ingress rules and no policyTypes); then a connection is allowed when some
 * selecting policy has a rule whose `from` (absent or empty: anyone) and `ports` (absent or empty:
 * any) both match. Peers: podSelector (the policy's namespace), namespaceSelector (with an optional
 * podSelector), ipBlock (cidr minus except). Named ports are resolved through the target's
 * container ports.
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

export type Source = { readonly pod: Pod } | { readonly ip: string };

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
  if (selecting.length === 0) return true;
  const sourceIp = "ip" in source ? source.ip : source.pod.ip;
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
