/**
 * `sora orders import`: validate the whole file first, then upsert order by order.
 *
 * Default mode writes every valid order and reports the others (each problem with its row,
 * column and reason; an order with any bad row is skipped whole, never half-written).
 * `strict` writes nothing when any row has a problem. Upserts are by (shopId, orderNumber) and
 * skip identical records, so importing the same file twice changes nothing.
 */
import { ShopModel } from '../../../models/shop.js';
import { readTable } from '../../knowledge/kb-workbook.js';
import { OrdersValidationError, validateOrderTable, type OrderProblem } from './file.js';
import { fxRates } from './fx.js';
import { upsertOrder } from './store.js';

export interface OrdersImportResult {
  shopId: string;
  /** Valid orders in the file. */
  orders: number;
  imported: number;
  updated: number;
  unchanged: number;
  /** Orders left out because of problems. */
  skipped: number;
  skippedOrders: string[];
  problems: OrderProblem[];
  warnings: string[];
  ms: number;
}

export interface OrdersImportOptions {
  /** The file's bytes (otherwise read from `file`). */
  data?: Buffer;
  strict?: boolean;
  /** USD rates (default: SORA_FX_USD_RATES over the built-in table). */
  rates?: Record<string, number>;
  progress?: (msg: string) => void;
}

export async function importOrders(shopId: string, file: string, o: OrdersImportOptions = {}): Promise<OrdersImportResult> {
  const t0 = Date.now();
  const progress = o.progress ?? (() => {});
  if (!(await ShopModel.exists({ shopId }))) throw new Error(`no shop "${shopId}"`);
  const rates = o.rates ?? fxRates();
  const table = await readTable(file, o.data);
  const { orders, problems, invalidOrders, warnings } = validateOrderTable(table, rates);
  progress(`${table.length - 1} rows read: ${orders.length} valid orders, ${invalidOrders.length} with problems`);
  if (problems.length && (o.strict || orders.length === 0)) throw new OrdersValidationError(problems);

  const counts = { created: 0, updated: 0, unchanged: 0 };
  let lastPct = -1;
  for (let i = 0; i < orders.length; i++) {
    const { rows: _rows, ...record } = orders[i]!;
    counts[await upsertOrder(shopId, record)]++;
    const pct = Math.floor(((i + 1) / orders.length) * 10) * 10;
    if (pct !== lastPct) progress(`written ${i + 1}/${orders.length} orders`);
    lastPct = pct;
  }
  return {
    shopId,
    orders: orders.length,
    imported: counts.created,
    updated: counts.updated,
    unchanged: counts.unchanged,
    skipped: invalidOrders.length,
    skippedOrders: invalidOrders,
    problems,
    warnings,
    ms: Date.now() - t0,
  };
}
