/**
 * `sora shops create|update|list`: a shop's name, languages, Spanish variant, time zone, business
 * hours, ticket SLA and return policy (models/shop-settings.ts: the same validator as the desk API).
 * Returns output instead of printing so tests can call it directly; needs a connected MongoDB.
 */
import { parseArgs } from 'node:util';
import { loadPolicyFile } from '../../activities/commerce/returns/load.js';
import { ConfigValidationError } from '../../activities/config/structured-file.js';
import { createShop, listShops, ShopSettingsError, updateShop, type ShopView } from '../../models/shop-settings.js';
import { validateReturnPolicy } from '../return-policy-validator.js';
import type { CommandResult } from './policies.js';
import { textTable } from './support.js';

export const SHOP_SETTINGS_USAGE = `sora shops create --id ID --name NAME [settings]
sora shops update --id ID [settings]
sora shops list [--json]
  settings: --default-language en  --languages en,es,th  --spanish-variant es|es-419  --time-zone Asia/Singapore
            --hours "mon-fri 09:00-18:00, sat 10:00-14:00"|always  --sla-low|--sla-normal|--sla-high|--sla-urgent 24h
            --auto-close-days 7  --return-policy FILE.(yaml|json)  --no-return-policy  --json`;

const OPTIONS = {
  id: { type: 'string' },
  name: { type: 'string' },
  'default-language': { type: 'string' },
  languages: { type: 'string' },
  'spanish-variant': { type: 'string' },
  'time-zone': { type: 'string' },
  hours: { type: 'string' },
  'sla-low': { type: 'string' },
  'sla-normal': { type: 'string' },
  'sla-high': { type: 'string' },
  'sla-urgent': { type: 'string' },
  'auto-close-days': { type: 'string' },
  'return-policy': { type: 'string' },
  'no-return-policy': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const mins = (m: number) => (m % 1440 === 0 ? `${m / 1440}d` : m % 60 === 0 ? `${m / 60}h` : `${m}m`);

export function describeShop(s: ShopView): string {
  return [
    `shop ${s.shopId}: ${s.name}`,
    `  languages        ${s.languages.length ? s.languages.join(', ') : 'every language'} (default ${s.defaultLanguage}; Spanish ${s.spanishVariant})`,
    `  time zone        ${s.timeZone}`,
    `  business hours   ${s.businessHoursText}`,
    `  ticket SLA       ${Object.entries(s.slaMinutes)
      .map(([p, m]) => `${p} ${mins(m)}`)
      .join(', ')} (business time)`,
    `  tickets close    ${s.ticketAutoCloseDays} d after solved`,
    `  return policy    ${s.hasReturnPolicy ? 'stored with the shop' : 'none stored (policies/<shop>.yaml or the built-in defaults)'}`,
    '',
  ].join('\n');
}

export async function runShopSettingsCommand(sub: 'create' | 'update' | 'list', args: string[]): Promise<CommandResult> {
  let values;
  try {
    values = parseArgs({ args, options: OPTIONS }).values;
  } catch (e) {
    return { code: 2, usage: `${(e as Error).message}\n${SHOP_SETTINGS_USAGE}` };
  }
  if (sub === 'list') {
    const shops = await listShops();
    if (values.json) return { code: 0, stdout: `${JSON.stringify(shops, null, 2)}\n` };
    if (!shops.length) return { code: 0, stdout: 'no shops (sora shops create --id ID --name NAME)\n' };
    return {
      code: 0,
      stdout: textTable(
        ['id', 'name', 'languages', 'time zone', 'hours'],
        shops.map((s) => [s.shopId, s.name, `${s.languages.join(',') || '*'} (${s.defaultLanguage})`, s.timeZone, s.businessHoursText]),
      ),
    };
  }
  if (!values.id) return { code: 2, usage: `shops ${sub} needs --id ID\n${SHOP_SETTINGS_USAGE}` };
  if (sub === 'create' && !values.name) return { code: 2, usage: `shops create needs --name NAME\n${SHOP_SETTINGS_USAGE}` };
  if (values['return-policy'] && values['no-return-policy'])
    return { code: 2, usage: `--return-policy and --no-return-policy exclude each other\n${SHOP_SETTINGS_USAGE}` };
  const input: Record<string, unknown> = {};
  const put = (field: string, v: unknown) => v !== undefined && (input[field] = v);
  put('name', values.name);
  put('defaultLanguage', values['default-language']);
  put('languages', values.languages);
  put('spanishVariant', values['spanish-variant']);
  put('timeZone', values['time-zone']);
  put('businessHours', values.hours);
  put('ticketAutoCloseDays', values['auto-close-days']);
  const sla = Object.fromEntries(
    (['low', 'normal', 'high', 'urgent'] as const).filter((p) => values[`sla-${p}`] !== undefined).map((p) => [p, values[`sla-${p}`]]),
  );
  if (Object.keys(sla).length) input.slaMinutes = sla;
  if (values['no-return-policy']) input.returnPolicy = null;
  if (values['return-policy']) {
    try {
      const v = loadPolicyFile(values['return-policy']);
      if (v.config.shop && v.config.shop !== values.id)
        return { code: 1, stderr: `sora shops ${sub}: ${values['return-policy']} is for shop "${v.config.shop}", not "${values.id}"\n` };
      input.returnPolicy = v.config;
    } catch (e) {
      if (e instanceof ConfigValidationError) return { code: 1, stderr: `sora shops ${sub}: ${e.message}\n` };
      throw e;
    }
  }
  if (sub === 'update' && !Object.keys(input).length) return { code: 2, usage: `shops update: nothing to change\n${SHOP_SETTINGS_USAGE}` };
  try {
    const shop =
      sub === 'create'
        ? await createShop({ shopId: values.id, ...input }, { validateReturnPolicy })
        : await updateShop(values.id, input, { validateReturnPolicy });
    return {
      code: 0,
      stdout: values.json ? `${JSON.stringify(shop, null, 2)}\n` : `${sub === 'create' ? 'created' : 'updated'} ${describeShop(shop)}`,
    };
  } catch (e) {
    if (e instanceof ShopSettingsError)
      return { code: 1, stderr: e.problems.map((p) => `sora shops ${sub}: ${p.field}: ${p.problem}\n`).join('') };
    throw e;
  }
}
