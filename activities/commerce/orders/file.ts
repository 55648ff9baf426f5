/**
 * Reading and validating an orders file (.csv or the first sheet of an .xlsx). Pure: no database.
 *
 * Layout: ONE ROW PER ORDER ITEM; rows with the same order_number form one order (they need not be
 * adjacent). Columns (header names, any order, case-insensitive):
 *   order_number  required on every row
 *   placed_at     required (first row of the order at least): 2024-03-05, 2024-03-05T14:30:00Z,
 *                 2024-03-05 14:30 (no zone = UTC), or an Excel date cell
 *   currency      required (first row at least): ISO 4217 code with a USD rate (SORA_FX_USD_RATES)
 *   sku, price, quantity   required on every row: the item; price = unit price in `currency`
 *   name          optional item name
 *   total         optional order total in `currency` (shipping, discounts included); default the
 *                 sum of price × quantity
 *   status        optional, default paid (one of ORDER_STATUSES)
 *   country       optional ISO 3166-1 alpha-2 code of the destination
 *   buyer_<channel>  optional buyer id on that channel, e.g. buyer_webchat, buyer_whatsapp, buyer_tiktok
 *   carrier, tracking_number  optional parcel of the order (several rows may name several parcels)
 * Order-level values (placed_at, currency, total, status, country, buyer_*) may be repeated on each
 * row of the order or left blank after the first; two different values are an error.
 */
import countries from 'i18n-iso-countries';
import { ORDER_STATUSES } from '../../../models/order.js';
import { columnLetter } from '../../knowledge/kb-workbook.js';
import { toUsd } from './fx.js';
import type { OrderRecord } from './store.js';

export interface OrderProblem {
  row: number;
  column: string;
  /** Spreadsheet cell, e.g. C7 ('row 1' for header problems). */
  cell: string;
  orderNumber?: string;
  message: string;
}

export const formatProblem = (p: OrderProblem) => `${p.cell} (row ${p.row}, ${p.column}): ${p.message}`;

export class OrdersValidationError extends Error {
  constructor(
    readonly problems: OrderProblem[],
    what = 'nothing was imported',
  ) {
    super(
      `the orders file has ${problems.length} problem${problems.length === 1 ? '' : 's'}; ${what}:\n` +
        problems
          .slice(0, 50)
          .map((p) => `  ${formatProblem(p)}`)
          .join('\n') +
        (problems.length > 50 ? `\n  … and ${problems.length - 50} more` : ''),
    );
    this.name = 'OrdersValidationError';
  }
}

export const REQUIRED_COLUMNS = ['order_number', 'placed_at', 'currency', 'sku', 'price', 'quantity'] as const;
const OPTIONAL_COLUMNS = ['name', 'total', 'status', 'country', 'carrier', 'tracking_number'];
const BUYER_COLUMN = /^buyer_([a-z][a-z0-9_-]{0,31})$/;
const ORDER_LEVEL = ['placed_at', 'currency', 'total', 'status', 'country'];

export interface ParsedOrder extends OrderRecord {
  /** Spreadsheet rows (1-based) the order came from. */
  rows: number[];
}

