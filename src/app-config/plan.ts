import type { AppSettingConfig, AppSettingValue, PlatformConfig } from "../config/types";

/** One parameter an environment's stack writes itself (instead of receiving it from the mirror). */
export interface AppParameterWrite {
  readonly key: string;
  readonly secure: boolean;
  readonly value: AppSettingValue;
}

/** The value a setting has in an environment: its override, or the first environment's value. */
function valueIn(setting: AppSettingConfig, environment: string): AppSettingValue {
  return setting.overrides[environment] ?? setting.value;
}

/**
 * Whether an environment's stack writes the setting itself: the first environment always does;
 * a later one does when it overrides the setting, or when the environment before it does (an
 * override stays local, so the first environment's value must be put back after it). Everywhere
 * else the config mirror brings the value from the previous environment.
 */
function writtenBy(platform: PlatformConfig, setting: AppSettingConfig, position: number): boolean {
  if (position === 0) return true;
  const name = platform.promotionOrder[position];
  const previous = platform.promotionOrder[position - 1];
  return setting.overrides[name] !== undefined || setting.overrides[previous] !== undefined;
}

/** The parameters `environment`'s stack creates under `/app/<env>/config/`. */
export function appParameterWrites(platform: PlatformConfig, environment: string): AppParameterWrite[] {
  const position = platform.promotionOrder.indexOf(environment);
  return platform.appConfig.settings
    .filter((setting) => writtenBy(platform, setting, position))
    .map((setting) => ({ key: setting.key, secure: setting.secure, value: valueIn(setting, environment) }));
}

/**
 * Keys `environment`'s config mirror must leave alone in the next environment, because the next
 * environment's stack writes them itself (its override, or the first environment's value after an
 * override here). Exact keys: the mirror's patterns treat a key without `/` at the end or a glob as itself.
 */
export function mirrorDenyAdditions(platform: PlatformConfig, environment: string): string[] {
  const position = platform.promotionOrder.indexOf(environment);
  if (position < 0 || position === platform.promotionOrder.length - 1) return [];
  return platform.appConfig.settings.filter((setting) => writtenBy(platform, setting, position + 1)).map((setting) => setting.key);
}

/** Keys whose value differs between environments by design: the validator does not report them as drift. */
export function overriddenKeys(platform: PlatformConfig): string[] {
  return platform.appConfig.settings.filter((setting) => Object.keys(setting.overrides).length > 0).map((setting) => setting.key);
}
