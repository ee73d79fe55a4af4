import { anyToHclTerraform, anyToTerraform, hashMapper, hashMapperHcl, TerraformResource, type TerraformResourceLifecycle } from "cdktf";
import type { Construct } from "constructs";

export interface TerraformDataConfig {
  /** Stored in the state and reflected in `output` after apply. */
  readonly input?: Record<string, unknown>;
  /** A change of any value replaces the resource. */
  readonly triggersReplace?: Record<string, unknown>;
  readonly lifecycle?: TerraformResourceLifecycle;
}

/**
 * Terraform's built-in `terraform_data` resource, written as cdktf's `DataResource` writes it. cdktf's
 * class also adds a validation that runs `terraform version` during synth, to check for Terraform
 * 1.4: a process start on every synth (about 80 ms), and a synth that fails where Terraform is not
 * installed. The stacks require Terraform 1.11 or later anyway (`required_version`, checked by
 * `terraform init`), so this class leaves that validation out.
 */
export class TerraformData extends TerraformResource {
  private readonly input?: Record<string, unknown>;
  private readonly triggersReplace?: Record<string, unknown>;

  constructor(scope: Construct, id: string, config: TerraformDataConfig) {
    super(scope, id, { terraformResourceType: "terraform_data", terraformGeneratorMetadata: { providerName: "terraform" }, lifecycle: config.lifecycle });
    this.input = config.input;
    this.triggersReplace = config.triggersReplace;
  }

  /** A key of `output` (the input as stored at apply), as a string expression. */
  outputValue(key: string): string {
    return this.getStringAttribute(`output.${key}`);
  }

  protected override synthesizeAttributes(): { [name: string]: any } {
    return { input: hashMapper(anyToTerraform)(this.input), triggers_replace: hashMapper(anyToTerraform)(this.triggersReplace) };
  }

  /**
   * In the form cdktf's HCL renderer needs for a map argument (value and kind, as the provider
   * classes give it): cdktf's `DataResource` returns the bare map, which the renderer writes as the
   * map's only value (`input = "${uuid()}"` instead of `input = { value = uuid() }`).
   */
  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const map = (value: Record<string, unknown> | undefined) => ({ value: hashMapperHcl(anyToHclTerraform)(value), isBlock: false, type: "map", storageClassType: "anyMap" });
    return { input: map(this.input), triggers_replace: map(this.triggersReplace) };
  }
}