export interface OrderTable {
  orders: ParsedOrder[];
  /** Every problem found; an order with any problem is not in `orders`. */
  problems: OrderProblem[];
  /** Order numbers left out because of problems. */
  invalidOrders: string[];
  warnings: string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO-like date or date-time (no zone = UTC); null when not a real date. */
export function parseOrderDate(s: string): Date | null {
  const m = DATE.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', ms = '0', zone = 'Z'] = m;
  const z = zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${sec}.${ms.padEnd(3, '0')}${z}`);
  if (Number.isNaN(date.getTime())) return null;
  // Reject 2024-02-30 and friends (Date would roll them over).
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return null;
  return date;
}

const DECIMAL = /^\d+(?:\.\d+)?$/;
function decimalProblem(s: string, what: string): string | null {
  if (DECIMAL.test(s)) return null;
  if (/^-/.test(s)) return `${what} "${s}" is negative`;
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+,\d+$/.test(s))
    return `${what} "${s}": write numbers with a dot for decimals and no thousands separator (e.g. 1234.50)`;
  return `${what} "${s}" is not a number`;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function validateOrderTable(table: string[][], rates: Record<string, number>): OrderTable {
  const problems: OrderProblem[] = [];
  const warnings: string[] = [];
  const header = (table[0] ?? []).map((h) => h.trim().toLowerCase());
  const col = new Map<string, number>();
  header.forEach((h, i) => {
    if (h && !col.has(h)) col.set(h, i);
    else if (h) warnings.push(`column ${columnLetter(i)} "${h}" repeats an earlier column and is ignored`);
  });
  for (const r of REQUIRED_COLUMNS)
    if (!col.has(r)) problems.push({ row: 1, column: r, cell: 'row 1', message: `missing required column "${r}"` });
  for (const [h, i] of col)
    if (!(REQUIRED_COLUMNS as readonly string[]).includes(h) && !OPTIONAL_COLUMNS.includes(h) && !BUYER_COLUMN.test(h))
      warnings.push(`column ${columnLetter(i)} "${h}" is not a known column and is ignored`);
  if (problems.length) throw new OrdersValidationError(problems);
  const buyerCols = [...col].filter(([h]) => BUYER_COLUMN.test(h)).map(([h, i]) => [BUYER_COLUMN.exec(h)![1]!, h, i] as const);

  interface Building {
    rows: number[];
    firstRow: number;
    values: Map<string, { value: string; row: number }>;
    items: OrderRecord['items'];
    shipments: OrderRecord['shipments'];
    bad: boolean;
  }
  const byNumber = new Map<string, Building>();

  for (let r = 1; r < table.length; r++) {
    const cells = table[r] ?? [];
    if (cells.every((c) => !c || !c.trim())) continue; // blank line
    const rowNo = r + 1;
    const get = (name: string) => (col.has(name) ? (cells[col.get(name)!] ?? '').trim() : '');
    let rowBad = false;
    const bad = (name: string, message: string, orderNumber?: string) => {
      rowBad = true;
      problems.push({ row: rowNo, column: name, cell: `${columnLetter(col.get(name) ?? 0)}${rowNo}`, orderNumber, message });
    };

    const orderNumber = get('order_number');
    if (!orderNumber) {
      bad('order_number', 'order_number is empty');
      continue;
    }
    if (!/^[\w#./-]{1,64}$/.test(orderNumber)) {
      bad('order_number', `"${orderNumber}" may only contain letters, digits and _ # . / - (max 64)`);
      continue;
    }
    let o = byNumber.get(orderNumber);
    if (!o) {
      o = { rows: [], firstRow: rowNo, values: new Map(), items: [], shipments: [], bad: false };
      byNumber.set(orderNumber, o);
    }
    o.rows.push(rowNo);

    // order-level values: the same on every row that gives one
    for (const name of [...ORDER_LEVEL, ...buyerCols.map(([, h]) => h)]) {
      let v = get(name);
      if (!v) continue;
      if (name === 'currency' || name === 'country') v = v.toUpperCase();
      if (name === 'status') v = v.toLowerCase();
      const prev = o.values.get(name);
      if (prev && prev.value !== v)
        bad(name, `${name} "${v}" differs from row ${prev.row} ("${prev.value}") of order ${orderNumber}`, orderNumber);
      else if (!prev) o.values.set(name, { value: v, row: rowNo });
    }

    // the item
    const sku = get('sku');
    if (!sku) bad('sku', 'sku is empty', orderNumber);
    else if (sku.length > 64) bad('sku', `sku is ${sku.length} characters (max 64)`, orderNumber);
    const priceText = get('price');
    const priceProblem = priceText ? decimalProblem(priceText, 'price') : 'price is empty';
    if (priceProblem) bad('price', priceProblem, orderNumber);
    const qtyText = get('quantity');
    if (!qtyText) bad('quantity', 'quantity is empty', orderNumber);
    else if (!/^\d+$/.test(qtyText) || Number(qtyText) < 1 || Number(qtyText) > 100_000)
      bad('quantity', `quantity "${qtyText}" must be a whole number from 1 to 100000`, orderNumber);
    const name = get('name');
    if (name.length > 300) bad('name', `name is ${name.length} characters (max 300)`, orderNumber);
    if (!rowBad) o.items.push({ sku, name: name || null, price: Number(priceText), quantity: Number(qtyText) });

