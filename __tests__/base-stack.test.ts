import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { TerraformOutput, Testing } from "cdktf";
import type { Construct } from "constructs";
import { BaseStack, REQUIRED_TERRAFORM_VERSION, stateKey } from "../stacks/base-stack";
import { buildApp, configWith, dataSources, defaultConfig, synth } from "./helpers";

describe("BaseStack", () => {
  const { stages, json } = buildApp();
  const stageStacks = Object.entries(stages).filter(([id]) => id !== "bootstrap");

  it.each(stageStacks)("gives stack %s an encrypted, locked S3 backend keyed by environment and stack", (id, stack) => {
    const backend = json(stack).terraform.backend;
    expect(backend).toEqual({
      s3: {
        bucket: "example-kubeflow-tfstate",
        key: `dev/${id}.tfstate`,
        region: "us-west-2",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  it.each(stageStacks)("gives stack %s a Terraform version floor and default tags", (id, stack) => {
    const j = json(stack);
    expect(j.terraform.required_version).toBe(REQUIRED_TERRAFORM_VERSION);
    expect(j.provider?.aws?.[0]).toMatchObject({
      region: "us-west-2",
      default_tags: [{ tags: { project: "kubeflow", environment: "dev", stack: id } }],
    });
  });

  it("puts the key prefix and environment into the state key", () => {
    const config = configWith((c) => ({ ...c, environment: "prod", state: { ...c.state, keyPrefix: "platform/" } }));
    expect(stateKey(config, "addons")).toBe("platform/prod/addons.tfstate");
  });

  it("keeps use_lockfile out of the remote-state blocks of consuming stacks", () => {
    class Producer extends BaseStack {
      readonly value: string;
      constructor(scope: Construct) {
        super(scope, "producer", { config: defaultConfig() });
        this.value = new SqsQueue(this, "queue", { name: "q" }).arn;
      }
    }
    class Consumer extends BaseStack {
      constructor(scope: Construct, value: string) {
        super(scope, "consumer", { config: defaultConfig() });
        new TerraformOutput(this, "copy", { value });
      }
    }
    const app = Testing.app();
    const producer = new Producer(app);
    const consumer = new Consumer(app, producer.value);
    const remote = dataSources(synth(consumer), "terraform_remote_state");
    expect(remote).toHaveLength(1);
    const config = (remote[0][1] as { config: Record<string, unknown> }).config;
    expect(config).toMatchObject({ bucket: "example-kubeflow-tfstate", key: "dev/producer.tfstate", encrypt: true });
    expect(config).not.toHaveProperty("use_lockfile");
    expect(synth(producer).terraform.backend?.s3.use_lockfile).toBe(true);
  });
});
