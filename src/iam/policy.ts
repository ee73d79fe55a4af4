/**
 * IAM policy documents written as typed statements and rendered to JSON at synth time.
 *
 * Every policy of the platform goes through here, so the policy checks can parse any policy the
 * synthesized JSON holds. References to other resources (ARNs) may be tokens; a document that holds
 * any is written as Terraform's `jsonencode(...)`, never as a JSON string with interpolations inside
 * (src/json-attribute.ts says why), so read synthesized policies with `parseJsonAttribute`.
 */

import { jsonAttribute } from "../json-attribute";

export type PrincipalType = "AWS" | "Service";

export interface PolicyStatement {
  readonly sid?: string;
  /** @default "Allow" */
  readonly effect?: "Allow" | "Deny";
  /** Explicit actions. Allow statements never use wildcards (the policy checks reject them). */
  readonly actions: readonly string[];
  readonly resources?: readonly string[];
  /** For resource policies and trust policies. */
  readonly principals?: Readonly<Partial<Record<PrincipalType, readonly string[]>>>;
  /** `{ StringEquals: { "aws:SourceAccount": ["111111111111"] } }` */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, readonly string[] | string | boolean>>>>;
}

/** A policy document as an argument of a Terraform resource (JSON text, or `jsonencode` when it holds references). */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return jsonAttribute(policyObject(statements));
}

/** A policy document as an object, for templates that embed it (CloudFormation's inline policies). */
export function policyObject(statements: readonly PolicyStatement[]): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? "Allow",
      ...(s.principals ? { Principal: s.principals } : {}),
      Action: [...s.actions],
      ...(s.resources ? { Resource: [...s.resources] } : {}),
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  };
}

/** The trust policy of a role that one AWS service assumes, limited to this account's resources. */
export function serviceTrustPolicy(service: string, accountId: string): string {
  return policyDocument([
    {
      actions: ["sts:AssumeRole"],
      principals: { Service: [service] },
      conditions: { StringEquals: { "aws:SourceAccount": [accountId] } },
    },
  ]);
}

/** Denies every request to a resource that does not arrive over TLS. */
export function denyInsecureTransport(actions: readonly string[], resources: readonly string[]): PolicyStatement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    principals: { AWS: ["*"] },
    actions,
    resources,
    conditions: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** Actions a service or role needs to use a KMS key for data (never administration). */
export const KMS_DATA_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:DescribeKey",
] as const;
