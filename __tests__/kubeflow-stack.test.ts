import { parse } from "yaml";
import { UPSTREAM } from "../lib/versions";
import { readFileSync } from "node:fs";
import {
  AWS_LOAD_BALANCER_CONTROLLER_POLICY_FILE,
  awsLoadBalancerControllerStatements,
} from "../lib/aws-load-balancer-controller-policy";
import { CREDENTIAL_KEYS, CREDENTIALS_SECRET, paramsFromConfigMapData } from "../lib/kubeflow-overlay";
import { buildApp, dataSources, resource, resources } from "./helpers";

type Body = Record<string, unknown>;
const { stages, json } = buildApp();
const kubeflow = json(stages.kubeflow);

describe("kubeflow stack: AWS Load Balancer Controller", () => {
  const [[, release]] = resources(kubeflow, "helm_release");
  const values = parse((release.values as string[])[0]) as Body;

  it("installs the pinned official chart on the system nodes with region and VPC given explicitly", () => {
    expect(release).toMatchObject({
      repository: "https://aws.github.io/eks-charts",
      chart: "aws-load-balancer-controller",
      version: UPSTREAM.awsLoadBalancerControllerChart.version,
      namespace: "kube-system",
      atomic: true,
    });
    expect(values).toMatchObject({
      clusterName: "kubeflow",
      region: "us-west-2",
      image: { tag: UPSTREAM.awsLoadBalancerController.images[0].tag },
    });
    expect(String(values.vpcId)).toContain("terraform_remote_state.cross-stack-reference-input-eks");
    expect(values.nodeSelector).toEqual({ "kubeflow-eks/node-role": "system" });
  });

  it("grants exactly the controller's published policy, through its own service account", () => {
    const [, doc] = dataSources(kubeflow, "aws_iam_policy_document").find(([id]) =>
      id.includes("controller_identity_permissions"),
    )!;
    const statements = doc.statement as { actions: string[]; sid: string }[];
    // The vendored file itself, statement by statement.
    const published = (
      JSON.parse(readFileSync(AWS_LOAD_BALANCER_CONTROLLER_POLICY_FILE, "utf8")) as {
        Statement: { Action: string | string[] }[];
      }
    ).Statement.map((s) => [s.Action].flat());
    expect(statements.map((s) => s.actions)).toEqual(published);
    expect(awsLoadBalancerControllerStatements("aws").map((s) => s.actions)).toEqual(published);
    for (const action of statements.flatMap((s) => s.actions)) expect(action).not.toMatch(/\*/);
    expect(resource(kubeflow, "aws_eks_pod_identity_association", "controller")).toMatchObject({
      namespace: "kube-system",
      service_account: "aws-load-balancer-controller",
    });
  });
});

describe("kubeflow stack: install parameters and credentials", () => {
  const configMap = resource(kubeflow, "kubernetes_config_map_v1", "install-inputs");
  const data = configMap.data as Record<string, string>;

  it("publishes the overlay parameters from config and the auth stack", () => {
    expect(configMap.metadata).toMatchObject({ namespace: "kube-system", name: "kubeflow-install-params" });
    const params = paramsFromConfigMapData(data);
    expect(params).toMatchObject({
      host: "kubeflow.example.com",
      manifestsVersion: "26.03",
      ingressScheme: "internet-facing",
      allowedEmailDomains: ["example.com"],
      cullingEnabled: true,
      cullIdleMinutes: 60,
      cullCheckPeriodMinutes: 5,
      profileName: "data-science",
      profileOwner: "team-lead@example.com",
    });
    expect(params.issuerUrl).toMatch(
      /^https:\/\/\$\{data\.terraform_remote_state\.cross-stack-reference-input-auth\..*endpoint\}$/,
    );
    expect(params.certificateArn).toContain("cross-stack-reference-input-auth");
    // The VPC's range, for the NetworkPolicy that admits the load balancer to the ingress gateway.
    expect(params.vpcCidr).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-eks\./);
  });

  it("passes the client secret from the auth stack's state into a Secret, never as a literal", () => {
    const secret = resource(kubeflow, "kubernetes_secret_v1", "oidc-client");
    expect(secret.metadata).toMatchObject({ namespace: "kube-system", name: "kubeflow-oidc-client" });
    const secretData = secret.data as Record<string, string>;
    expect(secretData["client-secret"]).toMatch(
      /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-auth\.outputs\.[^}]*client_secret\}$/,
    );
    expect(Object.values(data).join(" ")).not.toContain("client_secret");
  });

  it("generates this install's own database and artifact-store credentials once, into a Secret the install reads", () => {
    const passwords = resources(kubeflow, "random_password");
    const passwordFor = (key: string) => passwords.filter(([name]) => name.includes(`_${key}_`));
    expect(passwords).toHaveLength(4);
    for (const key of Object.values(CREDENTIAL_KEYS)) expect(passwordFor(key)).toHaveLength(1);
    for (const [, password] of passwords) {
      // Letters and digits only (no consumer has to quote them), long enough to resist guessing.
      expect(password).toMatchObject({ special: false, min_lower: 1, min_upper: 1, min_numeric: 1 });
      expect(password.length).toBeGreaterThanOrEqual(20);
      // Nothing that would make Terraform regenerate them on a later apply.
      expect(password.keepers).toBeUndefined();
    }
    const secret = resource(kubeflow, "kubernetes_secret_v1", "credentials");
    expect(secret.metadata).toMatchObject(CREDENTIALS_SECRET);
    const secretData = secret.data as Record<string, string>;
    expect(Object.keys(secretData).sort()).toEqual(Object.values(CREDENTIAL_KEYS).sort());
    for (const [key, value] of Object.entries(secretData)) {
      const [[name]] = passwordFor(key);
      expect(value).toBe(`\${random_password.${name}.result}`);
    }
    // The parameters ConfigMap, readable by more than the install step, carries none of them.
    expect(JSON.stringify(data)).not.toContain("random_password");
    expect(kubeflow.terraform.required_providers).toMatchObject({
      random: { source: "hashicorp/random", version: "3.7.2" },
    });
  });

  it("keeps the passwords where every existing deployment's state has them: same addresses, same arguments", () => {
    // Their addresses and arguments since they were introduced: a change here would make Terraform
    // replace them (new passwords that databases with data refuse) or need a state migration.
    const password = (length: number) => ({
      length,
      special: false,
      min_lower: 1,
      min_upper: 1,
      min_numeric: 1,
      provider: "random",
    });
    expect(kubeflow.resource?.random_password).toEqual({
      "install-inputs_kfp-mysql-root-password_FAB1FF6B": password(32),
      "install-inputs_katib-mysql-root-password_F69C817E": password(32),
      "install-inputs_artifact-store-access-key_04AC9695": password(20),
      "install-inputs_artifact-store-secret-key_E5A80F8F": password(40),
    });
    expect(kubeflow.provider?.random).toEqual([{}]);
  });

  it("authenticates both Kubernetes and Helm providers with aws eks get-token", () => {
    const [k8s] = (kubeflow.provider?.kubernetes ?? []) as { exec: { command: string; args: string[] }[] }[];
    expect(k8s.exec[0].command).toBe("aws");
    expect(k8s.exec[0].args.slice(0, 2)).toEqual(["eks", "get-token"]);
    const [helm] = (kubeflow.provider?.helm ?? []) as { kubernetes: { exec: { command: string } } }[];
    expect(helm.kubernetes.exec.command).toBe("aws");
  });
});
