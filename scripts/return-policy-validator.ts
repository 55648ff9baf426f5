/**
 * The return policy validator shop settings use (models/shop-settings.ts takes it as an option:
 * models and bots may not import activities/). Same rules as `sora policies check`.
 */
import { validatePolicyConfig } from '../activities/commerce/returns/policy.js';
import { ConfigValidationError } from '../activities/config/structured-file.js';
import type { ReturnPolicyValidator } from '../models/shop-settings.js';

export const validateReturnPolicy: ReturnPolicyValidator = (raw) => {
  try {
    return { config: validatePolicyConfig(raw, { file: 'returnPolicy' }).config };
  } catch (e) {
    if (e instanceof ConfigValidationError) return { problems: e.problems.map((p) => `${p.path || '(policy)'}: ${p.message}`) };
    throw e;
  }
};
