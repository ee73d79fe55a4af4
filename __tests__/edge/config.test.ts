import { validateConfig } from "../../src/config/validate";
import { exampleRaw, problemsOf } from "../helpers/config";

const PROD = 2; // index of prod in the built-in example's environments
const CERT = (region: string) => `arn:aws:acm:${region}:333333333333:certificate/11111111-2222-3333-4444-555555555555`;

/** Problems of the example with prod's edgeTier replaced by `edgeTier`. */
function problems(edgeTier: unknown): readonly string[] {
  const raw = exampleRaw();
  raw.environments[PROD].edgeTier = edgeTier;
  return problemsOf(validateConfig, raw);
}
const at = (field: string) => `environments[${PROD}].edgeTier.${field}`;

describe("edgeTier defaults", () => {
  test("off unless configured; {} turns it on with documented defaults", () => {
    const raw = exampleRaw();
    delete raw.environments[PROD].edgeTier;
    raw.environments[0].edgeTier = {};
    const config = validateConfig(raw);
    expect(config.environments[PROD].edgeTier).toBeUndefined();
    expect(config.environments[1].edgeTier).toBeUndefined();
    expect(config.environments[0].edgeTier).toEqual({
      instanceType: "t3.micro",
      minSize: 2,
      maxSize: 4,
      desiredCapacity: 2,
      applicationPort: 8080,
      healthCheckPath: "/health",
      rootVolumeGiB: 20,
      artifactsPrefix: "app/",
      logRetentionDays: 30,
      priceClass: "PriceClass_100",
      domainNames: [],
      originSecretVersion: 1,
    });
  });

  test("the built-in example turns it on for the last environment of the promotion order only", () => {
    const config = validateConfig(exampleRaw());
    expect(config.environments.map((e) => [e.name, e.edgeTier !== undefined])).toEqual([["dev", false], ["staging", false], ["prod", true]]);
  });

  test("minSize 0 and desiredCapacity 0 are allowed (?? keeps zero)", () => {
    const config = validateConfig((() => { const raw = exampleRaw(); raw.environments[PROD].edgeTier = { minSize: 0, desiredCapacity: 0 }; return raw; })());
    expect(config.environments[PROD].edgeTier).toMatchObject({ minSize: 0, desiredCapacity: 0, maxSize: 4 });
  });
});

describe("bad edgeTier input is listed by path", () => {
  test("minSize above maxSize", () => {
    expect(problems({ minSize: 5, maxSize: 3 })).toEqual([`${at("minSize")}: 5 is above maxSize 3; an Auto Scaling group needs minSize <= maxSize`]);
  });

  test("desiredCapacity outside the bounds", () => {
    expect(problems({ minSize: 2, maxSize: 3, desiredCapacity: 4 })).toEqual([`${at("desiredCapacity")}: 4 must be between minSize 2 and maxSize 3`]);
  });

  test.each(["t3", "T3.micro", "micro", "t3.", "t3 micro"])("malformed instance type %p", (instanceType) => {
    expect(problems({ instanceType })).toEqual([expect.stringMatching(new RegExp(`^${at("instanceType").replace(/[[\].]/g, "\\$&")}: must be an EC2 instance type`))]);
  });

  test.each(["ami-123", "ami-0123456789ABCDEF0", "0123456789abcdef0"])("malformed AMI id %p", (id) => {
    expect(problems({ amiIds: { "us-east-1": id, "eu-west-1": "ami-0123456789abcdef0" } })).toEqual([`${at("amiIds.us-east-1")}: must be an AMI id such as ami-0123456789abcdef0, not "${id}"`]);
  });

  test("an AMI id is needed for each region, and only the platform's regions are known", () => {
    expect(problems({ amiIds: { "us-east-1": "ami-0123456789abcdef0", "us-west-2": "ami-0123456789abcdef0" } })).toEqual([
      expect.stringMatching(/amiIds\.us-west-2: is not a known field/),
      `${at("amiIds.eu-west-1")}: is required: AMI ids are regional, so name one for the primary and the DR region`,
    ]);
  });

  test("a certificate outside us-east-1 for CloudFront", () => {
    expect(problems({ domainNames: ["www.example.com"], certificateArn: CERT("eu-west-1") })).toEqual([
      `${at("certificateArn")}: is in eu-west-1, not us-east-1: CloudFront only uses certificates in us-east-1; request or import it there`,
    ]);
  });

  test("a custom domain without a certificate, and a certificate without a domain", () => {
    expect(problems({ domainNames: ["www.example.com"] })).toEqual([expect.stringContaining(`${at("certificateArn")}: is required with domainNames`)]);
    expect(problems({ certificateArn: CERT("us-east-1") })).toEqual([expect.stringContaining(`${at("domainNames")}: must name the domains the certificate is for`)]);
  });

  test("a malformed domain name, web ACL or price class", () => {
    expect(problems({ domainNames: ["WWW.example.com"], certificateArn: CERT("us-east-1"), webAclArn: "arn:aws:wafv2:eu-west-1:333333333333:regional/webacl/x/y", priceClass: "PriceClass_50" })).toEqual([
      expect.stringMatching(/domainNames\[0\]: must be a lowercase DNS name/),
      expect.stringMatching(/webAclArn: must be the ARN of a WAFv2 web ACL of scope CLOUDFRONT/),
      expect.stringMatching(/priceClass: must be one of "PriceClass_100", "PriceClass_200", "PriceClass_All", not "PriceClass_50"/),
    ]);
  });

  test("originTls needs both regions, each certificate in its own region", () => {
    expect(problems({ originTls: { "us-east-1": { domainName: "o.example.com", certificateArn: CERT("eu-west-1") } } })).toEqual([
      `${at("originTls.us-east-1.certificateArn")}: is in eu-west-1, not us-east-1: a load balancer only uses certificates of its own region`,
      `${at("originTls.eu-west-1")}: is required: CloudFront fails over between both regions' load balancers, so both need TLS`,
    ]);
  });

  test("a misspelt field is named, with a suggestion", () => {
    expect(problems({ instanceTyp: "t3.micro" })).toEqual([`${at("instanceTyp")}: is not a known field (did you mean "instanceType"?)`]);
  });
});
