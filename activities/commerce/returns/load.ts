/**
 * Where a shop's return policy config comes from, validated at load:
 *   1. the Shop document's `returnPolicy` (when the database is connected), else
 *   2. the file `<policies dir>/<shopId>.yaml` (.yml or .json; the folder is config.returns.policiesDir,
 *      SORA_POLICIES_DIR, default ./policies), else
 *   3. none: built-in market defaults only.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { ShopModel } from '../../../models/shop.js';
import { ConfigValidationError, parseStructuredText } from '../../config/structured-file.js';
import {
  resolveReturnPolicy,
  validatePolicyConfig,
  type ReturnPolicyMatch,
  type ReturnPolicyQuery,
  type ValidatedPolicy,
} from './policy.js';
import type { PolicyConfig } from './rules.js';

/** Read and validate a policy file (YAML or JSON). Throws ConfigValidationError with file:line:col locations. */
export function loadPolicyFile(file: string): ValidatedPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigValidationError('return policy config', [{ path: '', message: `cannot read: ${(e as Error).message}` }], file);
  }
  return parsePolicyText(text, file);
}

export function parsePolicyText(text: string, file?: string): ValidatedPolicy {
  const { data, locate } = parseStructuredText(text, 'return policy config', file);
  return validatePolicyConfig(data, { locate, file });
}

/** The default folder of policy files (config.returns.policiesDir, SORA_POLICIES_DIR, says otherwise). */
export function policiesDir(): string {
  return path.resolve('policies');
}

const fileCache = new Map<string, { mtimeMs: number; policy: ValidatedPolicy }>();

function shopFile(shopId: string, dir: string): string | null {
  if (!/^[\w.-]+$/.test(shopId)) return null; // never build paths from odd ids
  for (const ext of ['.yaml', '.yml', '.json']) {
    const f = path.join(dir, `${shopId}${ext}`);
    if (existsSync(f)) return f;
  }
  return null;
}

export interface ShopPolicy {
  config: PolicyConfig | null;
  origin: string;
  warnings: string[];
}

/** `dir`: the folder of policy files (config.returns.policiesDir; default ./policies). */
export async function loadShopPolicy(shopId: string, dir: string = policiesDir()): Promise<ShopPolicy> {
  if (mongoose.connection.readyState === 1) {
    const shop = await ShopModel.findOne({ shopId }, { returnPolicy: 1 }).lean();
    if (shop?.returnPolicy) {
      const v = validatePolicyConfig(shop.returnPolicy, { file: `shop ${shopId} (returnPolicy)` });
      return { config: v.config, origin: `shop:${shopId}`, warnings: v.warnings };
    }
  }
  const file = shopFile(shopId, dir);
  if (!file) return { config: null, origin: 'builtin', warnings: [] };
  const mtimeMs = statSync(file).mtimeMs;
  const cached = fileCache.get(file);
  const policy = cached && cached.mtimeMs === mtimeMs ? cached.policy : loadPolicyFile(file);
  fileCache.set(file, { mtimeMs, policy });
  if (policy.config.shop && policy.config.shop !== shopId) {
    throw new ConfigValidationError(
      'return policy config',
      [{ path: 'shop', message: `is "${policy.config.shop}" but the file is for shop "${shopId}"` }],
      file,
    );
  }
  return { config: policy.config, origin: file, warnings: policy.warnings };
}

export type MatchInput = ReturnPolicyQuery &
  (
    | { shopId: string; config?: undefined; /** config.returns.policiesDir */ policiesDir?: string }
    | { config: PolicyConfig | null; shopId?: undefined; policiesDir?: undefined }
  );

/** The applicable rule and why, for a shop (its stored/file config) or an explicit config. */
export async function matchReturnPolicy(input: MatchInput): Promise<ReturnPolicyMatch & { origin: string }> {
  const shop =
    input.shopId !== undefined ? await loadShopPolicy(input.shopId, input.policiesDir) : { config: input.config, origin: 'given' };
  return { ...resolveReturnPolicy(shop.config, input), origin: shop.origin };
}
