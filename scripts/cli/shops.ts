/**
 * `sora shops create|update|list` (scripts/cli/shop-settings.ts), `sora shops identity-secret` and
 * `sora shops strategy --shop ID [changes]`: show or change a shop's conversation strategy
 * (PRODUCT R20: the silence nudge, its delay, after which replies, how often, the coupon; idle close;
 * NPS delay). Conversations that start after a change use it. Needs a connected MongoDB (the CLI
 * connects first); returns output instead of printing so tests can call it directly.
 */
import { parseArgs } from 'node:util';
import {
  getShopStrategy,
  StrategyInputError,
  updateShopStrategy,
  type ShopStrategyView,
  type StrategyChange,
} from '../../activities/conversations/shop-profile.js';
import { defaultStrategy, type ConversationStrategy } from '../../workflows/contract.js';
import { conversationConfig } from '../../temporal.config.js';
import { webchatIdentitySecret } from '../../models/webchat-identity-secret.js';
import type { CommandResult } from './policies.js';
import { runShopSettingsCommand, SHOP_SETTINGS_USAGE } from './shop-settings.js';
import { cliConfig, cliSecrets, fail, withCliDatabase } from './support.js';

export const SHOPS_USAGE = `${SHOP_SETTINGS_USAGE}
sora shops strategy --shop ID [--nudge on|off] [--nudge-delay 30s] [--nudge-after any|question]
                     [--nudge-max N] [--coupon on|off] [--idle-close 10m] [--nps-delay 30m] [--reset FIELD] [--json]
sora shops identity-secret --shop ID [--rotate]`;

/**
 * `sora shops identity-secret --shop ID [--rotate]`: create the shop's web chat identity secret and
 * print it, once (the store keeps it server-side and signs its customer ids with it). When one is
 * already set it is not shown again: --rotate replaces it (sessions already verified stay valid;
 * new ones need hashes made with the new secret).
 */
export async function runIdentitySecretCommand(args: string[]): Promise<CommandResult> {
  let values;
  try {
    values = parseArgs({ args, options: { shop: { type: 'string' }, rotate: { type: 'boolean' } } }).values;
  } catch (e) {
    return { code: 2, usage: `${(e as Error).message}\n${SHOPS_USAGE}` };
  }
  const shopId = values.shop;
  if (!shopId) return { code: 2, usage: `shops identity-secret needs --shop ID\n${SHOPS_USAGE}` };
  const current = await webchatIdentitySecret(shopId, cliSecrets());
  if (current === undefined) return { code: 1, stderr: `sora shops identity-secret: no shop "${shopId}"\n` };
  if (current && !values.rotate)
    return {
      code: 1,
      stderr: `sora shops identity-secret: shop "${shopId}" already has a web chat identity secret (it is shown only once); --rotate replaces it\n`,
    };
  const secret = await webchatIdentitySecret(shopId, cliSecrets(), { rotate: true });
  return {
    code: 0,
    stdout: [
      `web chat identity secret of shop ${shopId}${current ? ' (rotated: the previous one no longer verifies)' : ''}:`,
      '',
      `  ${secret}`,
      '',
      "Shown once: keep it on the store's server only. For a signed-in customer, pass to the chat",
      'page customerId and customerHash = HMAC-SHA256(secret, customerId) in hex (README "Web chat").',
      '',
    ].join('\n'),
  };
}

const ms = (v: number) => (v % 3_600_000 === 0 ? `${v / 3_600_000}h` : v % 60_000 === 0 ? `${v / 60_000}m` : `${v / 1000}s`);

function describe(v: ShopStrategyView): string {
  const e = v.effective;
  const n = e.silenceNudge;
  const mark = (set: unknown) => (set === null || set === undefined ? ' (default)' : '');
  return [
    `shop ${v.shopId}: conversation strategy (for conversations that start from now on)`,
    `  silence nudge   ${n.enabled ? 'ON' : 'off'}${mark(v.stored.silenceNudge)}`,
    `    after         ${ms(n.delayMs)}${mark(v.stored.silenceNudgeDelayMs)} of buyer silence, after ${n.after === 'any_reply' ? 'any bot reply' : 'a bot question only'}${mark(v.stored.silenceNudgeAfter)}`,
    `    at most       ${n.max} per conversation${mark(v.stored.silenceNudgeMax)}`,
    `    coupon        ${n.coupon ? 'ON (one per buyer, from the pool: sora coupons)' : 'off'}`,
    `  idle close      ${ms(e.idleCloseMs)}${mark(v.stored.idleCloseMs)}`,
    `  NPS survey      ${ms(e.npsDelayMs)} after a resolved conversation ends${mark(v.stored.npsDelayMs)}`,
    '',
  ].join('\n');
}

