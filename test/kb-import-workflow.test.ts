/**
 * FAQ workbook uploads through the operator API (issue 14 items 12 and 5): every bad file gets a 4xx
 * naming the problem before any work (zip bomb, non-zip .xlsx, malformed CSV, Latin-1, oversize cell,
 * too many rows, too large), and a good one is imported by the `kbImport` workflow on its own task
 * queue: 202 at once, progress while it embeds, cancel with the old KB intact.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { crc32, deflateRawSync, createDeflateRaw } from 'node:zlib';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import ExcelJS from 'exceljs';
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Embedder } from '../activities/knowledge/embedder.js';
import { MINILM_ID } from '../activities/knowledge/embedding-models.js';
import { errorHandler } from '../bots/http-errors.js';
import { operatorRoutes } from '../bots/operator.js';
import { disconnectMongo } from '../models/connection.js';
import { FaqEntryModel } from '../models/faq-entry.js';
import { KbImportRowModel } from '../models/kb-import.js';
import { ShopModel } from '../models/shop.js';
import { operatorServices } from '../scripts/operator-services.js';
import { createImportWorker } from '../scripts/worker.js';
import { conversationConfig } from '../temporal.config.js';
import { defaultStrategy, kbImportProgress, kbImportWorkflowId } from '../workflows/contract.js';
import { eventually, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';
import { loadConfig } from '../infra/config/index.js';
import { conversationWorkflowId } from '../infra/channel-contract.js';
import { MessageModel } from '../models/message.js';
import { startApp } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';

const MB = 1024 ** 2;
const QUEUE = `sora-imports-test-${process.pid}`;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let connection: Connection;
let native: NativeConnection;
let worker: Worker;
let workerRun: Promise<void>;
let server: import('node:http').Server;
let base: string;
let client: Client;

beforeAll(async () => {
  await useFreshDatabase('sora_kb_workflow');
  await ShopModel.create({ shopId: 'imp', name: 'Import shop', defaultLanguage: 'en' });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  const app = express();
  app.use(
    '/operator',
    operatorRoutes(
      client,
      operatorServices(defaultStrategy(conversationConfig()), {
        kbImport: { client, taskQueue: QUEUE, maxUploadBytes: 2 * MB, maxUnzippedBytes: 8 * MB, maxRows: 5000, maxCellChars: 4000 },
      }),
      OPERATOR_TOKEN,
    ),
  );
  app.use(errorHandler(() => {}));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/operator/shops/imp/kb`;
  native = await NativeConnection.connect({ address: inject('temporalAddress') });
  // The small English model, no vector cache (every import really embeds), small batches (frequent heartbeats).
  const embedder = new Embedder({ model: MINILM_ID, cacheDir: false, batchSize: 8 });
  worker = await createImportWorker({ connection: native, namespace: 'default', taskQueue: QUEUE, embedder });
  workerRun = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun?.catch(() => undefined);
  await native?.close();
  server?.close();
  await connection?.close();
  await disconnectMongo();
});

/** Every /operator route needs a credential: the env-style token here (SORA_OPERATOR_TOKEN). */
const OPERATOR_TOKEN = 'kb-import-test-token';
const opFetch = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(init.headers as Record<string, string>) } });

const post = (body: Buffer | string, type: string) =>
  opFetch(base, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });

