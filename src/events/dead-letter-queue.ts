import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import type { PlatformKey } from "../keys/platform-key";
import { denyInsecureTransport, policyDocument } from "../iam/policy";

export interface EventsDeadLetterQueueProps {
  readonly queueName: string;
  /** The environment key; its policy must let events.amazonaws.com use it for this queue (`allowEventBridgeDeadLetters`). */
  readonly kmsKeyArn: string;
}

/**
 * The dead-letter queue of every EventBridge target of an environment stack: KMS-encrypted, kept 14
 * days, TLS-only, and writable by EventBridge only on behalf of the rules registered with `allowRule`
 * (`aws:SourceArn`), so no other rule or account can fill it.
 */
export class EventsDeadLetterQueue extends Construct {
  readonly queue: SqsQueue;
  private readonly ruleArns: string[] = [];

  constructor(scope: Construct, id: string, props: EventsDeadLetterQueueProps) {
    super(scope, id);
    this.queue = new SqsQueue(this, "queue", {
      name: props.queueName,
      kmsMasterKeyId: props.kmsKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    new SqsQueuePolicy(this, "policy", {
      queueUrl: this.queue.url,
      policy: Lazy.stringValue({
        produce: () =>
          policyDocument([
            ...(this.ruleArns.length > 0
              ? [
                  {
                    sid: "EventBridgeRulesDeadLetter",
                    actions: ["sqs:SendMessage"],
                    principals: { Service: ["events.amazonaws.com"] },
                    resources: [this.queue.arn],
                    conditions: { ArnEquals: { "aws:SourceArn": [...this.ruleArns] } },
                  },
                ]
              : []),
            denyInsecureTransport(["sqs:SendMessage", "sqs:ReceiveMessage"], [this.queue.arn]),
          ]),
      }),
    });
  }

  get arn(): string {
    return this.queue.arn;
  }

  /** Lets EventBridge dead-letter events of this rule here. */
  allowRule(ruleArn: string): void {
    if (!this.ruleArns.includes(ruleArn)) this.ruleArns.push(ruleArn);
  }
}

/**
 * Lets EventBridge encrypt dead letters with the key, only into this account's queues whose names
 * start with `queueNamePrefix` (SQS binds every data key to the queue's ARN).
 */
export function allowEventBridgeDeadLetters(key: PlatformKey, queueNamePrefix: string): void {
  key.grantToService("EventBridgeDeadLetters", "events.amazonaws.com", ["kms:Decrypt", "kms:GenerateDataKey"], {
    ArnLike: { "kms:EncryptionContext:aws:sqs:arn": [`arn:aws:sqs:${key.region}:${key.accountId}:${queueNamePrefix}*`] },
  });
}
