import { Testing } from "cdktf";
import { ClusterProviders, EXEC_API_VERSION } from "../constructs/cluster-providers";
import { BaseStack } from "../stacks/base-stack";
import { defaultConfig, synth } from "./helpers";

describe("ClusterProviders", () => {
  const stack = new BaseStack(Testing.app(), "providers", { config: defaultConfig() });
  new ClusterProviders(stack, "cluster", {
    cluster: { clusterName: "kf", clusterEndpoint: "https://example.invalid", clusterCertificateAuthorityData: "Q0E=" },
    region: "eu-west-1",
  });
  const j = synth(stack);
  const exec = {
    api_version: EXEC_API_VERSION,
    command: "aws",
    args: ["eks", "get-token", "--cluster-name", "kf", "--region", "eu-west-1"],
  };

  it("authenticates the Kubernetes provider through aws eks get-token", () => {
    const [kubernetes] = j.provider?.kubernetes ?? [];
    expect(kubernetes).toEqual({
      host: "https://example.invalid",
      cluster_ca_certificate: '${base64decode("Q0E=")}',
      exec: [exec],
    });
  });

  it("authenticates the Helm provider the same way", () => {
    const [helm] = j.provider?.helm ?? [];
    expect(helm).toEqual({
      kubernetes: { host: "https://example.invalid", cluster_ca_certificate: '${base64decode("Q0E=")}', exec },
    });
  });

  it("uses the v1beta1 exec API (v1alpha1 is gone from current kubectl and aws-cli)", () => {
    expect(EXEC_API_VERSION).toBe("client.authentication.k8s.io/v1beta1");
  });
});
