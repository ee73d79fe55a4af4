import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { denyInsecureTransport, policyDocument } from "../iam/policy";
import type { PlatformKey } from "../keys/platform-key";

export interface AlarmTopicProps {
  readonly topicName: string;
  readonly key: PlatformKey;
  readonly accountId: string;
  /** Addresses subscribed by e-mail (each must confirm the subscription). */
  readonly emails: readonly string[];
}

/**
 * The SNS topic every alarm of an environment and region notifies: encrypted with the environment key
 * (which CloudWatch, and EventBridge where `allowEventBridge` is called, may use to publish), TLS-only, and publishable only from the account.
 */
export class AlarmTopic extends Construct {
  readonly topic: SnsTopic;
  private readonly key: PlatformKey;
  private readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = props.key;
    // Deterministic: the topic's own ARN attribute would make the key policy and the topic depend on each other.
    this.topicArn = `arn:aws:sns:${props.key.region}:${props.accountId}:${props.topicName}`;
    // CloudWatch alarms of this account publish, and SNS binds every data key to the topic's ARN.
    props.key.grantToService("CloudWatchAlarmsPublish", "cloudwatch.amazonaws.com", ["kms:Decrypt", "kms:GenerateDataKey"], {
      StringEquals: { "aws:SourceAccount": [props.accountId], "kms:EncryptionContext:aws:sns:topicArn": [this.topicArn] },
    });
    this.topic = new SnsTopic(this, "topic", { name: props.topicName, kmsMasterKeyId: props.key.arn });
    new SnsTopicPolicy(this, "policy", {
      arn: this.topic.arn,
      policy: policyDocument([
        {
          sid: "AccountServicesPublish",
          actions: ["sns:Publish"],
          principals: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
          resources: [this.topic.arn],
          conditions: { StringEquals: { "aws:SourceAccount": [props.accountId] } },
        },
        denyInsecureTransport(["sns:Publish", "sns:Subscribe"], [this.topic.arn]),
      ]),
    });
    props.emails.forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: "email", endpoint: email });
    });
  }

  get arn(): string {
    return this.topic.arn;
  }

  /**
   * Lets EventBridge rules of this account deliver to the topic through the key. Only stacks with
   * such a rule call this. EventBridge's KMS requests carry no aws:SourceAccount / aws:SourceArn, so
   * the grant is bound to the topic by the encryption context instead.
   */
  allowEventBridge(): void {
    this.key.grantToService("EventBridgeDeliversToAlarmTopic", "events.amazonaws.com", ["kms:Decrypt", "kms:GenerateDataKey"], {
      StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": [this.topicArn] },
    });
  }
}
