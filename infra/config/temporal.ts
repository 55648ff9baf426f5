/**
 * Where Temporal is: an optional TOML profile (the Temporal CLI's client config file, read with
 * @temporalio/envconfig) under the TEMPORAL_* variables, under the local defaults. Certificate
 * files are read here, once, so a missing or unreadable one is reported at start with the others.
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
import type { Env } from './fields.js';
import type { TemporalTarget } from './schema.js';

export interface TemporalVars {
  TEMPORAL_ADDRESS?: string;
  TEMPORAL_NAMESPACE?: string;
  TEMPORAL_API_KEY?: string;
  TEMPORAL_TLS?: boolean;
  TEMPORAL_TLS_CERT?: string;
  TEMPORAL_TLS_KEY?: string;
  TEMPORAL_TLS_CA?: string;
  TEMPORAL_TLS_SERVER_NAME?: string;
  TEMPORAL_CONFIG_FILE?: string;
  TEMPORAL_PROFILE?: string;
}

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';

/**
 * The profile from TEMPORAL_CONFIG_FILE, else from the default location
 * (`$XDG_CONFIG_HOME/temporalio/temporal.toml`, found through `env`'s HOME/XDG_CONFIG_HOME/APPDATA)
 * when that file exists; `{}` when there is none. Only the file: the variables are ours (below).
 */
function loadProfile(v: TemporalVars, env: Env, problem: (name: string, message: string) => void): ClientConfigProfile {
  const locate: Record<string, string> = {};
  for (const k of ['HOME', 'XDG_CONFIG_HOME', 'APPDATA']) if (env[k]) locate[k] = env[k]!;
  try {
    return loadClientConfigProfile({
      profile: v.TEMPORAL_PROFILE,
      configSource: v.TEMPORAL_CONFIG_FILE ? { path: v.TEMPORAL_CONFIG_FILE } : undefined,
      disableEnv: true,
      overrideEnvVars: locate,
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/Profile '.*' not found/.test(message))
      problem('TEMPORAL_PROFILE', `${message} (${v.TEMPORAL_CONFIG_FILE ?? 'the default config file'})`);
    else problem('TEMPORAL_CONFIG_FILE', `cannot read the Temporal config file: ${message}`);
    return {};
  }
}

function read(name: string, file: string | undefined, problem: (name: string, message: string) => void): Buffer | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    problem(name, `cannot read ${file}: ${(e as Error).message}`);
    return undefined;
  }
}

/** The Temporal target from the variables over the profile over the defaults, plus whether the address was configured. */
export function resolveTemporal(
  v: TemporalVars,
  env: Env,
  problem: (name: string, message: string) => void,
): TemporalTarget & { external: boolean } {
  if (v.TEMPORAL_TLS_CERT && !v.TEMPORAL_TLS_KEY)
    problem('TEMPORAL_TLS_KEY', 'is required with TEMPORAL_TLS_CERT (mTLS needs the certificate and its key)');
  if (v.TEMPORAL_TLS_KEY && !v.TEMPORAL_TLS_CERT)
    problem('TEMPORAL_TLS_CERT', 'is required with TEMPORAL_TLS_KEY (mTLS needs the certificate and its key)');
  const profile = loadProfile(v, env, problem);
  let fromProfile: TLSConfig | boolean | undefined;
  try {
    fromProfile = toClientOptions(profile).connectionOptions.tls ?? undefined;
  } catch (e) {
    problem('TEMPORAL_CONFIG_FILE', `TLS files of the profile: ${(e as Error).message}`);
  }
  const apiKey = v.TEMPORAL_API_KEY ?? profile.apiKey;
  let tls: TLSConfig | boolean | undefined;
  if (v.TEMPORAL_TLS === false) {
    tls = false;
  } else if (v.TEMPORAL_TLS_CERT || v.TEMPORAL_TLS_CA || v.TEMPORAL_TLS_SERVER_NAME || typeof fromProfile === 'object') {
    const base = typeof fromProfile === 'object' ? fromProfile : {};
    const crt = read('TEMPORAL_TLS_CERT', v.TEMPORAL_TLS_CERT, problem);
    const key = read('TEMPORAL_TLS_KEY', v.TEMPORAL_TLS_KEY, problem);
    const ca = read('TEMPORAL_TLS_CA', v.TEMPORAL_TLS_CA, problem);
    tls = {
      ...base,
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(v.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: v.TEMPORAL_TLS_SERVER_NAME } : {}),
    };
  } else if (v.TEMPORAL_TLS === true || fromProfile === true || apiKey) {
    tls = true;
  }
  return {
    address: v.TEMPORAL_ADDRESS ?? profile.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: v.TEMPORAL_NAMESPACE ?? profile.namespace ?? DEFAULT_NAMESPACE,
    ...(tls !== undefined ? { tls } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(profile.grpcMeta && Object.keys(profile.grpcMeta).length ? { metadata: profile.grpcMeta } : {}),
    external: !!(v.TEMPORAL_ADDRESS ?? profile.address),
  };
}