/** A minimal .xlsx (zip) with the given parts; `lie` replaces the declared uncompressed size of a part. */
function zip(parts: { name: string; data: Buffer; usize: number; crc: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(8, 8);
    h.writeUInt32LE(p.crc, 14);
    h.writeUInt32LE(p.data.length, 18);
    h.writeUInt32LE(p.usize, 22);
    h.writeUInt16LE(name.length, 26);
    locals.push(h, name, p.data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(p.crc, 16);
    c.writeUInt32LE(p.data.length, 20);
    c.writeUInt32LE(p.usize, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + p.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const part = (name: string, text: string) => {
  const data = Buffer.from(text);
  return { name, data: deflateRawSync(data), usize: data.length, crc: crc32(data) };
};

/** A workbook whose sheet is `rows` identical valid rows (≈ 80 bytes each), deflated as a stream: ~1000:1. */
async function bombSheet(rows: number): Promise<{ name: string; data: Buffer; usize: number; crc: number }> {
  const head = Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
  );
  const row = Buffer.from('<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>'.repeat(1000));
  const tail = Buffer.from('</sheetData></worksheet>');
  const z = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  z.on('data', (b: Buffer) => out.push(b));
  const done = once(z, 'end');
  let crc = crc32(head);
  let usize = head.length;
  z.write(head);
  for (let i = 0; i < rows / 1000; i++) {
    crc = crc32(row, crc);
    usize += row.length;
    if (!z.write(row)) await once(z, 'drain');
  }
  crc = crc32(tail, crc);
  usize += tail.length;
  z.end(tail);
  await done;
  return { name: 'xl/worksheets/sheet1.xml', data: Buffer.concat(out), usize, crc };
}

const workbookParts = () => [
  part(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  ),
  part(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  ),
  part(
    'xl/workbook.xml',
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="FAQ" sheetId="1" r:id="rId1"/></sheets></workbook>',
  ),
  part(
    'xl/_rels/workbook.xml.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
  ),
];

/** `n` FAQ rows, one phrasing each, prefixed so that two workbooks differ. */
function csvRows(n: number, prefix: string): string {
  const lines = ['question_id,intent,question,answer'];
  for (let i = 0; i < n; i++)
    lines.push(
      `${prefix}-${i},product_info,"${prefix} question ${i}: how long does the item number ${i} take to arrive in my country, and can I change the colour or size afterwards?",Answer ${i} of ${prefix}.`,
    );
  return lines.join('\n') + '\n';
}

async function waitFor(importId: string, statuses: string[], timeoutMs = 90_000) {
  return eventually(
    async () => {
      const s = (await (await opFetch(`${base}/imports/${importId}`)).json()) as { status: string };
      return statuses.includes(s.status) ? s : null;
    },
    timeoutMs,
    `import ${importId} to reach ${statuses.join('/')}`,
  );
}

describe('KB upload: bad files get a 4xx naming the problem, before any work', () => {
  it('a zip bomb .xlsx (≈300 KB inflating to ≈300 MB) → 413 from the zip directory; the process does not grow', async () => {
    const sheet = await bombSheet(4_300_000);
    const bomb = zip([...workbookParts(), sheet]);
    expect(bomb.length).toBeLessThan(2 * MB);
    expect(sheet.usize).toBeGreaterThan(280 * MB);
    const rss0 = process.memoryUsage().rss;
    const r = await post(bomb, XLSX);
    const body = (await r.json()) as { error: string; message: string };
    expect(r.status).toBe(413);
    expect(body.error).toBe('xlsx_too_large_uncompressed');
    expect(body.message).toMatch(/inflates to more than 8\.0 MB.*SORA_KB_MAX_UNZIPPED/);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(100 * MB);
    // The same bomb with a directory that lies (declares 1 KB): the capped inflate stops it.
    const liar = zip([...workbookParts(), { ...sheet, usize: 1000 }]);
    const r2 = await post(liar, XLSX);
    expect(r2.status).toBe(413);
    expect(((await r2.json()) as { message: string }).message).toMatch(/inflates past its declared size.*zip bomb/);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(100 * MB);
    expect(await KbImportRowModel.countDocuments()).toBe(0);
  });

  it('a file that is not a zip, sent as .xlsx → 415 saying what an .xlsx is', async () => {
    const r = await post('question_id,question,answer\na,b,c\n', XLSX);
    expect(r.status).toBe(415);
    const body = (await r.json()) as { error: string; message: string };
    expect(body.error).toBe('not_an_xlsx');
    expect(body.message).toMatch(/not an \.xlsx workbook.*zip/);
  });

  it('a malformed CSV (unclosed quote) → 422 naming the row', async () => {
    const r = await post('question_id,question,answer\nq1,Where is it?,Here.\nq2,"Unclosed,Answer\nq3,Ok?,Yes\n', 'text/csv');
    expect(r.status).toBe(422);
    const body = (await r.json()) as { problems: { row: number; message: string }[] };
    expect(body.problems[0]).toMatchObject({ row: 3 });
    expect(body.problems[0]!.message).toMatch(/malformed CSV.*Quote Not Closed/);
  });

  it('charset=latin1 → 415 naming the charset; Latin-1 bytes without a charset → 422 naming the row', async () => {
    const r = await post('question_id,question,answer\nq1,Where is it?,Here.\n', 'text/csv; charset=latin1');
    expect(r.status).toBe(415);
    expect(((await r.json()) as { message: string }).message).toMatch(/charset "latin1" is not supported.*UTF-8/);
    const latin1 = Buffer.from('question_id,question,answer\nq1,Where?,Here.\nq2,¿Dónde está?,Aquí.\n', 'latin1');
    const r2 = await post(latin1, 'text/csv');
    expect(r2.status).toBe(422);
    expect(((await r2.json()) as { problems: { row: number; message: string }[] }).problems[0]).toMatchObject({
      row: 3,
      message: expect.stringMatching(/not UTF-8/),
    });
  });

  it('an oversize answer_es cell (5 MB) → 422 naming row, column and cell; nothing imported', async () => {
    const huge = 'ñ'.repeat(5 * MB);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('FAQ');
    ws.addRow(['question_id', 'question', 'answer', 'answer_es']);
    ws.addRow(['ok', 'Is it ok?', 'Yes.', 'Sí.']);
    ws.addRow(['big', 'Big answer?', 'Short.', huge.slice(0, 200_000)]);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await post(xlsx, XLSX);
    expect(r.status).toBe(422);
    const body = (await r.json()) as { problems: { row: number; column: string; cell: string; message: string }[] };
    expect(body.problems).toEqual([
      { row: 3, column: 'answer_es', cell: 'D3', message: 'the cell is 200000 characters (max 4000, SORA_KB_MAX_CELL)' },
    ]);
    // The 5 MB cell itself: too large a body for this deployment's 2 MB limit → 413 naming the variable.
    const r2 = await post(`question_id,question,answer,answer_es\nbig,Big?,Short.,${huge}\n`, 'text/csv; charset=utf-8');
    expect(r2.status).toBe(413);
    expect(((await r2.json()) as { message: string }).message).toMatch(/larger than 2\.0 MB \(SORA_KB_MAX_UPLOAD\)/);
    expect(await FaqEntryModel.countDocuments({ shopId: 'imp' })).toBe(0);
  });

  it('more rows than SORA_KB_MAX_ROWS → 413', async () => {
    const r = await post(csvRows(5000, 'many'), 'text/csv');
    expect(r.status).toBe(413);
    expect(((await r.json()) as { message: string }).message).toMatch(/5001 rows; the limit is 5000 \(SORA_KB_MAX_ROWS\)/);
  });
});

describe('KB import workflow', () => {
  it('imports in the background: 202, progress, then done with the result', async () => {
    const r = await post(csvRows(120, 'v1'), 'text/csv');
    expect(r.status).toBe(202);
    const started = (await r.json()) as { importId: string; entries: number; statusUrl: string };
    expect(started.entries).toBe(120);
    expect(started.statusUrl).toBe(`/operator/shops/imp/kb/imports/${started.importId}`);
    const done = (await waitFor(started.importId, ['done', 'failed'])) as unknown as {
      status: string;
      progress: { embedded: number; total: number; percent: number };
      result: { entries: number; created: number; kbVersion: number };
    };
    expect(done).toMatchObject({ status: 'done', progress: { embedded: 120, total: 120, percent: 100 } });
    expect(done.result).toMatchObject({ entries: 120, created: 120, kbVersion: 1 });
    expect(await FaqEntryModel.countDocuments({ shopId: 'imp' })).toBe(120);
    expect(await KbImportRowModel.countDocuments()).toBe(0);
    const unknown = await opFetch(`${base}/imports/nope`);
    expect(unknown.status).toBe(404);
    expect((await opFetch(`${base}/imports/${started.importId}`, { method: 'DELETE' })).status).toBe(409);
  });

  it('a 2,000-row import reports progress and a cancel stops it with the old KB intact', async () => {
    const r = await post(csvRows(2000, 'v2'), 'text/csv');
    expect(r.status).toBe(202);
    const { importId } = (await r.json()) as { importId: string };
    // A second upload while this one runs: 409.
    expect((await post(csvRows(3, 'v3'), 'text/csv')).status).toBe(409);
    const handle = client.workflow.getHandle(kbImportWorkflowId(importId));
    await eventually(
      async () => {
        const s = (await (await opFetch(`${base}/imports/${importId}`)).json()) as { progress: { embedded: number } };
        return s.progress.embedded >= 16;
      },
      60_000,
      'some rows embedded',
    );
    const q = await eventually(async () => {
      const p = await handle.query(kbImportProgress);
      return p.status === 'embedding' ? p : null;
    });
    expect(q.total).toBe(2000);
    const del = await opFetch(`${base}/imports/${importId}`, { method: 'DELETE' });
    expect(del.status).toBe(202);
    const end = (await waitFor(importId, ['cancelled', 'done', 'failed'])) as unknown as {
      status: string;
      progress: { embedded: number };
    };
    expect(end.status).toBe('cancelled');
    expect(end.progress.embedded).toBeLessThan(2000);
    await expect(handle.result()).rejects.toThrow();
    // The KB is the first import's, untouched; nothing staged is left.
    expect(await FaqEntryModel.countDocuments({ shopId: 'imp' })).toBe(120);
    expect(await FaqEntryModel.countDocuments({ shopId: 'imp', questionId: /^v2-/ })).toBe(0);
    expect((await ShopModel.findOne({ shopId: 'imp' }).lean())?.kbVersion).toBe(1);
    expect(await KbImportRowModel.countDocuments({ importId })).toBe(0);
    // Another import may start now.
    const again = await post(csvRows(3, 'v3'), 'text/csv');
    expect(again.status).toBe(202);
    await waitFor(((await again.json()) as { importId: string }).importId, ['done']);
    expect(await FaqEntryModel.countDocuments({ shopId: 'imp' })).toBe(3);
  });
});

describe('the app: an import runs beside conversations', () => {
  it('while a 6,000-row import embeds on the imports queue, a buyer on web chat still gets a reply', async () => {
    // The small English model keeps this affordable on 2 cores (seeding, index, import).
    await seedDemoShop('demo', { embedder: new Embedder({ model: MINILM_ID }) });
    await ShopModel.create({ shopId: 'bulk', name: 'Bulk shop', defaultLanguage: 'en' });
    const config = loadConfig({
      SORA_IMPORT_TASK_QUEUE: `${QUEUE}-app`,
      SORA_OPERATOR_TOKEN: OPERATOR_TOKEN,
      SORA_CARRIER_KEY_AUDIT: 'off',
      SORA_LOG_LEVEL: 'WARN',
      SORA_EMBED_MODEL: MINILM_ID,
      SORA_EMBED_BATCH: '8',
    });
    const app = await startApp({
      config,
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      webchatPollMs: 200,
    });
    try {
      const kb = `${app.gateway.url}/operator/shops/bulk/kb`;
      const r = await opFetch(kb, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csvRows(6000, 'bulk') });
      expect(r.status).toBe(202);
      const { importId } = (await r.json()) as { importId: string };
      const status = async () =>
        (await (await opFetch(`${kb}/imports/${importId}`)).json()) as { status: string; progress: { embedded: number } };
      await eventually(async () => (await status()).progress.embedded > 0, 60_000, 'the import to start embedding');
      const session = await webchatSession(app.gateway.url);
      const buyerId = session.buyerId;
      const sent = await webchatPost(app.gateway.url, session, { messageId: 'm1', text: 'How long does shipping take?' });
      expect(sent.status).toBe(202);
      const workflowId = conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId });
      await eventually(() => MessageModel.findOne({ workflowId, direction: 'out', author: 'bot' }).lean(), 60_000, 'the bot reply');
      // The import was still running when the reply went out: it did not hold the conversation back.
      expect((await status()).status).toBe('embedding');
      expect((await opFetch(`${kb}/imports/${importId}`, { method: 'DELETE' })).status).toBe(202);
      await eventually(async () => (await status()).status === 'cancelled', 60_000, 'the cancel');
      expect(await FaqEntryModel.countDocuments({ shopId: 'bulk' })).toBe(0);
    } finally {
      await app.stop();
    }
  }, 240_000);
});
