/** `sora orders import` / `sora orders list`: runOrdersCommand returns the output so tests can run it in-process. */
import { parseArgs } from 'node:util';
import { importOrders } from '../../activities/commerce/orders/import.js';
import { formatProblem, OrdersValidationError } from '../../activities/commerce/orders/file.js';
import { OrderModel } from '../../models/order.js';
import { cliConfig, fail, textTable, withCliDatabase } from './support.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(args: string[]): Promise<void> {
  const sub = args[0];
  const { values, positionals } = parseArgs({
    args: args.slice(1),
    allowPositionals: true,
    options: { shop: { type: 'string' }, strict: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (sub !== 'import' && sub !== 'list') fail(`unknown orders command "${sub ?? ''}"`);
  const shop = values.shop;
  if (!shop) fail(`orders ${sub} needs --shop ID`);
  if (sub === 'import' && !positionals[0]) fail('orders import needs a FILE');
  const { fxRates } = await import('../../activities/commerce/orders/fx.js');
  const rates = fxRates(cliConfig().orders.fxUsdRates);
  const r = await withCliDatabase(() =>
    runOrdersCommand(sub, { shop, file: positionals[0], strict: values.strict, json: values.json, rates }),
  );
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.code;
}

export async function runOrdersCommand(
  sub: 'import' | 'list',
  o: {
    shop: string;
    file?: string;
    strict?: boolean;
    json?: boolean;
    progress?: (m: string) => void;
    /** USD rates (fxRates(config.orders.fxUsdRates)); default: the built-in table. */
    rates?: Record<string, number>;
  },
): Promise<CommandResult> {
  let stderr = '';
  const err = (m: string) => {
    if (o.progress) o.progress(m);
    else process.stderr.write(`${m}\n`);
  };
  if (sub === 'import') {
    try {
      const r = await importOrders(o.shop, o.file!, { strict: o.strict, rates: o.rates, progress: (m) => err(`  ${m}`) });
      for (const w of r.warnings) stderr += `warning: ${w}\n`;
      for (const p of r.problems) stderr += `error: ${formatProblem(p)}${p.orderNumber ? ` [order ${p.orderNumber} skipped]` : ''}\n`;
      const stdout =
        `orders into shop ${r.shopId}: ${r.imported} imported, ${r.updated} updated, ${r.unchanged} unchanged, ` +
        `${r.skipped} skipped, ${r.problems.length} error${r.problems.length === 1 ? '' : 's'}; ${r.ms} ms\n`;
      return { code: r.problems.length ? 1 : 0, stdout, stderr };
    } catch (e) {
      if (e instanceof OrdersValidationError) return { code: 1, stdout: '', stderr: `${e.message}\n` };
      throw e;
    }
  }
  const orders = await OrderModel.find({ shopId: o.shop }).sort({ placedAt: -1, orderNumber: 1 }).lean();
  if (o.json) {
    const out = orders.map(({ _id, __v, ...rest }) => rest);
    return { code: 0, stdout: `${JSON.stringify(out)}\n`, stderr };
  }
  if (orders.length === 0) return { code: 0, stdout: `no orders for shop ${o.shop}\n`, stderr };
  const rows = orders.map((x) => [
    x.orderNumber,
    x.placedAt.toISOString().slice(0, 10),
    x.status ?? '',
    `${x.total ?? ''} ${x.currency ?? ''}`.trim(),
    x.totalUsd.toFixed(2),
    x.country ?? '',
    String(x.items?.length ?? 0),
    (x.shipments ?? []).map((s) => s.trackingNumber).join(' '),
    x.source ?? '',
  ]);
  return {
    code: 0,
    stdout: textTable(['order', 'placed', 'status', 'total', 'usd', 'country', 'items', 'tracking', 'source'], rows),
    stderr,
  };
}
