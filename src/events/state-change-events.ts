import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { Construct } from "constructs";
import type { PlatformKey } from "../keys/platform-key";
import { allowEventBridgeDeadLetters, EventsDeadLetterQueue } from "./dead-letter-queue";
import { EventForwarderRole } from "./event-forwarder";
import { EventRule } from "./event-rule";

/** Names of the state-account side, computed the same way by the central side. */
export function stateEventNames(project: string) {
  return {
    ruleName: `${project}-state-changes`,
    forwarderRole: `${project}-state-events-forwarder`,
    deadLetterQueue: `${project}-state-events-dlq`,
    /** The role the central bus's stack-update rules invoke other accounts' validators as. */
    invokerRole: `${project}-stack-update-invoker`,
  };
}

/** The EventBridge pattern of a state object written under `keyPrefix` (`<keyPrefix>/<stack>/terraform.tfstate`). */
export function stateObjectPattern(bucketName: string, key: { wildcard: string } | string): Record<string, unknown> {
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    detail: { bucket: { name: [bucketName] }, object: { key: [key] } },
  };
}

export interface StateChangeForwardingProps {
  readonly project: string;
  readonly accountId: string;
  readonly bucketName: string;
  /** Prefix of every stack's state key. */
  readonly keyPrefix: string;
  /** The state key: it encrypts the dead-letter queue, and its policy lets EventBridge use it for that queue. */
  readonly key: PlatformKey;
  readonly centralBusArn: string;
}

/**
 * Terraform deployments raise no CloudFormation events, so the state bucket is what tells the
 * platform a stack changed: every apply writes `<keyPrefix>/<stack>/terraform.tfstate`. The bucket
 * notifies EventBridge, and a rule on the state account's default bus forwards each state write to
 * the central bus (as a role allowed only `events:PutEvents` there), where the stack-update rules
 * route it to the validator of the stack's environment. Lock files (`.tflock`) do not match.
 */
export class StateChangeForwarding extends Construct {
  readonly rule: EventRule;

  constructor(scope: Construct, id: string, props: StateChangeForwardingProps) {
    super(scope, id);
    const names = stateEventNames(props.project);
    new S3BucketNotification(this, "notifications", { bucket: props.bucketName, eventbridge: true });
    allowEventBridgeDeadLetters(props.key, names.deadLetterQueue);
    const deadLetterQueue = new EventsDeadLetterQueue(this, "dlq", { queueName: names.deadLetterQueue, kmsKeyArn: props.key.arn });
    const forwarder = new EventForwarderRole(this, "forwarder", { roleName: names.forwarderRole, accountId: props.accountId, centralBusArn: props.centralBusArn });
    this.rule = new EventRule(this, "rule", {
      ruleName: names.ruleName,
      description: "Terraform state writes (a stack was applied), to the central bus",
      eventPattern: stateObjectPattern(props.bucketName, { wildcard: `${props.keyPrefix}/*/terraform.tfstate` }),
      deadLetterQueue,
    });
    this.rule.addEventBus("central-bus", props.centralBusArn, forwarder.arn);
  }
}
