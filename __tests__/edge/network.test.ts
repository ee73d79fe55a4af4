import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { addressOf, buildStacks, DR, PRIMARY, resources, synth, synthText } from "./helpers";

// GIVEN the built-in example: prod (the last environment) turns the edge tier on, dev and staging do not
const stacks = buildStacks();

/** Every resource and data source type the edge tier adds. */
const EDGE_TYPES = [
  "aws_internet_gateway", "aws_lb", "aws_lb_listener", "aws_lb_listener_rule", "aws_lb_target_group", "aws_launch_template",
  "aws_autoscaling_group", "aws_iam_instance_profile", "aws_cloudfront_distribution", "aws_cloudfront_origin_access_control",
  "aws_cloudwatch_log_delivery", "aws_cloudwatch_log_delivery_source", "aws_cloudwatch_log_delivery_destination", "terraform_data",
];

describe("environments without the edge tier", () => {
  test.each(["dev-us-east-1", "dev-eu-west-1", "staging-us-east-1", "staging-eu-west-1"])("%s has no edge or compute resource and no public subnet", (name) => {
    const json = synth(stacks.get(name)!);
    expect(EDGE_TYPES.filter((type) => resources(json, type).length > 0)).toEqual([]);
    expect(Object.keys(json.data ?? {}).filter((type) => /^aws_(lb|ec2_managed_prefix_list|elb_service_account)/.test(type))).toEqual([]);
    expect(resources(json, "aws_subnet").filter((s) => s.tags.Tier !== "private")).toEqual([]);
    expect(resources(json, "aws_route").filter((r) => r.destination_cidr_block === "0.0.0.0/0")).toEqual([]);
    expect(resources(json, "aws_vpc_endpoint").map((e) => e.service_name.split(".").pop())).not.toEqual(expect.arrayContaining(["ssmmessages"]));
  });
});

describe("public subnets of an environment with the edge tier", () => {
  test.each([
    [PRIMARY, "10.30"],
    [DR, "10.31"],
  ])("%s gets one public subnet per availability zone, from the last slots of its VPC block", (name, prefix) => {
    const publics = resources(synth(stacks.get(name)!), "aws_subnet").filter((s) => s.tags.Tier === "public");
    expect(publics.map((s) => s.cidr_block)).toEqual([`${prefix}.240.0/20`, `${prefix}.224.0/20`]);
    // Instances never get public addresses; only the load balancer's nodes live there.
    expect(publics.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    // Same zones as the private subnets, in the same order: each takes its private subnet's zone.
    const privates = Object.entries(synth(stacks.get(name)!).resource.aws_subnet).filter(([, s]: any) => s.tags.Tier === "private").map(([id]) => `\${aws_subnet.${id}.availability_zone}`);
    expect(publics.map((s) => s.availability_zone)).toEqual(privates);
  });

  test("their route table sends 0.0.0.0/0 to the VPC's internet gateway; the private route tables keep no internet route", () => {
    const json = synth(stacks.get(PRIMARY)!);
    const vpc = addressOf(json, "aws_vpc", () => true);
    expect(synthText(stacks.get(PRIMARY)!)).toHaveResourceWithProperties(InternetGateway, { vpc_id: `\${${vpc}.id}`, tags: { Name: "replica-prod-us-east-1-igw" } });
    const gateway = addressOf(json, "aws_internet_gateway", () => true);
    const publicTable = addressOf(json, "aws_route_table", (t) => t.tags.Tier === "public");
    expect(synthText(stacks.get(PRIMARY)!)).toHaveResourceWithProperties(Route, { route_table_id: `\${${publicTable}.id}`, destination_cidr_block: "0.0.0.0/0", gateway_id: `\${${gateway}.id}` });
    expect(resources(json, "aws_route").filter((r) => r.destination_cidr_block === "0.0.0.0/0")).toHaveLength(1);
    const publicSubnets = Object.entries(json.resource.aws_subnet).filter(([, s]: any) => s.tags.Tier === "public").map(([id]) => `\${aws_subnet.${id}.id}`);
    const associated = resources(json, "aws_route_table_association").filter((a) => a.route_table_id === `\${${publicTable}.id}`).map((a) => a.subnet_id);
    expect(associated.sort()).toEqual(publicSubnets.sort());
  });

  test("a small VPC without room for public subnets is refused with its path", () => {
    expect(() =>
      buildStacks((raw) => {
        const prod = raw.environments.find((e: any) => e.name === "prod");
        prod.network = { ...prod.network, cidrs: { "us-east-1": "10.30.0.0/26", "eu-west-1": "10.31.0.0/16" }, availabilityZoneCount: 3 };
      }),
    ).toThrow(/environments\[2\]\.edgeTier: needs a public subnet per availability zone .*us-east-1 VPC 10\.30\.0\.0\/26/);
  });
});

describe("interface endpoints for the instances", () => {
  test.each([PRIMARY, DR])("%s has Session Manager's and CloudWatch Logs' endpoints, each service once", (name) => {
    const services = resources(synth(stacks.get(name)!), "aws_vpc_endpoint")
      .filter((e) => e.vpc_endpoint_type === "Interface")
      .map((e) => e.service_name.replace(/^com\.amazonaws\.[a-z0-9-]+\./, ""));
    expect(services).toEqual(expect.arrayContaining(["ssm", "ssmmessages", "ec2messages", "logs"]));
    expect(new Set(services).size).toBe(services.length);
    expect(synthText(stacks.get(name)!)).toHaveResourceWithProperties(VpcEndpoint, { service_name: `com.amazonaws.${name.slice(5)}.ssmmessages`, private_dns_enabled: true });
  });
});

test("Subnet matcher sanity: the primary stack's public subnets are real subnets of its VPC", () => {
  expect(synthText(stacks.get(PRIMARY)!)).toHaveResourceWithProperties(Subnet, { cidr_block: "10.30.240.0/20", tags: { Name: "replica-prod-us-east-1-public-1", Tier: "public" } });
});
