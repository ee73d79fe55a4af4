import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { addressOf, buildStacks, DR, only, PRIMARY, resources, statements, synth, synthText, withEdgeTier } from "./helpers";

// GIVEN the built-in example: prod runs the application (t3.small, 2 to 4 instances) in both regions
const stacks = buildStacks();

describe.each([PRIMARY, DR])("the application tier of %s", (name) => {
  const json = () => synth(stacks.get(name)!);
  const region = name.slice("prod-".length);

  test("the launch template requires IMDSv2 with hop limit 1, encrypts a gp3 root volume with the region's key, and has no key pair", () => {
    const key = addressOf(json(), "aws_kms_key", () => true);
    expect(synthText(stacks.get(name)!)).toHaveResourceWithProperties(LaunchTemplate, {
      instance_type: "t3.small",
      image_id: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      metadata_options: { http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1, instance_metadata_tags: "disabled" },
      block_device_mappings: [{ device_name: "/dev/xvda", ebs: { volume_size: 20, volume_type: "gp3", encrypted: "true", kms_key_id: `\${${key}.arn}`, delete_on_termination: "true" } }],
    });
    expect(only(stacks.get(name)!, "aws_launch_template").key_name).toBeUndefined();
  });

  test("the Auto Scaling group spans the private subnets with the configured sizes and replaces instances the load balancer finds unhealthy", () => {
    const privateSubnets = Object.entries(json().resource.aws_subnet).filter(([, s]: any) => s.tags.Tier === "private").map(([id]) => `\${aws_subnet.${id}.id}`);
    const targetGroup = addressOf(json(), "aws_lb_target_group", () => true);
    expect(synthText(stacks.get(name)!)).toHaveResourceWithProperties(AutoscalingGroup, {
      name: "replica-prod-app",
      vpc_zone_identifier: privateSubnets,
      min_size: 2,
      max_size: 4,
      desired_capacity: 2,
      target_group_arns: [`\${${targetGroup}.arn}`],
      health_check_type: "ELB",
    });
  });

  test("the load balancer is internet-facing in the public subnets, drops invalid headers and logs to the edge log bucket", () => {
    const publicSubnets = Object.entries(json().resource.aws_subnet).filter(([, s]: any) => s.tags.Tier === "public").map(([id]) => `\${aws_subnet.${id}.id}`);
    const logBucket = addressOf(json(), "aws_s3_bucket", (b) => b.bucket === `replica-prod-edge-logs-333333333333-${region}`);
    expect(synthText(stacks.get(name)!)).toHaveResourceWithProperties(Lb, {
      internal: false,
      load_balancer_type: "application",
      subnets: publicSubnets,
      drop_invalid_header_fields: true,
      enable_deletion_protection: true,
      access_logs: { bucket: `\${${logBucket}.bucket}`, prefix: "alb", enabled: true },
    });
  });

  test("without originTls the listener is HTTP on 80 and answers 403 unless a rule admits the request", () => {
    expect(synthText(stacks.get(name)!)).toHaveResourceWithProperties(LbListener, {
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "fixed-response", fixed_response: { content_type: "text/plain", status_code: "403", message_body: "Forbidden" } }],
    });
  });

  test("the load balancer admits only CloudFront's origin-facing prefix list; the instances only the load balancer", () => {
    const groups = json().resource.aws_security_group;
    const albGroup = Object.keys(groups).find((id) => groups[id].name === `replica-prod-${region}-app-alb`)!;
    const instanceGroup = Object.keys(groups).find((id) => groups[id].name === `replica-prod-${region}-app-instances`)!;
    const prefixList = Object.entries(json().data.aws_ec2_managed_prefix_list).find(([, p]: any) => p.name === "com.amazonaws.global.cloudfront.origin-facing")![0];
    const ingress = resources(json(), "aws_vpc_security_group_ingress_rule");
    expect(ingress.filter((r) => r.security_group_id === `\${aws_security_group.${albGroup}.id}`)).toEqual([
      expect.objectContaining({ prefix_list_id: `\${data.aws_ec2_managed_prefix_list.${prefixList}.id}`, from_port: 80, to_port: 80, ip_protocol: "tcp" }),
    ]);
    expect(ingress.filter((r) => r.security_group_id === `\${aws_security_group.${instanceGroup}.id}`)).toEqual([
      expect.objectContaining({ referenced_security_group_id: `\${aws_security_group.${albGroup}.id}`, from_port: 8080, to_port: 8080 }),
    ]);
  });

  test("the instances reach the environment's database ports, the interface endpoints and S3, and nothing else", () => {
    const groups = json().resource.aws_security_group;
    const id = (groupName: string) => `\${aws_security_group.${Object.keys(groups).find((k) => groups[k].name === groupName)}.id}`;
    const egress = resources(json(), "aws_vpc_security_group_egress_rule").filter((r) => r.security_group_id === id(`replica-prod-${region}-app-instances`));
    expect(egress.map((r) => [r.from_port, r.referenced_security_group_id ?? r.prefix_list_id]).sort()).toEqual(
      [
        [3306, id(`replica-prod-${region}-database`)],
        [443, id(`replica-prod-${region}-endpoints`)],
        [443, expect.stringMatching(/aws_vpc_endpoint\.endpoints_s3_.*\.prefix_list_id/)],
        [5432, id(`replica-prod-${region}-database`)],
      ].sort(),
    );
    expect(egress.every((r) => r.cidr_ipv4 === undefined)).toBe(true);
    // And the database group admits them on those ports.
    const dbIngress = resources(json(), "aws_vpc_security_group_ingress_rule").filter((r) => r.referenced_security_group_id === id(`replica-prod-${region}-app-instances`));
    expect(dbIngress.map((r) => r.from_port).sort()).toEqual([3306, 5432]);
  });

  test("the instance role has Session Manager, its parameters, its artifacts prefix and its log group, and nothing else", () => {
    const policy = resources(json(), "aws_iam_role_policy").find((p) => p.name === "application");
    const s = statements(policy.policy);
    expect(Object.keys(s).sort()).toEqual(["DecryptThroughServices", "ListArtifacts", "ReadArtifacts", "ReadOwnParameters", "SessionManager", "WriteOwnLogs"]);
    expect(s.ReadOwnParameters.Resource).toEqual([`arn:aws:ssm:${region}:333333333333:parameter/app/prod/*`]);
    expect(s.ReadArtifacts.Resource).toEqual([`arn:aws:s3:::replica-prod-artifacts-333333333333-${region}/app/*`]);
    expect(s.WriteOwnLogs.Resource).toEqual([`arn:aws:logs:${region}:333333333333:log-group:/replica/prod/app`, `arn:aws:logs:${region}:333333333333:log-group:/replica/prod/app:log-stream:*`]);
    expect(s.DecryptThroughServices.Condition.StringEquals["kms:ViaService"]).toEqual([`ssm.${region}.amazonaws.com`, `s3.${region}.amazonaws.com`]);
    expect(s.SessionManager.Action).toEqual(expect.arrayContaining(["ssmmessages:OpenDataChannel", "ec2messages:GetMessages", "ssm:UpdateInstanceInformation"]));
    const profile = only(stacks.get(name)!, "aws_iam_instance_profile");
    expect(only(stacks.get(name)!, "aws_launch_template").iam_instance_profile.arn).toBe(`\${${addressOf(json(), "aws_iam_instance_profile", (p) => p === profile)}.arn}`);
  });

  test("Auto Scaling's service-linked role may use the key for the volumes, creating grants only for AWS resources", () => {
    const key = statements(only(stacks.get(name)!, "aws_kms_key").policy);
    const slr = "arn:aws:iam::333333333333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    expect(key.AutoScalingEncryptsVolumes.Condition).toEqual({ ArnEquals: { "aws:PrincipalArn": [slr] } });
    expect(key.AutoScalingGrantsToEc2).toMatchObject({ Action: ["kms:CreateGrant"], Condition: { Bool: { "kms:GrantIsForAWSResource": true }, ArnEquals: { "aws:PrincipalArn": [slr] } } });
  });
});

