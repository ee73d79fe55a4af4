/** Validation of `environments[].edgeTier` (docs/configuration.md, docs/edge-tier.md). */
import { subnetSlots } from "../network/subnets";
import { parseCidr, type Ipv4Block } from "./cidr";
import { childPath, indexPath, readArray, readNumber, readObject, readString, type Problems } from "./reader";
import type { EdgeTierConfig, NetworkConfig, OriginTlsConfig, PriceClass } from "./types";

const EDGE_TIER_FIELDS = [
  "instanceType", "amiIds", "minSize", "maxSize", "desiredCapacity", "applicationPort", "healthCheckPath", "rootVolumeGiB",
  "artifactsPrefix", "logRetentionDays", "priceClass", "webAclArn", "domainNames", "certificateArn", "originTls", "originSecretVersion",
];

/** `t3.micro`, `m7g.large`, `c6in.2xlarge`, `u-6tb1.metal`: a family with a generation digit, a dot, a size. */
const INSTANCE_TYPE = { pattern: /^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9-]+$/, patternMessage: "must be an EC2 instance type such as t3.micro or m7g.large" };
const AMI_ID = { pattern: /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, patternMessage: "must be an AMI id such as ami-0123456789abcdef0" };
const DOMAIN_NAME = { pattern: /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, patternMessage: "must be a lowercase DNS name such as www.example.com" };
const PRICE_CLASSES: readonly PriceClass[] = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];

/** CloudFront only uses ACM certificates and WAF web ACLs of us-east-1. */
export const CLOUDFRONT_REGION = "us-east-1";

export interface EdgeTierContext {
  /** Primary and DR region; undefined when either cannot be read (their checks are skipped). */
  readonly regions: readonly string[] | undefined;
  /** The environment's network, when it read cleanly: the public subnets must fit next to the private ones. */
  readonly network: NetworkConfig | undefined;
  /** Retention periods CloudWatch Logs accepts. */
  readonly logRetentionDays: readonly number[];
}