    // the parcel, if any
    const tracking = get('tracking_number').replace(/\s+/g, '');
    const carrier = get('carrier');
    if (tracking) {
      if (!/^[A-Za-z0-9-]{5,40}$/.test(tracking))
        bad('tracking_number', `tracking_number "${tracking}" must be 5–40 letters, digits or -`, orderNumber);
      else if (!o.shipments.some((s) => s.trackingNumber === tracking.toUpperCase()))
        o.shipments.push({ carrier: carrier || null, trackingNumber: tracking.toUpperCase() });
    } else if (carrier) bad('tracking_number', `carrier "${carrier}" is given without a tracking_number`, orderNumber);
    if (rowBad) o.bad = true;
  }

  const orders: ParsedOrder[] = [];
  const invalidOrders: string[] = [];
  for (const [orderNumber, o] of byNumber) {
    const at = (name: string) => o.values.get(name);
    const orderBad = (name: string, message: string) => {
      o.bad = true;
      const row = at(name)?.row ?? o.firstRow;
      problems.push({ row, column: name, cell: `${columnLetter(col.get(name) ?? 0)}${row}`, orderNumber, message });
    };
    const placedText = at('placed_at')?.value;
    const placedAt = placedText ? parseOrderDate(placedText) : null;
    if (!placedText) orderBad('placed_at', `order ${orderNumber} has no placed_at on any of its rows`);
    else if (!placedAt) orderBad('placed_at', `placed_at "${placedText}" is not a date like 2024-03-05 or 2024-03-05T14:30:00Z`);
    const currency = at('currency')?.value;
    if (!currency) orderBad('currency', `order ${orderNumber} has no currency on any of its rows`);
    else if (!/^[A-Z]{3}$/.test(currency)) orderBad('currency', `currency "${currency}" is not an ISO 4217 code such as USD`);
    else if (rates[currency] === undefined)
      orderBad('currency', `no USD rate for ${currency}: add it to SORA_FX_USD_RATES, e.g. SORA_FX_USD_RATES=${currency}=0.5`);
    const totalText = at('total')?.value;
    const totalProblem = totalText ? decimalProblem(totalText, 'total') : null;
    if (totalProblem) orderBad('total', totalProblem);
    const status = at('status')?.value ?? 'paid';
    if (!(ORDER_STATUSES as readonly string[]).includes(status))
      orderBad('status', `unknown status "${status}" (one of ${ORDER_STATUSES.join(', ')})`);
    const country = at('country')?.value ?? null;
    if (country && (country.length !== 2 || !countries.isValid(country)))
      orderBad('country', `"${country}" is not an ISO 3166-1 alpha-2 country code`);
    const buyerIds: Record<string, string> = {};
    for (const [channel, h] of buyerCols) {
      const v = at(h)?.value;
      if (!v) continue;
      if (v.length > 128) orderBad(h, `${h} is ${v.length} characters (max 128)`);
      else buyerIds[channel] = v;
    }
    if (o.bad) {
      invalidOrders.push(orderNumber);
      continue;
    }
    const total = totalText ? Number(totalText) : round2(o.items.reduce((s, i) => s + i.price * i.quantity, 0));
    orders.push({
      orderNumber,
      externalId: orderNumber,
      buyerIds,
      items: o.items,
      currency: currency!,
      total,
      totalUsd: toUsd(total, currency!, rates)!,
      status,
      country,
      placedAt: placedAt!,
      shipments: o.shipments,
      source: 'import',
      rows: o.rows,
    });
  }
  problems.sort((a, b) => a.row - b.row || a.cell.localeCompare(b.cell));
  if (byNumber.size === 0) problems.push({ row: 2, column: 'order_number', cell: 'A2', message: 'the file has no order rows' });
  return { orders, problems, invalidOrders, warnings };
}