describe("origin verification: the secret header", () => {
  const json = () => synth(stacks.get(PRIMARY)!);

  test("the value is drawn once by Terraform (uuid, input ignored afterwards) and replaced when originSecretVersion changes", () => {
    const [secret] = resources(json(), "terraform_data");
    expect(secret).toMatchObject({ input: { value: "${uuid()}" }, lifecycle: { ignore_changes: ["input"] }, triggers_replace: { version: 1 } });
    const raised = withEdgeTier((edge) => (edge.originSecretVersion = 2));
    expect(resources(synth(raised.get(PRIMARY)!), "terraform_data")[0].triggers_replace).toEqual({ version: 2 });
  });

  test("the primary stack's rules admit requests with the header on both regions' listeners (the DR one found by name)", () => {
    const secret = `\${sensitive(terraform_data.${Object.keys(json().resource.terraform_data)[0]}.output.value)}`;
    const rules = resources(json(), "aws_lb_listener_rule");
    const listener = addressOf(json(), "aws_lb_listener", () => true);
    const drListener = Object.keys(json().data.aws_lb_listener)[0];
    expect(json().data.aws_lb_listener[drListener]).toMatchObject({ port: 80, provider: "aws.other_region" });
    expect(rules.map((r) => [r.listener_arn, r.provider])).toEqual(
      expect.arrayContaining([
        [`\${${listener}.arn}`, undefined],
        [`\${data.aws_lb_listener.${drListener}.arn}`, "aws.other_region"],
      ]),
    );
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.condition).toEqual([{ http_header: { http_header_name: "X-Origin-Verify", values: [secret] } }]);
      expect(rule.action[0].type).toBe("forward");
    }
    // The DR-region stack has no rule of its own: it deploys first, and the primary stack adds it.
    expect(resources(synth(stacks.get(DR)!), "aws_lb_listener_rule")).toHaveLength(0);
  });
});

