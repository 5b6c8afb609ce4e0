// Validates every object `npm run generate` renders against the Kubernetes API schema, using the
// kubernetes-models package (4.x: the last line that loads as CommonJS).
import { CSIDriver } from "kubernetes-models/storage.k8s.io/v1/CSIDriver";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { FSX_CSI_DRIVER_OBJECTS } from "../generated/fsx-csi-driver";

type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  "storage.k8s.io/v1 CSIDriver": CSIDriver as unknown as Model,
  "apps/v1 DaemonSet": DaemonSet as unknown as Model,
  "apps/v1 Deployment": Deployment as unknown as Model,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget as unknown as Model,
  "rbac.authorization.k8s.io/v1 ClusterRole": ClusterRole as unknown as Model,
  "rbac.authorization.k8s.io/v1 ClusterRoleBinding": ClusterRoleBinding as unknown as Model,
  "v1 ServiceAccount": ServiceAccount as unknown as Model,
};

const validate = (manifest: Record<string, unknown>) => {
  const model = MODELS[`${String(manifest.apiVersion)} ${String(manifest.kind)}`];
  if (!model)
    throw new Error(
      `no schema model for ${String(manifest.apiVersion)} ${String(manifest.kind)}: add one to this test`,
    );
  new model(manifest as never).validate();
};

describe("rendered Kubernetes objects", () => {
  it.each(FSX_CSI_DRIVER_OBJECTS.map((o) => [o.address, o] as const))(
    "%s is valid against the API schema",
    (_address, object) => {
      expect(() => validate(object.manifest)).not.toThrow();
    },
  );

  it("catches an invalid object (the validation is real)", () => {
    const csiDriver = FSX_CSI_DRIVER_OBJECTS.find((o) => o.kind === "CSIDriver")!;
    const broken = { ...csiDriver.manifest, spec: { attachRequired: "no" } };
    expect(() => validate(broken)).toThrow(/attachRequired must be boolean/);
  });
});