/** Reads the edge tier of one environment; undefined (off) when the field is absent. */
export function readEdgeTier(p: Problems, path: string, value: unknown, context: EdgeTierContext): EdgeTierConfig | undefined {
  if (value === undefined) return undefined;
  const raw = readObject(p, path, value, EDGE_TIER_FIELDS);
  if (!raw) return undefined;
  const at = (field: string) => childPath(path, field);

  const instanceType = readString(p, at("instanceType"), raw.instanceType, INSTANCE_TYPE) ?? "t3.micro";
  const minSize = readNumber(p, at("minSize"), raw.minSize, { integer: true, min: 0, max: 100 }) ?? 2;
  const maxSize = readNumber(p, at("maxSize"), raw.maxSize, { integer: true, min: 1, max: 100 }) ?? Math.max(4, minSize);
  if (minSize > maxSize) p.add(at("minSize"), `${minSize} is above maxSize ${maxSize}; an Auto Scaling group needs minSize <= maxSize`);
  const desiredCapacity = readNumber(p, at("desiredCapacity"), raw.desiredCapacity, { integer: true, min: 0, max: 100 }) ?? minSize;
  if (raw.desiredCapacity !== undefined && minSize <= maxSize && (desiredCapacity < minSize || desiredCapacity > maxSize)) {
    p.add(at("desiredCapacity"), `${desiredCapacity} must be between minSize ${minSize} and maxSize ${maxSize}`);
  }
  const certificateArn = readCertificateArn(p, at("certificateArn"), raw.certificateArn, CLOUDFRONT_REGION, "CloudFront only uses certificates in us-east-1; request or import it there");
  const domainList = readArray(p, at("domainNames"), raw.domainNames) ?? [];
  const domainNames = domainList
    .map((entry, i) => readString(p, indexPath(at("domainNames"), i), entry, DOMAIN_NAME))
    .filter((name): name is string => name !== undefined);
  if (domainNames.length > 0 && raw.certificateArn === undefined) p.add(at("certificateArn"), "is required with domainNames: CloudFront serves a custom domain only with an ACM certificate (in us-east-1) that covers it");
  if (raw.certificateArn !== undefined && domainList.length === 0) p.add(at("domainNames"), "must name the domains the certificate is for; without them CloudFront serves only its cloudfront.net name");
  const webAclArn = readString(p, at("webAclArn"), raw.webAclArn, {
    pattern: /^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/,
    patternMessage: "must be the ARN of a WAFv2 web ACL of scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)",
  });

  const config: EdgeTierConfig = {
    instanceType,
    ...optional("amiIds", readAmiIds(p, at("amiIds"), raw.amiIds, context.regions)),
    minSize,
    maxSize,
    desiredCapacity,
    applicationPort: readNumber(p, at("applicationPort"), raw.applicationPort, { integer: true, min: 1, max: 65535 }) ?? 8080,
    healthCheckPath: readString(p, at("healthCheckPath"), raw.healthCheckPath, { pattern: /^\/[A-Za-z0-9._~\/-]{0,1023}$/, patternMessage: 'must be a URL path starting with "/", such as "/health"' }) ?? "/health",
    rootVolumeGiB: readNumber(p, at("rootVolumeGiB"), raw.rootVolumeGiB, { integer: true, min: 8, max: 1024 }) ?? 20,
    artifactsPrefix:
      readString(p, at("artifactsPrefix"), raw.artifactsPrefix, {
        pattern: /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/,
        patternMessage: 'must be an S3 key prefix ending in "/" and not starting with "/", such as "app/"',
      }) ?? "app/",
    logRetentionDays: readNumber(p, at("logRetentionDays"), raw.logRetentionDays, { oneOf: context.logRetentionDays }) ?? 30,
    priceClass: (readString(p, at("priceClass"), raw.priceClass, { oneOf: PRICE_CLASSES }) as PriceClass | undefined) ?? "PriceClass_100",
    ...optional("webAclArn", webAclArn),
    domainNames,
    ...optional("certificateArn", certificateArn),
    ...optional("originTls", readOriginTls(p, at("originTls"), raw.originTls, context.regions)),
    originSecretVersion: readNumber(p, at("originSecretVersion"), raw.originSecretVersion, { integer: true, min: 1 }) ?? 1,
  };
  checkPublicSubnetsFit(p, path, context.network);
  return config;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function readCertificateArn(p: Problems, path: string, value: unknown, region: string, hint: string): string | undefined {
  const arn = readString(p, path, value, { pattern: /^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, patternMessage: "must be the ARN of an ACM certificate (arn:aws:acm:<region>:<account>:certificate/<id>)" });
  if (arn === undefined) return undefined;
  const certificateRegion = arn.split(":")[3];
  if (certificateRegion !== region) {
    p.add(path, `is in ${certificateRegion}, not ${region}: ${hint}`);
    return undefined;
  }
  return arn;
}

/** `amiIds`: an id for each of the platform's regions (AMI ids differ between regions). */
function readAmiIds(p: Problems, path: string, value: unknown, regions: readonly string[] | undefined): Record<string, string> | undefined {
  const raw = readObject(p, path, value, regions ?? Object.keys((value as object | null) ?? {}));
  if (!raw) return undefined;
  const ids: Record<string, string> = {};
  for (const region of regions ?? []) {
    if (raw[region] === undefined) p.add(childPath(path, region), "is required: AMI ids are regional, so name one for the primary and the DR region");
    const id = readString(p, childPath(path, region), raw[region], AMI_ID);
    if (id !== undefined) ids[region] = id;
  }
  return regions !== undefined && Object.keys(ids).length === regions.length ? ids : undefined;
}

/** `originTls`: a domain name and a certificate in its region, for each of the platform's regions. */
function readOriginTls(p: Problems, path: string, value: unknown, regions: readonly string[] | undefined): Record<string, OriginTlsConfig> | undefined {
  const raw = readObject(p, path, value, regions ?? Object.keys((value as object | null) ?? {}));
  if (!raw) return undefined;
  const origins: Record<string, OriginTlsConfig> = {};
  for (const region of regions ?? []) {
    const regionPath = childPath(path, region);
    if (raw[region] === undefined) {
      p.add(regionPath, "is required: CloudFront fails over between both regions' load balancers, so both need TLS");
      continue;
    }
    const entry = readObject(p, regionPath, raw[region], ["domainName", "certificateArn"]);
    if (!entry) continue;
    for (const field of ["domainName", "certificateArn"]) if (entry[field] === undefined) p.add(childPath(regionPath, field), "is required");
    const domainName = readString(p, childPath(regionPath, "domainName"), entry.domainName, DOMAIN_NAME);
    const certificateArn = readCertificateArn(p, childPath(regionPath, "certificateArn"), entry.certificateArn, region, "a load balancer only uses certificates of its own region");
    if (domainName !== undefined && certificateArn !== undefined) origins[region] = { domainName, certificateArn };
  }
  return regions !== undefined && Object.keys(origins).length === regions.length ? origins : undefined;
}

/** The public subnets take the last slots of each VPC block, so they must not reach the private ones. */
function checkPublicSubnetsFit(p: Problems, path: string, network: NetworkConfig | undefined): void {
  if (!network) return;
  for (const [region, cidr] of Object.entries(network.cidrs)) {
    const slots = subnetSlots((parseCidr(cidr) as Ipv4Block).prefixLength);
    if (2 * network.availabilityZoneCount > slots) {
      p.add(path, `needs a public subnet per availability zone next to the private ones, but the ${region} VPC ${cidr} has room for ${slots} subnets; use a /24 or larger block, or 2 availability zones`);
    }
  }
}
