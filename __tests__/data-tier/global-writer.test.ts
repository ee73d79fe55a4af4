import { parseJsonAttribute } from "../../src/json-attribute";
import { buildStacks, resources, synth } from "./helpers";

// GIVEN the example: prod has global databases (primary us-east-1, secondary eu-west-1), dev has none
const stacks = buildStacks();
const prod = () => synth(stacks.get("prod-us-east-1")!);
const globalEndpoint = (name: string) => new RegExp(`^\\$\\{aws_rds_global_cluster\\.database-${name}_global_[^.]+\\.endpoint\\}$`);

describe("the global writer endpoint", () => {
  test("is the writer endpoint in the SSM hierarchy of both regions, and has its own parameter", () => {
    const params = resources(prod(), "aws_ssm_parameter");
    const writer = params.filter((p) => p.name === "/app/prod/db/ledger/writer-endpoint");
    // one per region: the default provider (primary) and the other-region provider (DR)
    expect(writer.map((p) => p.provider ?? "primary").sort()).toEqual(["aws.other_region", "primary"]);
    for (const p of writer) expect(p.value).toMatch(globalEndpoint("ledger"));
    const explicit = params.filter((p) => p.name === "/app/prod/db/catalog/global-writer-endpoint");
    expect(explicit).toHaveLength(2);
    for (const p of explicit) expect(p.value).toMatch(globalEndpoint("catalog"));
  });

  test("is an output of the primary-region stack", () => {
    const outputs = prod().output;
    expect(outputs.db_ledger_global_writer_endpoint.value).toMatch(globalEndpoint("ledger"));
    expect(outputs.db_ledger_writer_endpoint.value).toMatch(globalEndpoint("ledger"));
  });

  test("is where the database functions connect", () => {
    const functions = resources(prod(), "aws_lambda_function");
    const schemaSync = functions.find((f) => f.function_name === "replica-prod-schema-sync");
    const hosts = parseJsonAttribute(schemaSync.environment.variables.DATABASES).map((d: any) => d.host);
    expect(hosts).toHaveLength(2);
    for (const host of hosts) expect(host).toMatch(/^\$\{aws_rds_global_cluster\.database-(ledger|catalog)_global_[^.]+\.endpoint\}$/);
  });

  test("a regional cluster's writer endpoint stays its cluster endpoint", () => {
    const params = resources(synth(stacks.get("dev-us-east-1")!), "aws_ssm_parameter");
    expect(params.find((p) => p.name === "/app/dev/db/ledger/writer-endpoint").value).toMatch(/^\$\{aws_rds_cluster\.[^.]+\.endpoint\}$/);
    expect(params.some((p) => p.name.endsWith("/global-writer-endpoint"))).toBe(false);
  });
});

describe("the database functions reach the writer in the DR region", () => {
  test("the primary VPC peers with the environment's DR VPC, accepted automatically in the DR region", () => {
    const json = prod();
    const [connection] = resources(json, "aws_vpc_peering_connection").filter((c) => c.peer_region === "eu-west-1");
    expect(connection).toEqual(expect.objectContaining({ peer_owner_id: "333333333333", tags: { Name: "replica-prod-us-east-1-to-eu-west-1", Side: "requester" } }));
    const accepter = resources(json, "aws_vpc_peering_connection_accepter").find((a) => a.provider === "aws.other_region");
    expect(accepter.auto_accept).toBe(true);
  });

  test("routes go both ways: primary private tables to the DR block, DR private tables to the primary block", () => {
    const routes = resources(prod(), "aws_route");
    expect(routes.filter((r) => r.destination_cidr_block === "10.31.0.0/16" && r.provider === undefined)).toHaveLength(2);
    expect(routes.filter((r) => r.destination_cidr_block === "10.30.0.0/16" && r.provider === "aws.other_region")).toHaveLength(1); // for_each over the DR tables
  });

  test("only the database ports are opened, from the primary's private subnets to the DR database group", () => {
    const json = prod();
    const ingress = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.provider === "aws.other_region");
    expect(ingress.map((r) => `${r.from_port}-${r.to_port}`).sort()).toEqual(["3306-3306", "3306-3306", "5432-5432", "5432-5432"]);
    for (const r of ingress) {
      expect(r.security_group_id).toMatch(/data\.aws_security_group\.dr-region_database-security-group/);
      expect(r.cidr_ipv4).toMatch(/^\$\{aws_subnet\.network_private-\d_[^.]+\.cidr_block\}$/);
    }
    const egress = resources(json, "aws_vpc_security_group_egress_rule").filter((r) => r.cidr_ipv4 === "10.31.0.0/16");
    expect(egress.map((r) => r.from_port).sort()).toEqual([3306, 5432]);
    expect(egress.every((r) => /aws_security_group\.security-groups_lambda/.test(r.security_group_id))).toBe(true);
  });

  test("an environment without DR has no inter-region peering", () => {
    const json = synth(stacks.get("dev-us-east-1")!);
    expect(resources(json, "aws_vpc_peering_connection").filter((c) => c.peer_region !== undefined)).toEqual([]);
  });
});
