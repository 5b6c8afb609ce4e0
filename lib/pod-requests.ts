/**
 * What a pod asks the scheduler for: CPU and memory requests by Kubernetes' own rules, from a pod
 * spec as a manifest writes it.
 *
 * - A container's request of a resource is its `requests` entry, or its `limits` entry when it has no
 *   request for it ("If Requests is omitted for a container, it defaults to Limits if that is explicitly
 *   specified": the ResourceRequirements schema, upstream/kubernetes-openapi/kubernetes/swagger.json.unprocessed:11160
 *   at kubernetes-client/python v35.0.0).
 * - A pod's request is the sum of its containers' and its restartable init containers' (sidecars,
 *   `restartPolicy: Always`), or, when larger, the largest of its init containers' each plus the
 *   sidecars started before it (kubernetes/component-helpers v0.35.0 resource/helpers.go:191-290,
 *   AggregateContainerRequests; the formula of KEP 753).
 */

/** Requests of one container, pod or total: CPU in millicores, memory in bytes. */
export interface Requests {
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

export const NO_REQUESTS: Requests = { cpuMillicores: 0, memoryBytes: 0 };

export const MIB = 2 ** 20;

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const DECIMAL: Readonly<Record<string, number>> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** A CPU quantity ("250m", "1", "0.5", 2) in millicores, rounded up as the scheduler does. */
export function cpuMillicores(quantity: string | number): number {
  const text = String(quantity).trim();
  const match = /^(\d+(?:\.\d+)?)(m)?$/.exec(text);
  if (!match) throw new Error(`not a CPU quantity: "${text}"`);
  const value = Number(match[1]);
  return Math.ceil(match[2] ? value : value * 1000);
}

/** A memory quantity ("128Mi", "1Gi", "500M", 1073741824) in bytes, rounded up. */
export function memoryBytes(quantity: string | number): number {
  const text = String(quantity).trim();
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(text);
  if (!match) throw new Error(`not a memory quantity: "${text}"`);
  const unit = match[2] ?? "";
  return Math.ceil(Number(match[1]) * (BINARY[unit] ?? DECIMAL[unit]));
}

type Quantities = Readonly<Record<string, string | number | undefined>>;

export interface ContainerSpec {
  readonly name?: string;
  readonly restartPolicy?: string;
  readonly resources?: { readonly requests?: Quantities | null; readonly limits?: Quantities | null } | null;
}

export interface PodSpecLike {
  readonly containers?: readonly ContainerSpec[];
  readonly initContainers?: readonly ContainerSpec[];
}

/** One container's requests (a limit stands in for a missing request), and whether it requests anything. */
export function containerRequests(c: ContainerSpec): Requests & { readonly requestsNothing: boolean } {
  const pick = (resource: "cpu" | "memory") => c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
  const cpu = pick("cpu");
  const memory = pick("memory");
  return {
    cpuMillicores: cpu === undefined ? 0 : cpuMillicores(cpu),
    memoryBytes: memory === undefined ? 0 : memoryBytes(memory),
    requestsNothing: cpu === undefined && memory === undefined,
  };
}

export const addRequests = (a: Requests, b: Requests): Requests => ({
  cpuMillicores: a.cpuMillicores + b.cpuMillicores,
  memoryBytes: a.memoryBytes + b.memoryBytes,
});

export const scaleRequests = (a: Requests, n: number): Requests => ({
  cpuMillicores: a.cpuMillicores * n,
  memoryBytes: a.memoryBytes * n,
});

const maxRequests = (a: Requests, b: Requests): Requests => ({
  cpuMillicores: Math.max(a.cpuMillicores, b.cpuMillicores),
  memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
});

/** A pod's effective requests (AggregateContainerRequests, see the file comment). */
export function podRequests(spec: PodSpecLike): Requests {
  let total = (spec.containers ?? []).map(containerRequests).reduce<Requests>(addRequests, NO_REQUESTS);
  let sidecars = NO_REQUESTS;
  let initPeak = NO_REQUESTS;
  for (const c of spec.initContainers ?? []) {
    const own = containerRequests(c);
    if (c.restartPolicy === "Always") {
      total = addRequests(total, own);
      sidecars = addRequests(sidecars, own);
      initPeak = maxRequests(initPeak, sidecars);
    } else {
      initPeak = maxRequests(initPeak, addRequests(own, sidecars));
    }
  }
  return maxRequests(total, initPeak);
}

/** The containers that run for the pod's life: its containers and its sidecars (restartable init containers). */
export function longRunningContainers(spec: PodSpecLike): ContainerSpec[] {
  return [...(spec.containers ?? []), ...(spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always")];
}

/** Long-running containers that request neither CPU nor memory: they use memory all the same. */
export function containersRequestingNothing(spec: PodSpecLike): number {
  return longRunningContainers(spec).filter((c) => containerRequests(c).requestsNothing).length;
}
