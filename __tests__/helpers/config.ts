import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";

/** A deep copy of the built-in example configuration, as raw JSON, for a test to modify. */
export function exampleRaw(): any {
  return structuredClone(EXAMPLE_CONFIG);
}

/** The problems `validateConfig` reports for `raw`, or [] when it is valid. */
export function problemsOf(validate: (raw: unknown) => unknown, raw: unknown): readonly string[] {
  try {
    validate(raw);
    return [];
  } catch (error) {
    const problems = (error as { problems?: readonly string[] }).problems;
    if (!problems) throw error;
    return problems;
  }
}

/** The problems `validateConfig` reports for the built-in example after `edit`, or [] when it is valid. */
export function exampleProblems(edit: (raw: any) => void): readonly string[] {
  const raw = exampleRaw();
  edit(raw);
  return problemsOf(validateConfig, raw);
}