const onOff = (name: string, v: string | undefined): boolean | undefined => {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'true') return true;
  if (v === 'off' || v === 'false') return false;
  throw new StrategyInputError([`--${name} takes on or off, not "${v}"`]);
};

const RESETTABLE: Record<string, keyof StrategyChange> = {
  nudge: 'silenceNudge',
  'nudge-delay': 'silenceNudgeDelay',
  'nudge-after': 'silenceNudgeAfter',
  'nudge-max': 'silenceNudgeMax',
  'idle-close': 'idleClose',
  'nps-delay': 'npsDelay',
};

export async function run(args: string[]): Promise<void> {
  const r = await withCliDatabase(() => runShopsCommand(args, defaultStrategy(conversationConfig(cliConfig().conversation))));
  if (r.usage) fail(r.usage);
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.code;
}

export async function runShopsCommand(args: string[], defaults: ConversationStrategy): Promise<CommandResult> {
  const [sub, ...rest] = args;
  if (sub === 'identity-secret') return runIdentitySecretCommand(rest);
  if (sub === 'create' || sub === 'update' || sub === 'list') return runShopSettingsCommand(sub, rest);
  if (sub !== 'strategy') return { code: 2, usage: `unknown shops command "${sub ?? ''}"\n${SHOPS_USAGE}` };
  let values;
  try {
    values = parseArgs({
      args: rest,
      options: {
        shop: { type: 'string' },
        nudge: { type: 'string' },
        'nudge-delay': { type: 'string' },
        'nudge-after': { type: 'string' },
        'nudge-max': { type: 'string' },
        coupon: { type: 'string' },
        'idle-close': { type: 'string' },
        'nps-delay': { type: 'string' },
        reset: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    return { code: 2, usage: `${(e as Error).message}\n${SHOPS_USAGE}` };
  }
  if (!values.shop) return { code: 2, usage: `shops strategy needs --shop ID\n${SHOPS_USAGE}` };
  try {
    const change: StrategyChange = {};
    const after = values['nudge-after'];
    if (values.nudge !== undefined) change.silenceNudge = onOff('nudge', values.nudge);
    if (values['nudge-delay'] !== undefined) change.silenceNudgeDelay = values['nudge-delay'];
    if (after !== undefined) {
      const v = { any: 'any_reply', any_reply: 'any_reply', question: 'question' }[after];
      if (!v) throw new StrategyInputError([`--nudge-after takes any or question, not "${after}"`]);
      change.silenceNudgeAfter = v as StrategyChange['silenceNudgeAfter'];
    }
    if (values['nudge-max'] !== undefined) {
      const n = Number(values['nudge-max']);
      if (!Number.isInteger(n)) throw new StrategyInputError([`--nudge-max takes a whole number (1-10), not "${values['nudge-max']}"`]);
      change.silenceNudgeMax = n;
    }
    if (values.coupon !== undefined) change.coupon = onOff('coupon', values.coupon);
    if (values['idle-close'] !== undefined) change.idleClose = values['idle-close'];
    if (values['nps-delay'] !== undefined) change.npsDelay = values['nps-delay'];
    for (const r of values.reset ?? []) {
      const field = RESETTABLE[r];
      if (!field) throw new StrategyInputError([`--reset takes one of ${Object.keys(RESETTABLE).join(', ')}, not "${r}"`]);
      (change as Record<string, unknown>)[field] = null;
    }
    const v = Object.keys(change).length
      ? await updateShopStrategy(values.shop, change, defaults)
      : await getShopStrategy(values.shop, defaults);
    return { code: 0, stdout: values.json ? `${JSON.stringify(v, null, 2)}\n` : describe(v) };
  } catch (e) {
    if (e instanceof StrategyInputError) return { code: 1, stderr: `${e.problems.map((p) => `sora shops strategy: ${p}`).join('\n')}\n` };
    throw e;
  }
}
