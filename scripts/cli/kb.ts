/** `sora kb import FILE --shop ID` (FAQ workbook) and `sora kb missed --shop ID` (top unmatched questions). */
import { parseArgs } from 'node:util';
import { cliConfig, err, fail, withCliDatabase } from './support.js';
import { forTerminal } from '../../infra/terminal-text.js';

export async function run(args: string[]): Promise<void> {
  const sub = args[0];
  const { values, positionals } = parseArgs({
    args: args.slice(1),
    allowPositionals: true,
    options: { shop: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  });
  const shop = values.shop;
  if (!shop) fail(`kb ${sub ?? ''} needs --shop ID`);
  await withCliDatabase(async () => {
    if (sub === 'import') await kbImport(shop, positionals[0]);
    else if (sub === 'missed') await kbMissed(shop, values);
    else fail(`unknown kb command "${sub ?? ''}"`);
  });
}

async function kbImport(shop: string, file: string | undefined): Promise<void> {
  if (!file) fail('kb import needs a FILE');
  const { importKb } = await import('../../activities/knowledge/kb-import.js');
  const { KbValidationError } = await import('../../activities/knowledge/kb-workbook.js');
  const { KbFileError } = await import('../../activities/knowledge/kb-limits.js');
  const { sharedEmbedder } = await import('../../activities/knowledge/embedder.js');
  try {
    const config = cliConfig();
    const { embedding, kbImport: limits } = config;
    const { configuredTranslator } = await import('../translation.js');
    const translator = configuredTranslator(config, (m) => err(m));
    const r = await importKb(shop, file, { embedder: sharedEmbedder(embedding), progress: (m) => err(`  ${m}`), limits, translator });
    for (const w of r.warnings) err(`warning: ${w}`);
    process.stdout.write(
      `imported ${r.entries} entries (${r.phrasings} phrasings) into shop ${r.shopId}: ${r.created} new, ${r.updated} updated, ${r.removed} removed; KB version ${r.kbVersion}; ${r.ms} ms\n`,
    );
  } catch (e) {
    if (e instanceof KbValidationError || e instanceof KbFileError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

async function kbMissed(shop: string, values: { limit?: string; json?: boolean }): Promise<void> {
  const { topMissed } = await import('../../activities/knowledge/missed-questions.js');
  const clusters = await topMissed(shop, { limit: values.limit ? Number(values.limit) : 50, model: cliConfig().embedding.model });
  if (values.json) process.stdout.write(`${JSON.stringify(clusters.map(({ questionIds: _ids, ...c }) => c))}\n`);
  else if (clusters.length === 0) process.stdout.write(`no unmatched questions for shop ${forTerminal(shop)}\n`);
  else process.stdout.write(missedText(clusters));
}

/** The clusters as text for the terminal: buyer questions lose escape sequences and controls (one line each). */
export function missedText(
  clusters: { count: number; representative: string; examples: string[]; languages: Record<string, number> }[],
): string {
  const line = (s: string) => forTerminal(s).replace(/[\t\n]+/g, ' ');
  return clusters
    .map(
      (c, i) =>
        `${String(i + 1).padStart(2)}. ×${c.count}  ${line(c.representative)}\n      e.g. ${c.examples.map(line).join(' | ')}  [${Object.entries(
          c.languages,
        )
          .map(([l, n]) => `${line(l)}:${n}`)
          .join(' ')}]\n`,
    )
    .join('');
}
