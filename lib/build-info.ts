// Filled in by the bundler (scripts/bundle.ts); the fallbacks apply when running from source.
declare const __NETOBS_VERSION__: string | undefined;
declare const __NETOBS_COMMIT__: string | undefined;

export interface BuildInfo {
  version: string;
  commit: string;
  node: string;
  platform: string;
}

export function buildInfo(): BuildInfo {
  return {
    version: typeof __NETOBS_VERSION__ === 'string' ? __NETOBS_VERSION__ : '0.0.0-dev',
    commit: typeof __NETOBS_COMMIT__ === 'string' ? __NETOBS_COMMIT__ : 'unknown',
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
}
