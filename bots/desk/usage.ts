/**
 * GET /desk/api/usage?shop=ID&month=YYYY-MM[&format=csv]: the shop's billable conversations of that
 * calendar month (the shop's time zone) and the billing estimate (models/usage.ts). Billing is the
 * shop owner's concern: an admin who sees the shop reads it; an agent of the shop gets 403, a shop
 * the caller does not see is a 404. Bad or missing parameters: 422 naming them.
 */
import { Router } from 'express';
import type { BillingPlan } from '../../infra/config/billing-plan.js';
import { MONTH_RE, usageCsv, usageReport } from '../../models/usage.js';
import { hasDemoDataInMonth } from '../../models/demo-data.js';
import { HttpError } from '../http-errors.js';
import { requireShop } from './auth.js';

export function usageRoutes(plan: BillingPlan): Router {
  const r = Router();
  r.get('/usage', async (req, res) => {
    const { shop, month, format } = req.query;
    const problems: { field: string; problem: string }[] = [];
    if (typeof shop !== 'string' || !shop) problems.push({ field: 'shop', problem: 'is required (a shop id)' });
    if (typeof month !== 'string' || !MONTH_RE.test(month)) problems.push({ field: 'month', problem: 'must be YYYY-MM (e.g. 2026-11)' });
    if (format !== undefined && format !== 'json' && format !== 'csv') problems.push({ field: 'format', problem: 'must be json or csv' });
    if (problems.length) throw new HttpError(422, 'invalid_request', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), problems);
    const shopId = requireShop(req, shop as string);
    if (req.agent?.role !== 'admin') throw new HttpError(403, 'forbidden', 'usage and billing need the admin role');
    const report = await usageReport(shopId, month as string, plan);
    if (!report) throw new HttpError(404, 'unknown_shop', `no shop "${shopId}"`);
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') {
      res.setHeader('Content-Disposition', `attachment; filename="usage-${month}.csv"`);
      res.type('text/csv').send(usageCsv(report));
      return;
    }
    // `demo`: the month holds the synthetic demo month (scripts/demo/demo-month.ts): the desk shows a banner.
    res.json({ ...report, demo: await hasDemoDataInMonth(shopId, month as string) });
  });
  return r;
}
