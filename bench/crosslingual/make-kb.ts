/**
 * Writes bench/crosslingual/kb-en.csv: the demo shop's FAQ (scripts/demo/demo-faq.csv) reduced to
 * its English phrasings, as `text,label,question_id` rows for `sora eval`. The cross-lingual dev set
 * (dev.csv) is scored against it: buyers write in 9 languages, the seller's FAQ is English only.
 *
 *   npx tsx bench/crosslingual/make-kb.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_FAQ_FILE } from '../../scripts/demo/demo-shop.js';
import { englishOnlyEntries, toLabeledCsv } from '../../scripts/eval/english-kb.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const entries = await englishOnlyEntries(DEMO_FAQ_FILE);
writeFileSync(path.join(here, 'kb-en.csv'), toLabeledCsv(entries));
const n = entries.reduce((s, e) => s + 1 + e.variants.length, 0);
process.stdout.write(`kb-en.csv: ${n} English phrasings of ${entries.length} entries\n`);
