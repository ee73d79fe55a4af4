import type { ExtractionContext } from "./extract";
import { environmentStacks, referencedWithType, resourcesOf } from "./extract";
import type { CellKey } from "./model";

const loadBalancerId = (cell: CellKey, name: string) => `lb:${cell.column}:${cell.region}:${name}`;

/**
 * The edge tier where an environment has one (docs/edge-tier.md): each region's load balancer and
 * Auto Scaling group, and the CloudFront distribution whose origin groups fail over from the
 * primary region's origin to the DR region's. CloudFront is global; it is drawn in the cell of the
 * stack that creates it. Content buckets and their replication are drawn by the bucket extractor.
 */
export function edgeTier(context: ExtractionContext): void {
  for (const { stack } of environmentStacks(context)) {
    for (const [, lb] of resourcesOf(stack.json, "aws_lb")) {
      const cell = context.placeOf(stack, lb.provider);
      const group = resourcesOf(stack.json, "aws_autoscaling_group").find(([, g]) => g.provider === lb.provider)?.[1];
      const sizes = group ? `, Auto Scaling ${group.min_size}–${group.max_size}` : "";
      context.addNode({ id: loadBalancerId(cell, lb.name), kind: "edge", label: "load balancer (application)", detail: `${lb.name}${sizes}`, ...cell });
    }
  }
  for (const { stack } of environmentStacks(context)) {
    for (const [, distribution] of resourcesOf(stack.json, "aws_cloudfront_distribution")) {
      const cell = context.placeOf(stack, distribution.provider);
      const from = context.addNode({ id: `cdn:${cell.column}`, kind: "edge", label: "CloudFront distribution", detail: "global; origin groups fail over to the DR region", ...cell });
      const origins = new Map<string, string>();
      for (const origin of distribution.origin ?? []) {
        const target = referencedWithType(stack.json, origin.domain_name);
        if (!target) continue;
        if (target.type === "aws_s3_bucket") origins.set(origin.origin_id, `bucket:${target.block.bucket}`);
        else if (target.type === "aws_lb" || target.type === "data.aws_lb") {
          const lbCell = context.placeOf(stack, target.block.provider);
          const id = loadBalancerId(lbCell, target.block.name);
          // A load balancer found by name lives in the other region's stack; draw it even if that stack is not read.
          context.addNode({ id, kind: "edge", label: "load balancer (application)", detail: target.block.name, ...lbCell });
          origins.set(origin.origin_id, id);
        }
      }
      for (const group of distribution.origin_group ?? []) {
        (group.member ?? []).forEach((member: { origin_id: string }, index: number) => {
          const to = origins.get(member.origin_id);
          if (to && context.hasNode(to)) context.addEdge({ from, to, moves: "requests", label: index === 0 ? `requests (${group.origin_id})` : `requests (${group.origin_id} failover)` });
        });
      }
    }
  }
}
