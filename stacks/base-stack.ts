import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamSessionContext } from "@cdktf/provider-aws/lib/data-aws-iam-session-context";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Aspects, S3Backend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { Config } from "../config/schema";
import { PolicyAspect } from "../policy/aspect";

/** Terraform >= 1.10 for S3-native state locking (`use_lockfile`); OpenTofu 1.10 accepts it too. */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.10.0";

export interface BaseStackProps {
  readonly config: Config;
  /**
   * The config file's path as the user named it, for messages Terraform shows at plan time.
   * @default "the configuration file"
   */
  readonly configFile?: string;
}

/** Where a stack keeps its state: `<keyPrefix><environment>/<stack>.tfstate` in the one state bucket. */
export function stateKey(config: Config, stackId: string): string {
  return `${config.state.keyPrefix}${config.environment}/${stackId}.tfstate`;
}

/** The tags every taggable AWS resource of a stack carries (provider default_tags). */
export function defaultTags(config: Config, stackId: string): Record<string, string> {
  return { project: config.project, environment: config.environment, stack: stackId, "managed-by": "cdktf" };
}

/**
 * Common base of every stage stack: S3 remote state with encryption and S3-native locking,
 * an AWS provider with default tags, the Terraform version floor, and the policy pack.
 */
export class BaseStack extends TerraformStack {
  readonly config: Config;
  readonly aws: AwsProvider;

  constructor(scope: Construct, id: string, props: BaseStackProps) {
    super(scope, id);
    this.config = props.config;
    const backend = new S3Backend(this, {
      bucket: props.config.state.bucket,
      key: stateKey(props.config, id),
      region: props.config.region,
      encrypt: true,
    });
    // cdktf 0.21's S3BackendConfig has no useLockfile. A raw override lands in this stack's
    // backend block only; consumers' terraform_remote_state blocks are built from the typed
    // props and so never see it (remote state is read-only and takes no lock).
    backend.addOverride("use_lockfile", true);
    this.aws = new AwsProvider(this, "aws", {
      region: props.config.region,
      defaultTags: [{ tags: defaultTags(props.config, id) }],
    });
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
    Aspects.of(this).add(PolicyAspect.fromConfig(props.config));
  }

  /** What the policy aspect rendered, handed to the synthesizer's render that follows (see renderedForPolicy). */
  private pendingRender?: Record<string, unknown>;

  /**
   * Renders the stack for the policy aspect and keeps the result for the synthesizer, which renders
   * right after the aspects have run and nothing has changed: one token resolution of the whole
   * stack instead of two, the largest part of synth time.
   */
  renderedForPolicy(): Record<string, unknown> {
    this.pendingRender = super.toTerraform() as Record<string, unknown>;
    return this.pendingRender;
  }

  override toTerraform(): Record<string, unknown> {
    const pending = this.pendingRender;
    this.pendingRender = undefined;
    return pending ?? (super.toTerraform() as Record<string, unknown>);
  }

  private caller?: DataAwsCallerIdentity;
  private partitionData?: DataAwsPartition;

  private get callerIdentity(): DataAwsCallerIdentity {
    this.caller ??= new DataAwsCallerIdentity(this, "caller");
    return this.caller;
  }

  /** The deploying account's id, read at plan time (never written into code or config). */
  get accountId(): string {
    return this.callerIdentity.accountId;
  }

  private session?: DataAwsIamSessionContext;

  /**
   * The IAM principal deploying, read at plan time: for an assumed role (SSO, CI) the role's ARN,
   * path included, as EKS access entries take it (aws_iam_session_context issuer_arn; it calls
   * iam:GetRole), not the temporary session ARN.
   */
  get deployerArn(): string {
    this.session ??= new DataAwsIamSessionContext(this, "deployer", { arn: this.callerIdentity.arn });
    return this.session.issuerArn;
  }

  /** The AWS partition ("aws", "aws-us-gov", ...), for building ARNs. */
  get partition(): string {
    this.partitionData ??= new DataAwsPartition(this, "partition");
    return this.partitionData.partition;
  }
}
