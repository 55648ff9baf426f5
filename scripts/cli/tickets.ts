/**
 * `sora tickets list [--shop ID] [--status open,pending] [--limit 50] [--json]` and
 * `sora tickets show ID | --shop ID --number N [--json]`: the tickets of the desk (models/ticket.ts),
 * read from MongoDB. Changes go through the desk API (the ticket's workflow owns them).
 */
import { parseArgs } from 'node:util';
import { ticketView } from '../../models/ticket-records.js';
import { TICKET_STATUSES, TicketModel, type TicketStatus } from '../../models/ticket.js';
import type { CommandResult } from './policies.js';
import { fail, textTable, withCliDatabase } from './support.js';

export const TICKETS_USAGE = `sora tickets list [--shop ID] [--status open,pending] [--limit 50] [--json]
sora tickets show ID | --shop ID --number N [--json]`;

export async function run(args: string[]): Promise<void> {
  const r = await withCliDatabase(() => runTicketsCommand(args));
  if (r.usage) fail(r.usage);
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.code;
}

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');

/** Needs a connected MongoDB. */
export async function runTicketsCommand(args: string[]): Promise<CommandResult> {
  const [sub, ...rest] = args;
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        shop: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string' },
        number: { type: 'string' },
        json: { type: 'boolean' },
      },
    }));
  } catch (e) {
    return { code: 2, usage: `${(e as Error).message}\n${TICKETS_USAGE}` };
  }
  if (sub === 'list') {
    const statuses = (values.status?.split(',').map((s) => s.trim()) ?? ['open', 'pending', 'on_hold']) as TicketStatus[];
    const bad = statuses.filter((s) => !(TICKET_STATUSES as readonly string[]).includes(s));
    if (bad.length)
      return { code: 2, usage: `--status: unknown ${bad.join(', ')} (one of ${TICKET_STATUSES.join(', ')})\n${TICKETS_USAGE}` };
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return { code: 2, usage: `--limit takes 1 to 1000\n${TICKETS_USAGE}` };
    const docs = await TicketModel.find(
      { ...(values.shop ? { shopId: values.shop } : {}), status: { $in: statuses } },
      { events: 0, replies: 0 },
    )
      .sort({ dueAt: 1, createdAt: 1 })
      .limit(limit)
      .lean();
    const views = docs.map((d) => ticketView(d as unknown as Parameters<typeof ticketView>[0]));
    if (values.json) return { code: 0, stdout: `${JSON.stringify(views, null, 2)}\n` };
    if (!views.length) return { code: 0, stdout: 'no tickets\n' };
    return {
      code: 0,
      stdout: textTable(
        ['shop', 'number', 'status', 'priority', 'due (UTC)', 'assignee', 'subject'],
        views.map((t) => [
          t.shopId,
          `T-${t.number}`,
          t.status,
          t.priority,
          `${when(t.dueAt)}${t.breachedAt ? ' (breached)' : ''}`,
          t.assigneeId ?? '-',
          t.subject,
        ]),
      ),
    };
  }
  if (sub === 'show') {
    const id = positionals[0];
    const filter = id ? { _id: id } : values.shop && values.number ? { shopId: values.shop, number: Number(values.number) } : null;
    if (!filter) return { code: 2, usage: `tickets show needs an ID, or --shop and --number\n${TICKETS_USAGE}` };
    const t = await TicketModel.findOne(filter).lean();
    if (!t) return { code: 1, stderr: `sora tickets show: no such ticket\n` };
    const v = ticketView(t);
    if (values.json) return { code: 0, stdout: `${JSON.stringify({ ticket: v, events: t.events, replies: t.replies }, null, 2)}\n` };
    const lines = [
      `T-${v.number} (${v.id}) ${v.subject}`,
      `shop ${v.shopId} · ${v.status} · ${v.priority} · source ${v.source} · assignee ${v.assigneeId ?? '-'}`,
      `buyer ${v.channel}:${v.buyerId} · order ${v.orderNumber ?? '-'} · parcel ${v.trackingNumber ?? '-'} · tags ${v.tags.join(', ') || '-'}`,
      `due ${when(v.dueAt)} UTC${v.breachedAt ? ` · breached ${when(v.breachedAt)}` : ''}`,
      '',
      ...(t.events ?? []).map((e) => `${when(e.at.toISOString())}  ${e.kind.padEnd(9)} ${e.text}${e.by ? ` (${e.by})` : ''}`),
    ];
    return { code: 0, stdout: `${lines.join('\n')}\n` };
  }
  return { code: 2, usage: `unknown tickets command "${sub ?? ''}"\n${TICKETS_USAGE}` };
}
