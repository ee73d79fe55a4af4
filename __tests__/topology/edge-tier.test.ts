import { validateConfig } from "../../src/config/validate";
import { extractTopology } from "../../src/topology/extract";
import type { SynthesizedStack } from "../../src/topology/synthesized";
import { exampleRaw } from "../helpers/config";

/**
 * The edge tier is built by its own stacks code (docs/edge-tier.md); these stacks are written in
 * the shape that code synthesizes (a distribution whose origin groups fail over from the primary
 * region's content bucket and load balancer to the DR region's, the DR load balancer found by name).
 */
function edgeStacks(): SynthesizedStack[] {
  const providers = {
    aws: [
      { region: "us-east-1", allowed_account_ids: ["333333333333"] },
      { alias: "other_region", region: "eu-west-1", allowed_account_ids: ["333333333333"] },
    ],
  };
  const primary = {
    provider: providers,
    resource: {
      aws_s3_bucket: {
        content: { bucket: "replica-prod-content-333333333333-us-east-1" },
        content_dr: { bucket: "replica-prod-content-333333333333-eu-west-1", provider: "aws.other_region" },
      },
      aws_s3_bucket_replication_configuration: {
        content: { bucket: "${aws_s3_bucket.content.bucket}", rule: [{ id: "dr-copy", filter: { prefix: "" }, destination: { bucket: "${aws_s3_bucket.content_dr.arn}" } }] },
      },
      aws_lb: { app: { name: "replica-prod-app" } },
      aws_autoscaling_group: { app: { name: "replica-prod-app", min_size: 2, max_size: 4 } },
      aws_cloudfront_distribution: {
        edge: {
          origin: [
            { origin_id: "content-primary", domain_name: "${aws_s3_bucket.content.bucket_regional_domain_name}" },
            { origin_id: "content-dr", domain_name: "${aws_s3_bucket.content_dr.bucket_regional_domain_name}" },
            { origin_id: "application-primary", domain_name: "${aws_lb.app.dns_name}" },
            { origin_id: "application-dr", domain_name: "${data.aws_lb.dr.dns_name}" },
          ],
          origin_group: [
            { origin_id: "content", member: [{ origin_id: "content-primary" }, { origin_id: "content-dr" }] },
            { origin_id: "application", member: [{ origin_id: "application-primary" }, { origin_id: "application-dr" }] },
          ],
        },
      },
    },
    data: { aws_lb: { dr: { name: "replica-prod-app", provider: "aws.other_region" } } },
  };
  const dr = { provider: { aws: [providers.aws[1]].map(({ alias: _alias, ...block }) => block) }, resource: { aws_lb: { app: { name: "replica-prod-app" } } } };
  return [
    { name: "prod-eu-west-1", deployOrder: 1, json: dr },
    { name: "prod-us-east-1", deployOrder: 2, json: primary },
  ];
}

describe("the topology of an edge tier", () => {
  const topology = extractTopology(validateConfig(exampleRaw()), edgeStacks());
  const place = (id: string) => {
    const node = topology.nodes.find((n) => n.id === id)!;
    return `${node.kind}@${node.column}/${node.region}`;
  };
  const edges = topology.edges.map((e) => `${place(e.from)} -${e.moves}-> ${place(e.to)} ${e.label}`).sort();

  test("shows the distribution's requests to each origin group's primary and its DR failover", () => {
    expect(edges).toEqual(
      [
        "bucket@prod/us-east-1 -objects-> bucket@prod/eu-west-1 objects (all)",
        "edge@prod/us-east-1 -requests-> bucket@prod/us-east-1 requests (content)",
        "edge@prod/us-east-1 -requests-> bucket@prod/eu-west-1 requests (content failover)",
        "edge@prod/us-east-1 -requests-> edge@prod/us-east-1 requests (application)",
        "edge@prod/us-east-1 -requests-> edge@prod/eu-west-1 requests (application failover)",
      ].sort(),
    );
  });

  test("draws each region's load balancer once, with its Auto Scaling sizes, and names content buckets by purpose", () => {
    const loadBalancers = topology.nodes.filter((n) => n.label.startsWith("load balancer"));
    expect(loadBalancers.map((n) => `${n.region} ${n.detail}`).sort()).toEqual(["eu-west-1 replica-prod-app", "us-east-1 replica-prod-app, Auto Scaling 2–4"]);
    expect(topology.nodes.filter((n) => n.kind === "bucket").map((n) => n.label).sort()).toEqual(["content bucket", "content bucket (DR copy)"]);
  });
});
