import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Aspects, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { Config } from "../config/schema";
import { SecureBucket } from "../constructs/secure-bucket";
import { PolicyAspect } from "../policy/aspect";
import { allowPolicyException } from "../policy/exceptions";
import { defaultTags, REQUIRED_TERRAFORM_VERSION } from "./base-stack";

export interface BootstrapStackProps {
  readonly config: Config;
  /**
   * Let a destroy delete the state bucket with every state version in it (`npm run destroy -- --delete-data`, last).
   * @default false
   */
  readonly forceDestroyBucket?: boolean;
}

/**
 * Creates the state bucket every other stack's backend points at. It cannot keep its own state
 * in a bucket that does not exist yet, so its state is a local file in the project root
 * (`bootstrap.tfstate`, git-ignored); keep it, or import the bucket again if it is lost.
 */
export class BootstrapStack extends TerraformStack {
  readonly stateBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    // Relative to cdktf.out/stacks/<id>, where cdktf runs terraform.
    new LocalBackend(this, { path: "../../../bootstrap.tfstate" });
    new AwsProvider(this, "aws", {
      region: props.config.region,
      defaultTags: [{ tags: defaultTags(props.config, id) }],
    });
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
    // State is the source of truth for everything else; losing it orphans real resources.
    this.stateBucket = new SecureBucket(this, "state", {
      bucketName: props.config.state.bucket,
      purpose: "Terraform state",
      preventDestroy: props.config.protection.preventDestroy,
      forceDestroy: props.forceDestroyBucket,
    });
    Aspects.of(this).add(PolicyAspect.fromConfig(props.config));
    allowPolicyException(
      this,
      "KF_STATE_BACKEND",
      "the bootstrap stack creates the state bucket, so its own state cannot live in it yet",
    );
    new TerraformOutput(this, "state-bucket", { value: this.stateBucket.bucket.bucket });
    new TerraformOutput(this, "state-key-arn", { value: this.stateBucket.key.arn });
  }
}
