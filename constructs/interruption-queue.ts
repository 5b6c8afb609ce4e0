import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Construct } from "constructs";
import { karpenterInterruptionEvents, type InterruptionEvent } from "../lib/karpenter-policy";

export interface InterruptionQueueProps {
  /** Queue name (Karpenter's settings.interruptionQueue). */
  readonly name: string;
}

/** The EC2 and Health events Karpenter acts on before a node goes away (its pinned CloudFormation's rules). */
export const INTERRUPTION_EVENTS: readonly InterruptionEvent[] = karpenterInterruptionEvents();

/**
 * The SQS queue EventBridge feeds with Spot interruption warnings, rebalance recommendations,
 * scheduled maintenance, instance state changes and capacity-reservation interruptions, so
 * Karpenter drains a node before EC2 takes it (2 minutes' notice for Spot) and replaces it ahead of time.
 */
export class InterruptionQueue extends Construct {
  readonly queue: SqsQueue;

  constructor(scope: Construct, id: string, props: InterruptionQueueProps) {
    super(scope, id);
    this.queue = new SqsQueue(this, "queue", {
      name: props.name,
      // An event older than the 2-minute Spot notice is of no use.
      messageRetentionSeconds: 300,
      sqsManagedSseEnabled: true,
    });
    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      statement: [
        {
          sid: "EventBridgeDelivers",
          effect: "Allow",
          actions: ["sqs:SendMessage"],
          principals: [{ type: "Service", identifiers: ["events.amazonaws.com", "sqs.amazonaws.com"] }],
          resources: [this.queue.arn],
        },
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          actions: ["sqs:*"],
          principals: [{ type: "*", identifiers: ["*"] }],
          resources: [this.queue.arn],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    new SqsQueuePolicy(this, "queue-policy", { queueUrl: this.queue.url, policy: policy.json });
    for (const event of INTERRUPTION_EVENTS) {
      const rule = new CloudwatchEventRule(this, event.id, {
        name: `${props.name}-${event.id}`,
        description: `${event.detailType} to ${props.name}`,
        eventPattern: JSON.stringify({ source: [event.source], "detail-type": [event.detailType] }),
      });
      new CloudwatchEventTarget(this, `${event.id}-target`, {
        rule: rule.name,
        arn: this.queue.arn,
        targetId: "interruption-queue",
      });
    }
  }
}
