import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";

export interface ConnectionParametersProps {
  /** Path prefix with trailing slash: `/app/<env>/db/<name>/`. */
  readonly path: string;
  /** Parameter name (relative to `path`) → value. Never a password: the secret's ARN instead. */
  readonly values: Readonly<Record<string, string>>;
  /** What the parameters describe, for their descriptions. */
  readonly subject: string;
  readonly provider?: AwsProvider;
}

/** How to reach a database, as plain `String` SSM parameters under `/app/<env>/db/<name>/`. */
export class ConnectionParameters extends Construct {
  readonly parameters: Readonly<Record<string, SsmParameter>>;

  constructor(scope: Construct, id: string, props: ConnectionParametersProps) {
    super(scope, id);
    const parameters: Record<string, SsmParameter> = {};
    for (const [key, value] of Object.entries(props.values)) {
      parameters[key] = new SsmParameter(this, key, {
        provider: props.provider,
        name: `${props.path}${key}`,
        type: "String",
        value,
        description: `${props.subject}: ${key.replace(/-/g, " ")}`,
      });
    }
    this.parameters = parameters;
  }
}
