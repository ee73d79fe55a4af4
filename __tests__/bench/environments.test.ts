import { exampleWithEnvironments } from "../../bench/environments";
import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";

describe("the growth benchmark's configurations", () => {
  test("three environments is the built-in example itself, so the growth figures compare with the main one", () => {
    expect(exampleWithEnvironments(3)).toEqual(EXAMPLE_CONFIG);
  });

  test.each([6, 12])("%i environments is a valid configuration with that many environments, all promoted, prod last", (count) => {
    const config = validateConfig(exampleWithEnvironments(count));
    expect(config.environments).toHaveLength(count);
    expect(config.promotionOrder).toHaveLength(count);
    expect(config.promotionOrder.at(-1)).toBe("prod");
    expect(new Set(config.environments.map((environment) => environment.accountId)).size).toBe(count);
  });

  test("a count the benchmark cannot build is refused", () => {
    expect(() => exampleWithEnvironments(2)).toThrow(/2 is not a whole number from 3 to 60/);
  });
});