describe("configured variants", () => {
  test("originTls makes each region's listener HTTPS on 443 with its certificate and a TLS 1.2+ policy", () => {
    const cert = (region: string) => `arn:aws:acm:${region}:333333333333:certificate/11111111-2222-3333-4444-555555555555`;
    const tls = withEdgeTier((edge) => {
      edge.originTls = { "us-east-1": { domainName: "o1.example.com", certificateArn: cert("us-east-1") }, "eu-west-1": { domainName: "o2.example.com", certificateArn: cert("eu-west-1") } };
    });
    for (const [name, region] of [[PRIMARY, "us-east-1"], [DR, "eu-west-1"]]) {
      expect(synthText(tls.get(name)!)).toHaveResourceWithProperties(LbListener, { port: 443, protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificate_arn: cert(region) });
      expect(resources(synth(tls.get(name)!), "aws_vpc_security_group_ingress_rule").filter((r) => r.prefix_list_id).map((r) => r.from_port)).toEqual([443]);
    }
    expect(Object.values(synth(tls.get(PRIMARY)!).data.aws_lb_listener)[0]).toMatchObject({ port: 443 });
  });

  test("amiIds, a Graviton instance type and sizes from the configuration", () => {
    const custom = withEdgeTier((edge) => {
      Object.assign(edge, { instanceType: "t4g.medium", minSize: 3, maxSize: 6, desiredCapacity: 4 });
    });
    expect(only(custom.get(PRIMARY)!, "aws_launch_template").image_id).toBe("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
    expect(only(custom.get(DR)!, "aws_autoscaling_group")).toMatchObject({ min_size: 3, max_size: 6, desired_capacity: 4 });
    const pinned = withEdgeTier((edge) => (edge.amiIds = { "us-east-1": "ami-0123456789abcdef0", "eu-west-1": "ami-0fedcba9876543210" }));
    expect(only(pinned.get(PRIMARY)!, "aws_launch_template").image_id).toBe("ami-0123456789abcdef0");
    expect(only(pinned.get(DR)!, "aws_launch_template").image_id).toBe("ami-0fedcba9876543210");
  });
});
