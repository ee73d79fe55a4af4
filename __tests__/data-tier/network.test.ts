import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { addressOf, buildStacks, dataSources, resources, synth, synthText } from "./helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

// GIVEN the built-in example platform (dev → staging → prod, us-east-1 primary, eu-west-1 DR)
const stacks = buildStacks();
const dev = () => synth(stacks.get("dev-us-east-1")!);

describe("VPC and subnets", () => {
  test("the VPC takes the configured CIDR with DNS support and host names on", () => {
    // WHEN the dev primary-region stack is synthesized
    // THEN its VPC has the block from network.cidrs and a deterministic Name tag
    expect(synthText(stacks.get("dev-us-east-1")!)).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.10.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
      tags: { Name: "replica-dev-us-east-1-vpc" },
    });
  });

  test("each region's stack builds its own VPC from that region's CIDR", () => {
    expect(synthText(stacks.get("dev-eu-west-1")!)).toHaveResourceWithProperties(Vpc, { cidr_block: "10.11.0.0/16" });
  });

  test("private subnets are carved deterministically, one per availability zone", () => {
    const subnets = resources(dev(), "aws_subnet");
    expect(subnets.map((s) => s.cidr_block)).toEqual(["10.10.0.0/20", "10.10.16.0/20"]);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false && s.tags.Tier === "private")).toBe(true);
  });

  test("availabilityZoneCount 3 gives three subnets in three zones", () => {
    // GIVEN dev asks for three availability zones
    const three = buildStacks((raw) => (raw.environments[0].network.availabilityZoneCount = 3));
    // WHEN synthesized THEN there are three subnets, each in a different element of the zone list
    const subnets = resources(synth(three.get("dev-us-east-1")!), "aws_subnet");
    expect(subnets.map((s) => s.cidr_block)).toEqual(["10.10.0.0/20", "10.10.16.0/20", "10.10.32.0/20"]);
    expect(new Set(subnets.map((s) => s.availability_zone)).size).toBe(3);
  });

  test("zones come from the account's regular zones, not filtered on state (stable plans)", () => {
    const [zones] = dataSources(dev(), "aws_availability_zones");
    expect(zones.filter).toEqual([{ name: "opt-in-status", values: ["opt-in-not-required"] }]);
    expect(zones.state).toBeUndefined();
    expect(resources(dev(), "aws_subnet")[1].availability_zone).toMatch(/element\(data\.aws_availability_zones\.[^.]+\.names, 1\)/);
  });

  test("the VPC's default security group is adopted with no rules, so it allows nothing", () => {
    const json = dev();
    const groups = resources(json, "aws_default_security_group");
    const vpc = addressOf(json, "aws_vpc", () => true);
    expect(groups).toHaveLength(1);
    expect(groups[0].vpc_id).toBe(`\${${vpc}.id}`);
    expect(groups[0].ingress).toBeUndefined();
    expect(groups[0].egress).toBeUndefined();
  });

  test("the VPC has no internet or NAT gateway", () => {
    expect(resources(dev(), "aws_internet_gateway")).toHaveLength(0);
    expect(resources(dev(), "aws_nat_gateway")).toHaveLength(0);
  });

  test("each private subnet has its own route table", () => {
    expect(resources(dev(), "aws_route_table")).toHaveLength(2);
    expect(resources(dev(), "aws_route_table_association")).toHaveLength(2);
  });
});

