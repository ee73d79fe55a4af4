import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { configRoot } from "../config-mirror/parameters";
import type { AppParameterWrite } from "./plan";

export interface AppParametersProps {
  /** The environment whose `/app/<env>/config/` hierarchy the parameters go into. */
  readonly environment: string;
  readonly parameters: readonly AppParameterWrite[];
  /** The environment key: SecureStrings are encrypted with it. */
  readonly kmsKeyArn: string;
}

/** Terraform type of the ephemeral resource that reads a secret without storing it in state or plan. */
export const SECRET_EPHEMERAL_TYPE = "aws_secretsmanager_secret_version";

/**
 * The application settings one environment's stack writes under `/app/<env>/config/`.
 *
 * A plain setting is a String parameter whose value is in the configuration. A secure setting is a
 * SecureString encrypted with the environment key whose value never passes through Terraform state
 * or plan files: an ephemeral `aws_secretsmanager_secret_version` reads the secret during apply and
 * feeds the parameter's write-only `value_wo` (Terraform 1.11 or later); raising the setting's
 * `version` copies the secret again. cdktf 0.21 has no binding for ephemeral blocks, so the block is
 * written into the stack JSON with an override.
 *
 * `overwrite` lets a stack take over a parameter the mirror created before the setting was
 * overridden in this environment.
 */
export class AppParameters extends Construct {
  readonly parameters: SsmParameter[] = [];

  constructor(scope: Construct, id: string, props: AppParametersProps) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    for (const parameter of props.parameters) {
      const name = `${configRoot(props.environment)}${parameter.key}`;
      const logicalId = parameter.key.replace(/[^A-Za-z0-9_-]/g, "_");
      const common = { name, tier: "Standard", overwrite: true, description: `Application setting ${parameter.key} (platform configuration appConfig)` };
      if (parameter.value.kind === "plain") {
        this.parameters.push(new SsmParameter(this, logicalId, { ...common, type: "String", value: parameter.value.value }));
        continue;
      }
      const ephemeralName = `app-setting-${props.environment}-${logicalId}`;
      stack.addOverride(`ephemeral.${SECRET_EPHEMERAL_TYPE}.${ephemeralName}`, { secret_id: parameter.value.secretArn });
      this.parameters.push(
        new SsmParameter(this, logicalId, {
          ...common,
          type: "SecureString",
          keyId: props.kmsKeyArn,
          valueWo: `\${ephemeral.${SECRET_EPHEMERAL_TYPE}.${ephemeralName}.secret_string}`,
          valueWoVersion: parameter.value.version,
        }),
      );
    }
  }
}
