import { EXAMPLE_CONFIG } from "../src/config/example";

/**
 * The built-in example grown to `count` environments, for measuring how synthesis scales: the
 * example's dev, staging and prod, with pre-production environments `qa1`, `qa2`, ... promoted
 * between staging and prod, each in an account, and with VPC ranges, of its own. The account IDs
 * are placeholders like the example's.
 */
export function exampleWithEnvironments(count: number): typeof EXAMPLE_CONFIG {
  const [dev, staging, prod] = EXAMPLE_CONFIG.environments;
  if (!Number.isInteger(count) || count < 3 || count > 60) throw new Error(`environments: ${count} is not a whole number from 3 to 60`);
  const extra = Array.from({ length: count - 3 }, (_, index) => {
    const octet = 40 + 2 * index;
    return {
      ...dev!,
      name: `qa${index + 1}`,
      accountId: `4444444444${String(index).padStart(2, "0")}`,
      network: { cidrs: { "us-east-1": `10.${octet}.0.0/16`, "eu-west-1": `10.${octet + 1}.0.0/16` } },
    };
  });
  return {
    ...EXAMPLE_CONFIG,
    promotionOrder: ["dev", "staging", ...extra.map((environment) => environment.name), "prod"],
    environments: [dev!, staging!, ...extra, prod!],
  };
}