describe("VPC endpoints", () => {
  test("S3 and DynamoDB are gateway endpoints on the private route tables", () => {
    const gateways = resources(dev(), "aws_vpc_endpoint").filter((e) => e.vpc_endpoint_type === "Gateway");
    expect(gateways.map((e) => e.service_name).sort()).toEqual(["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]);
    expect(gateways.every((e) => e.route_table_ids.length === 2)).toBe(true);
  });

  test("the primary region gets only the interface endpoints its functions call, with private DNS", () => {
    // GIVEN dev's primary-region VPC, where schema sync, data sync and secret rotation run
    const interfaces = resources(dev(), "aws_vpc_endpoint").filter((e) => e.vpc_endpoint_type === "Interface");
    // THEN only Secrets Manager has an interface endpoint (S3 and DynamoDB go through the gateways)
    expect(interfaces.map((e) => e.service_name.split(".").pop()).sort()).toEqual(["secretsmanager"]);
    expect(interfaces.every((e) => e.private_dns_enabled === true && e.subnet_ids.length === 2)).toBe(true);
  });

  test("prod-eu-west-1, where the edge tier's instances run, gets exactly the instances' interface endpoints", () => {
    // GIVEN prod's DR-region VPC: no function calls AWS from it, the application instances do
    const interfaces = resources(synth(stacks.get("prod-eu-west-1")!), "aws_vpc_endpoint").filter((e) => e.vpc_endpoint_type === "Interface");
    expect(interfaces.map((e) => e.service_name.split(".").pop()).sort()).toEqual(["ec2messages", "logs", "ssm", "ssmmessages"]);
  });

  test.each(["dev-eu-west-1", "staging-eu-west-1"])("%s: a VPC where nothing runs keeps the free gateway endpoints only, and no endpoint security group", (name) => {
    const json = synth(stacks.get(name)!);
    const endpoints = resources(json, "aws_vpc_endpoint");
    expect(endpoints.map((e) => e.vpc_endpoint_type)).toEqual(["Gateway", "Gateway"]);
    expect(resources(json, "aws_security_group").map((g) => g.name)).not.toContain(`replica-${name}-endpoints`);
    expect(resources(json, "aws_vpc_security_group_egress_rule").filter((r) => r.description === "HTTPS to the interface VPC endpoints")).toEqual([]);
  });

  test("the endpoint security group accepts HTTPS from the VPC block only", () => {
    const json = dev();
    const endpointGroup = addressOf(json, "aws_security_group", (g) => g.name === "replica-dev-us-east-1-endpoints");
    const rules = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === `\${${endpointGroup}.id}`);
    expect(rules).toEqual([expect.objectContaining({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.10.0.0/16" })]);
  });
});

describe("security groups", () => {
  const groupRules = (json: any, type: string, groupName: string) => {
    const group = addressOf(json, "aws_security_group", (g) => g.name === groupName);
    return resources(json, type).filter((r) => r.security_group_id === `\${${group}.id}`);
  };

  test("no security group carries inline rules", () => {
    expect(resources(dev(), "aws_security_group").every((g) => g.ingress === undefined && g.egress === undefined)).toBe(true);
  });

  test("by default the database ports open to the environment's own Lambda group only", () => {
    const json = dev();
    const lambda = addressOf(json, "aws_security_group", (g) => g.name === "replica-dev-us-east-1-lambda");
    const rules = groupRules(json, "aws_vpc_security_group_ingress_rule", "replica-dev-us-east-1-database");
    const sources = rules.map((r) => `${r.from_port}<-${r.referenced_security_group_id ?? r.cidr_ipv4}`).sort();
    expect(sources).toEqual([`3306<-\${${lambda}.id}`, `5432<-\${${lambda}.id}`]);
  });

  test.each(["dev", "staging", "prod"].flatMap((env) => [`${env}-us-east-1`, `${env}-eu-west-1`]))(
    "%s: by default nothing in a peered VPC reaches any database (no VPC-block rule, no cross-account rule)",
    (name) => {
      const json = synth(stacks.get(name)!);
      const ingress = resources(json, "aws_vpc_security_group_ingress_rule");
      const [own] = resources(json, "aws_vpc").map((v) => v.cidr_block);
      // The same environment's other region is not a peer: with DR its functions reach the DR
      // databases (dr-orientation.test.ts, "the database functions reach the writer in the DR region").
      const ownOtherRegion = name.startsWith("prod-us-east-1") ? "10.31.0.0/16" : undefined;
      const ownSubnet = (cidr: string) => /^\$\{aws_subnet\.network_private-\d_[^.]+\.cidr_block\}$/.test(cidr);
      // The only block in any rule is the stack's own VPC (HTTPS to its interface endpoints).
      expect(ingress.filter((r) => r.cidr_ipv4 !== undefined && r.cidr_ipv4 !== own && !ownSubnet(r.cidr_ipv4))).toEqual([]);
      expect(ingress.filter((r) => String(r.referenced_security_group_id).includes("/") || r.provider === "aws.next")).toEqual([]);
      expect(resources(json, "aws_vpc_security_group_egress_rule").filter((r) => (r.cidr_ipv4 !== undefined && r.cidr_ipv4 !== ownOtherRegion) || String(r.referenced_security_group_id).includes("/"))).toEqual([]);
    },
  );

  test("Lambda egress reaches only the databases and the endpoints", () => {
    const json = dev();
    const egress = groupRules(json, "aws_vpc_security_group_egress_rule", "replica-dev-us-east-1-lambda");
    const s3 = addressOf(json, "aws_vpc_endpoint", (e) => e.service_name === "com.amazonaws.us-east-1.s3");
    const targets = egress.map((r) => `${r.from_port}->${r.referenced_security_group_id ?? r.cidr_ipv4 ?? r.prefix_list_id}`);
    expect(targets).toContain(`443->\${${s3}.prefix_list_id}`);
    expect(egress).toHaveLength(2 + 1 + 2); // own DB ports, endpoints, two prefix lists
    expect(egress.every((r) => r.cidr_ipv4 === undefined && r.ip_protocol === "tcp" && r.from_port === r.to_port)).toBe(true);
  });
});

describe("database access across peering (network.peerDatabaseAccess)", () => {
  // GIVEN prod admits its peers' database functions
  const admitting = buildStacks((raw) => (raw.environments[2].network.peerDatabaseAccess = true));
  const stagingJson = () => synth(admitting.get("staging-us-east-1")!);

  test("staging's stack opens prod's database group to staging's database functions only, by security group reference", () => {
    const json = stagingJson();
    const lambda = addressOf(json, "aws_security_group", (g) => g.name === "replica-staging-us-east-1-lambda");
    const [prodDatabases] = dataSources(json, "aws_security_group").filter((d) => JSON.stringify(d.filter).includes("replica-prod-us-east-1-database"));
    expect(prodDatabases.provider).toBe("aws.next");
    expect(prodDatabases.filter).toEqual([
      { name: "vpc-id", values: [expect.stringMatching(/^\$\{data\.aws_vpc\.peering-next_peer-vpc[^.]*\.id\}$/)] },
      { name: "group-name", values: ["replica-prod-us-east-1-database"] },
    ]);
    const ingress = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.provider === "aws.next");
    expect(ingress.map((r) => [r.from_port, r.referenced_security_group_id]).sort()).toEqual([
      [3306, `222222222222/\${${lambda}.id}`],
      [5432, `222222222222/\${${lambda}.id}`],
    ]);
    expect(ingress.every((r) => /data\.aws_security_group\./.test(r.security_group_id) && r.cidr_ipv4 === undefined && r.depends_on.some((d: string) => d.startsWith("aws_vpc_peering_connection_accepter.")))).toBe(true);
    // And the matching egress of staging's functions, to prod's database group only.
    const egress = resources(json, "aws_vpc_security_group_egress_rule").filter((r) => String(r.referenced_security_group_id).startsWith("333333333333/"));
    expect(egress.map((r) => r.from_port).sort()).toEqual([3306, 5432]);
  });

  test("the other direction stays closed: staging's databases do not admit prod's functions", () => {
    const json = stagingJson();
    const rules = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.provider !== "aws.next");
    expect(rules.filter((r) => String(r.referenced_security_group_id).includes("/"))).toEqual([]);
    expect(dataSources(json, "aws_security_group").filter((d) => JSON.stringify(d.filter).includes("-lambda"))).toEqual([]);
  });

  test("nothing of dev (not prod's neighbour) reaches prod's databases", () => {
    const json = synth(admitting.get("dev-us-east-1")!);
    expect(JSON.stringify(json.resource?.aws_vpc_security_group_ingress_rule ?? {})).not.toContain("333333333333");
    expect(JSON.stringify(json.data?.aws_security_group ?? {})).not.toContain("replica-prod");
  });

  test("an environment that admits its peers admits the downstream peer's functions too, created by its own stack", () => {
    const both = buildStacks((raw) => (raw.environments[1].network.peerDatabaseAccess = true));
    const json = synth(both.get("staging-us-east-1")!);
    const [prodFunctions] = dataSources(json, "aws_security_group").filter((d) => JSON.stringify(d.filter).includes("replica-prod-us-east-1-lambda"));
    const database = addressOf(json, "aws_security_group", (g) => g.name === "replica-staging-us-east-1-database");
    const ingress = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === `\${${database}.id}` && String(r.referenced_security_group_id).includes("/"));
    expect(ingress.map((r) => r.referenced_security_group_id)).toEqual(expect.arrayContaining([expect.stringMatching(/^333333333333\/\$\{data\.aws_security_group\./)]));
    expect(prodFunctions.provider).toBe("aws.next");
    // dev's stack (staging's upstream neighbour) opens staging's databases to dev's functions.
    const devJson = synth(both.get("dev-us-east-1")!);
    expect(resources(devJson, "aws_vpc_security_group_ingress_rule").filter((r) => r.provider === "aws.next").map((r) => r.referenced_security_group_id)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^111111111111\/\$\{aws_security_group\./)]),
    );
  });
});

describe("flow logs", () => {
  test("the VPC's flow logs go to an encrypted log group with retention", () => {
    const json = dev();
    const [group] = resources(json, "aws_cloudwatch_log_group").filter((g) => g.name === "/vpc/replica-dev-us-east-1-flow-logs");
    expect(group.kms_key_id).toMatch(/aws_kms_key\./);
    expect(group.retention_in_days).toBe(90);
    expect(resources(json, "aws_flow_log")).toEqual([expect.objectContaining({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" })]);
  });

  test("the flow-log role trusts the service for this account only and writes only its log group", () => {
    const json = dev();
    const [role] = resources(json, "aws_iam_role").filter((r) => r.name === "replica-dev-us-east-1-vpc-flow-logs");
    const trust = parseJsonAttribute(role.assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Service: ["vpc-flow-logs.amazonaws.com"] });
    expect(trust.Condition.StringEquals["aws:SourceAccount"]).toEqual(["111111111111"]);
    const [policy] = resources(json, "aws_iam_role_policy").filter((p) => p.name === "deliver-flow-logs");
    const statement = parseJsonAttribute(policy.policy).Statement[0];
    expect(statement.Action).toEqual(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]);
    expect(statement.Resource.every((r: string) => r.includes("aws_cloudwatch_log_group."))).toBe(true);
  });
});

describe("peering between neighbours", () => {
  test("the upstream stack requests peering with the next environment's VPC, found by Name tag through the next provider", () => {
    const json = dev();
    const [peerVpc] = dataSources(json, "aws_vpc");
    expect(peerVpc).toEqual(expect.objectContaining({ provider: "aws.next", cidr_block: "10.20.0.0/16", tags: { Name: "replica-staging-us-east-1-vpc" } }));
    const [connection] = resources(json, "aws_vpc_peering_connection");
    expect(connection.peer_owner_id).toBe("222222222222");
    expect(connection.auto_accept).toBeUndefined();
  });

  test("the accepter side is created in the same stack through the next provider and auto-accepts", () => {
    const [accepter] = resources(dev(), "aws_vpc_peering_connection_accepter");
    expect(accepter).toEqual(expect.objectContaining({ provider: "aws.next", auto_accept: true }));
  });

  test("both sides resolve each other's private DNS names", () => {
    const options = resources(dev(), "aws_vpc_peering_connection_options");
    expect(options).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ requester: { allow_remote_vpc_dns_resolution: true } }),
        expect.objectContaining({ provider: "aws.next", accepter: { allow_remote_vpc_dns_resolution: true } }),
      ]),
    );
  });

  test("routes are added on both sides: requester tables to the peer, the peer's private tables back", () => {
    const routes = resources(dev(), "aws_route");
    const requester = routes.filter((r) => r.provider === undefined);
    expect(requester.map((r) => r.destination_cidr_block)).toEqual(["10.20.0.0/16", "10.20.0.0/16"]);
    const [accepter] = routes.filter((r) => r.provider === "aws.next");
    expect(accepter.destination_cidr_block).toBe("10.10.0.0/16");
    expect(accepter.for_each).toMatch(/data\.aws_route_tables\./);
    const [tables] = dataSources(dev(), "aws_route_tables");
    expect(tables).toEqual(expect.objectContaining({ provider: "aws.next", tags: { Tier: "private" } }));
  });

  test("peering is built in the DR region as well", () => {
    const [peerVpc] = dataSources(synth(stacks.get("staging-eu-west-1")!), "aws_vpc");
    expect(peerVpc.tags).toEqual({ Name: "replica-prod-eu-west-1-vpc" });
    expect(resources(synth(stacks.get("staging-eu-west-1")!), "aws_vpc_peering_connection")).toHaveLength(1);
  });

  test("the last environment requests no peering (its upstream neighbour does)", () => {
    // Its only peering is with its own DR region (peer_region set), for the global databases.
    const neighbours = resources(synth(stacks.get("prod-us-east-1")!), "aws_vpc_peering_connection").filter((c) => c.peer_region === undefined);
    expect(neighbours).toHaveLength(0);
  });
});

test("the subnet IDs and VPC ID are outputs", () => {
  const outputs = dev().output;
  expect(outputs.vpc_id.description).toMatch(/VPC of dev in us-east-1/);
  expect(outputs.private_subnet_ids.value).toHaveLength(2);
  expect(synthText(stacks.get("dev-us-east-1")!)).toHaveResource(Subnet);
});
