import { DefaultTokenResolver, StringConcat, TerraformProvider, TerraformResource, TerraformStack, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";

/** One resource of a stack as Terraform will see it: its type, address and resolved arguments. */
export interface ResourceView {
  readonly construct: TerraformResource;
  /** e.g. `aws_s3_bucket` */
  readonly type: string;
  /** e.g. `aws_s3_bucket.artifacts_bucket_1A2B3C` */
  readonly address: string;
  /** Arguments with every token resolved; references are `${type.name.attribute}` strings. */
  readonly config: Record<string, unknown>;
  /** Tags the resource ends up with: its provider's `default_tags` merged with its own `tags`. */
  readonly effectiveTags: Readonly<Record<string, string>>;
  /** Whether the resource type takes tags at all. */
  readonly taggable: boolean;
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Resolves tokens the way synthesis does, so references read as `${type.name.attribute}`. */
export function resolve(stack: TerraformStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER });
}

/** Resolves every resource of a stack once, for the rules to read. */
export function viewResources(stack: TerraformStack): ResourceView[] {
  const defaultTags = new Map<TerraformProvider | undefined, Record<string, string>>();
  const tagsOf = (provider: TerraformProvider | undefined): Record<string, string> => {
    if (!defaultTags.has(provider)) {
      const config = provider ? (resolve(stack, provider.toTerraform()) as { provider?: Record<string, { default_tags?: { tags?: Record<string, string> }[] }[]> }) : {};
      const block = Object.values(config.provider ?? {})[0]?.[0];
      defaultTags.set(provider, block?.default_tags?.[0]?.tags ?? {});
    }
    return defaultTags.get(provider)!;
  };
  const defaultProvider = stack.node
    .findAll()
    .find((c): c is TerraformProvider => c instanceof TerraformProvider && c.terraformResourceType === "aws" && !c.alias);

  return stack.node
    .findAll()
    .filter((c: IConstruct): c is TerraformResource => c instanceof TerraformResource && TerraformStack.of(c) === stack)
    .map((resource) => {
      const body = resolve(stack, resource.toTerraform()) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
      const config = Object.values(Object.values(body.resource ?? {})[0] ?? {})[0] ?? {};
      const provider = resource.provider ?? (resource.terraformResourceType.startsWith("aws_") ? defaultProvider : undefined);
      const ownTags = (config.tags as Record<string, string> | undefined) ?? {};
      return {
        construct: resource,
        type: resource.terraformResourceType,
        address: `${resource.terraformResourceType}.${resource.friendlyUniqueId}`,
        config,
        effectiveTags: { ...tagsOf(provider), ...ownTags },
        taggable: "tagsInput" in resource,
      };
    });
}
