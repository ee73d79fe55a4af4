import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Construct } from "constructs";
import type { BundledFunction } from "../lambda-packaging/bundled-function";
import type { EventsDeadLetterQueue } from "./dead-letter-queue";
import { jsonAttribute } from "../json-attribute";

/** An EventBridge input transformer: values picked from the event by JSON path, placed in a template. */
export interface InputTransformer {
  readonly inputPaths: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

/** Retry policy of every target: EventBridge retries with backoff, then dead-letters. */
export const TARGET_RETRY_POLICY = { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 } as const;

export interface EventRuleProps {
  readonly ruleName: string;
  readonly description: string;
  /** An event pattern (rendered to JSON), or… */
  readonly eventPattern?: Readonly<Record<string, unknown>>;
  /** …a schedule expression. */
  readonly scheduleExpression?: string;
  /** @default the account's default bus */
  readonly eventBusName?: string;
  readonly deadLetterQueue: EventsDeadLetterQueue;
}

/**
 * An EventBridge rule whose every target has the stack's dead-letter queue and a bounded retry
 * policy. Targets are added with `addFunction`, `addEventBus` and `addTopic`.
 *
 * @example
 * const rule = new EventRule(this, "changes", { ruleName, description, eventPattern: { source: ["aws.ssm"] }, deadLetterQueue });
 * rule.addFunction("mirror", mirror);
 */
export class EventRule extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly targets: CloudwatchEventTarget[] = [];
  private readonly deadLetterQueue: EventsDeadLetterQueue;

  constructor(scope: Construct, id: string, props: EventRuleProps) {
    super(scope, id);
    if ((props.eventPattern === undefined) === (props.scheduleExpression === undefined)) {
      throw new Error(`Rule ${props.ruleName}: give exactly one of eventPattern and scheduleExpression.`);
    }
    this.deadLetterQueue = props.deadLetterQueue;
    this.rule = new CloudwatchEventRule(this, "rule", {
      name: props.ruleName,
      description: props.description,
      eventBusName: props.eventBusName,
      eventPattern: props.eventPattern ? jsonAttribute(props.eventPattern) : undefined,
      scheduleExpression: props.scheduleExpression,
    });
    props.deadLetterQueue.allowRule(this.rule.arn);
  }

  get arn(): string {
    return this.rule.arn;
  }

  /** Invokes a function (with a constant input or an input transformer, if given) and lets this rule invoke it. */
  addFunction(id: string, fn: BundledFunction, input?: Readonly<Record<string, unknown>> | InputTransformer): CloudwatchEventTarget {
    new LambdaPermission(this, `${id}-permission`, {
      statementId: `Allow-${this.node.id}`.slice(0, 100),
      action: "lambda:InvokeFunction",
      functionName: fn.name,
      principal: "events.amazonaws.com",
      sourceArn: this.rule.arn,
    });
    return this.target(id, { arn: fn.arn, ...renderInput(input) });
  }

  /**
   * Invokes a function in another account of the same Region as `roleArn` (EventBridge's
   * cross-account targets). The function's own stack must let that role invoke it.
   */
  addCrossAccountFunction(id: string, functionArn: string, roleArn: string, input?: Readonly<Record<string, unknown>> | InputTransformer): CloudwatchEventTarget {
    return this.target(id, { arn: functionArn, roleArn, ...renderInput(input) });
  }

  /** Forwards matching events to another bus (possibly in another account), as `roleArn`. */
  addEventBus(id: string, busArn: string, roleArn: string): CloudwatchEventTarget {
    return this.target(id, { arn: busArn, roleArn });
  }

  /** Publishes matching events to an SNS topic. */
  addTopic(id: string, topicArn: string): CloudwatchEventTarget {
    return this.target(id, { arn: topicArn });
  }

  private target(id: string, target: { arn: string; roleArn?: string; input?: string; inputTransformer?: { inputPaths: Record<string, string>; inputTemplate: string } }): CloudwatchEventTarget {
    const created = new CloudwatchEventTarget(this, id, {
      rule: this.rule.name,
      eventBusName: this.rule.eventBusName,
      targetId: id,
      ...target,
      deadLetterConfig: { arn: this.deadLetterQueue.arn },
      retryPolicy: { ...TARGET_RETRY_POLICY },
    });
    this.targets.push(created);
    return created;
  }
}

function renderInput(input: Readonly<Record<string, unknown>> | InputTransformer | undefined): { input?: string; inputTransformer?: { inputPaths: Record<string, string>; inputTemplate: string } } {
  if (input === undefined) return {};
  if (isTransformer(input)) return { inputTransformer: { inputPaths: { ...input.inputPaths }, inputTemplate: input.inputTemplate } };
  return { input: jsonAttribute(input) };
}

function isTransformer(input: Readonly<Record<string, unknown>> | InputTransformer): input is InputTransformer {
  return typeof (input as InputTransformer).inputTemplate === "string" && typeof (input as InputTransformer).inputPaths === "object";
}
