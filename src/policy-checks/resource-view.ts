import { DefaultTokenResolver, StringConcat, TerraformResource, type TerraformStack, Tokenization } from "cdktf";

/** One resource of a stack as Terraform will see it: its type, address and resolved arguments. */
export interface ResourceView {
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

/** The parts of a stack's synthesized configuration (`cdk.tf.json`) that the views read. */
export interface SynthesizedStack {
  readonly provider?: Record<string, readonly { alias?: string; default_tags?: readonly { tags?: Record<string, string> }[] }[]>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly [block: string]: unknown;
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Resolves tokens the way synthesis does, so references read as `${type.name.attribute}`. */
export function resolve(stack: TerraformStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER });
}

/**
 * Every resource of a stack, read from the configuration its synthesis produced (so the rules see
 * what Terraform will, overrides included, and nothing is resolved a second time), in the order the
 * stack declares them. Whether a type takes tags comes from its class.
 */
export function viewResources(stack: TerraformStack, synthesized: SynthesizedStack): ResourceView[] {
  const defaultTags = new Map<string, Record<string, string>>();
  for (const [name, blocks] of Object.entries(synthesized.provider ?? {})) {
    for (const block of blocks) defaultTags.set(block.alias ? `${name}.${block.alias}` : name, block.default_tags?.[0]?.tags ?? {});
  }
  const views: ResourceView[] = [];
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof TerraformResource) || construct.cdktfStack !== stack) continue;
    const type = construct.terraformResourceType;
    const config = synthesized.resource?.[type]?.[construct.friendlyUniqueId];
    if (config === undefined) continue;
    // A resource without a `provider` argument uses the default (unaliased) provider of its type's prefix.
    const provider = typeof config.provider === "string" ? config.provider : type.split("_")[0]!;
    views.push({
      type,
      address: `${type}.${construct.friendlyUniqueId}`,
      config,
      effectiveTags: { ...(defaultTags.get(provider) ?? {}), ...((config.tags as Record<string, string> | undefined) ?? {}) },
      taggable: "tagsInput" in construct,
    });
  }
  return views;
}
