/**
 * The `sora` command line (from a checkout: `npm run -s sora -- <command>`).
 *
 *   sora start                                   same as npm start
 *   sora eval --kb FILE --cases FILE [--shots N] [--seed S] [--model ID] [--label-column C] [--json]
 *   sora dataset split --in FILE [--dev 0.2] [--seed 7] [--out DIR]
 *   sora kb import FILE --shop ID                 FAQ workbook (.xlsx / .csv)
 *   sora kb missed --shop ID [--limit 50] [--json] top unmatched questions, clustered
 *   sora orders import FILE --shop ID [--strict]  orders file (.xlsx / .csv), one row per item
 *   sora orders list --shop ID [--json]            the shop's stored orders
 *   sora carriers list [--json]                    the carrier registry (activities/logistics/carriers.ts)
 *   sora carriers detect NUMBER [--json]           which carriers a tracking number can belong to
 *   sora carriers keys set|rotate|list|remove …    a shop's own carrier API keys and their expiry
 *   sora track NUMBER [--carrier HINT] [--shop ID]  track a parcel with the SORA_* carrier credentials (JSON);
 *                                                  --shop uses that shop's own keys first
 *   sora policies check FILE                      validate a return-policy file (YAML/JSON)
 *   sora policies match FILE --country CC [--category C] [--sku S] [--reason R] [--lang L]
 *   sora customs check FILE                       validate a customs-delays file
 *   sora coupons import|generate|list|enable|disable --shop ID   coupon pool for the silence nudge
 * The kb, orders and coupons commands use MONGODB_URI (default: the embedded stack's mongodb://127.0.0.1:27017/sora).
 */
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../infra/config/index.js';
import { cliMongoUri, textTable, withCliDatabase } from './cli-support.js';
import { runEval } from './eval/eval.js';
import { splitFile } from './eval/split.js';

let loaded: Config | undefined;
/**
 * The configuration, parsed once, when a command first needs it (so `sora carriers detect` works
 * whatever else the environment holds); a ConfigError lists every problem.
 */
const config = (): Config => (loaded ??= loadConfig());

const USAGE = `usage:
  sora start
  sora eval --kb FILE.csv --cases FILE.(csv|jsonl) [--shots N] [--seed S] [--model ID|DIR] [--label-column C] [--json]
  sora dataset split --in FILE.csv [--dev 0.2] [--seed 7] [--out DIR]
  sora kb import FILE.(xlsx|csv) --shop ID
  sora kb missed --shop ID [--limit 50] [--json]
  sora orders import FILE.(xlsx|csv) --shop ID [--strict]
  sora orders list --shop ID [--json]
  sora carriers list [--json]
  sora carriers detect NUMBER [--json]
  sora carriers keys set --shop ID --carrier dhl|17track --api-key KEY|- [--expires YYYY-MM-DD] [--base-url URL]
  sora carriers keys set --shop ID --carrier ups|fedex|usps --client-id ID --client-secret SECRET|- [--expires YYYY-MM-DD]
  sora carriers keys rotate …   (as set; the key must exist)
  sora carriers keys list [--shop ID] [--json]
  sora carriers keys remove --shop ID --carrier C
  sora track NUMBER [--carrier HINT] [--shop ID]
  sora policies check FILE.(yaml|json)
  sora policies match FILE.(yaml|json) --country CC [--category C] [--sku S] [--reason R] [--lang L]
  sora customs check FILE.(yaml|json)
  sora coupons import FILE.csv --shop ID        columns code,discount[,expires_at]
  sora coupons generate --shop ID --count N --discount "10%"|"5 USD" [--prefix P] [--length 8] [--expires YYYY-MM-DD]
  sora coupons list --shop ID [--json]
  sora coupons enable|disable --shop ID          coupon in the silence nudge`;

function fail(msg: string): never {
  process.stderr.write(`sora: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const err = (m: string) => process.stderr.write(`${m}\n`);
  switch (cmd) {
    case 'start':
      await import('./start.js');
      return;
    case 'eval': {
      const { values } = parseArgs({
        args: rest,
        options: {
          kb: { type: 'string' },
          cases: { type: 'string' },
          shots: { type: 'string' },
          seed: { type: 'string' },
          model: { type: 'string' },
          fusion: { type: 'string' },
          'label-column': { type: 'string' },
          json: { type: 'boolean' },
        },
      });
      if (!values.kb || !values.cases) fail('eval needs --kb and --cases');
      const shots = values.shots === undefined ? undefined : Number(values.shots);
      if (shots !== undefined && (!Number.isInteger(shots) || shots < 1)) fail('--shots must be a positive integer');
      const r = await runEval({
        kb: values.kb,
        cases: values.cases,
        shots,
        seed: values.seed ? Number(values.seed) : 1,
        model: values.model,
        fusion: values.fusion ? Number(values.fusion) : undefined,
        labelColumn: values['label-column'],
        embedding: config().embedding,
        classifier: config().understanding,
        log: err,
      });
      const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
      process.stdout.write(`model ${r.model}; KB ${r.kb_rows} rows, ${r.labels} labels; ${r.n} cases\n`);
      process.stdout.write(
        `top-1 accuracy ${pct(r.accuracy)}   macro-F1 ${pct(r.macro_f1)}   latency p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms per query   calibration error (ECE) ${r.ece}   memory ${r.rss_mb} MB RSS\n`,
      );
      for (const [lang, v] of Object.entries(r.per_lang)) process.stdout.write(`  ${lang.padEnd(6)} ${pct(v.accuracy)}  (n=${v.n})\n`);
      if (values.json)
        process.stdout.write(
          `${JSON.stringify({ accuracy: r.accuracy, macro_f1: r.macro_f1, n: r.n, per_lang: r.per_lang, p50_ms: r.p50_ms, p95_ms: r.p95_ms, ece: r.ece, model: r.model, rss_mb: r.rss_mb })}\n`,
        );
      return;
    }
    case 'dataset': {
      if (rest[0] !== 'split') fail('unknown dataset command');
      const { values } = parseArgs({
        args: rest.slice(1),
        options: { in: { type: 'string' }, dev: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
      });
      if (!values.in) fail('dataset split needs --in');
      const r = splitFile(values.in, values.out ?? '.sora/eval', Number(values.dev ?? 0.2), Number(values.seed ?? 7));
      process.stdout.write(`train ${r.sizes[0]} rows → ${r.train}\ndev   ${r.sizes[1]} rows → ${r.dev}\n`);
      return;
    }
    case 'kb': {
      const sub = rest[0];
      const { values, positionals } = parseArgs({
        args: rest.slice(1),
        allowPositionals: true,
        options: { shop: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
      });
      if (!values.shop) fail(`kb ${sub ?? ''} needs --shop ID`);
      const { connectMongo, disconnectMongo } = await import('../models/connection.js');
      await connectMongo(cliMongoUri(config()));
      try {
        if (sub === 'import') {
          const file = positionals[0];
          if (!file) fail('kb import needs a FILE');
          const { importKb } = await import('../activities/knowledge/kb-import.js');
          const { KbValidationError } = await import('../activities/knowledge/kb-workbook.js');
          const { sharedEmbedder } = await import('../activities/knowledge/embedder.js');
          try {
            const r = await importKb(values.shop, file, { embedder: sharedEmbedder(config().embedding), progress: (m) => err(`  ${m}`) });
            for (const w of r.warnings) err(`warning: ${w}`);
            process.stdout.write(
              `imported ${r.entries} entries (${r.phrasings} phrasings) into shop ${r.shopId}: ${r.created} new, ${r.updated} updated, ${r.removed} removed; KB version ${r.kbVersion}; ${r.ms} ms\n`,
            );
          } catch (e) {
            if (e instanceof KbValidationError) {
              process.stderr.write(`${e.message}\n`);
              process.exitCode = 1;
              return;
            }
            throw e;
          }
        } else if (sub === 'missed') {
          const { topMissed } = await import('../activities/knowledge/missed-questions.js');
          const clusters = await topMissed(values.shop, {
            limit: values.limit ? Number(values.limit) : 50,
            model: config().embedding.model,
          });
          if (values.json) process.stdout.write(`${JSON.stringify(clusters)}\n`);
          else if (clusters.length === 0) process.stdout.write(`no unmatched questions for shop ${values.shop}\n`);
          else
            clusters.forEach((c, i) =>
              process.stdout.write(
                `${String(i + 1).padStart(2)}. ×${c.count}  ${c.representative}\n      e.g. ${c.examples.join(' | ')}  [${Object.entries(
                  c.languages,
                )
                  .map(([l, n]) => `${l}:${n}`)
                  .join(' ')}]\n`,
              ),
            );
        } else fail(`unknown kb command "${sub ?? ''}"`);
      } finally {
        await disconnectMongo();
      }
      return;
    }
    case 'orders': {
      const sub = rest[0];
      const { values, positionals } = parseArgs({
        args: rest.slice(1),
        allowPositionals: true,
        options: { shop: { type: 'string' }, strict: { type: 'boolean' }, json: { type: 'boolean' } },
      });
      if (sub !== 'import' && sub !== 'list') fail(`unknown orders command "${sub ?? ''}"`);
      if (!values.shop) fail(`orders ${sub} needs --shop ID`);
      if (sub === 'import' && !positionals[0]) fail('orders import needs a FILE');
      const { runOrdersCommand } = await import('./orders-commands.js');
      const { fxRates } = await import('../activities/commerce/orders/fx.js');
      const rates = fxRates(config().orders.fxUsdRates);
      const r = await withCliDatabase(config(), () =>
        runOrdersCommand(sub, { shop: values.shop!, file: positionals[0], strict: values.strict, json: values.json, rates }),
      );
      if (r.stdout) process.stdout.write(r.stdout);
      if (r.stderr) process.stderr.write(r.stderr);
      process.exitCode = r.code;
      return;
    }
    case 'carriers': {
      const sub = rest[0];
      if (sub === 'keys') {
        const { runCarrierKeysCommand } = await import('./carrier-keys-commands.js');
        const { CarrierKeyError } = await import('../activities/logistics/carrier-keys.js');
        try {
          await runCarrierKeysCommand(rest.slice(1), { out: (s) => process.stdout.write(s), config: config() });
        } catch (e) {
          if (!(e instanceof CarrierKeyError)) throw e;
          process.stderr.write(`sora: ${e.message}\n`);
          process.exitCode = 2;
        }
        return;
      }
      const { values, positionals } = parseArgs({ args: rest.slice(1), allowPositionals: true, options: { json: { type: 'boolean' } } });
      const { registryAsJson, detectCarriers, trackingUrl } = await import('../activities/logistics/carriers.js');
      if (sub === 'list') {
        const list = registryAsJson();
        if (values.json) {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          textTable(
            ['id', 'name', 'client', 'check digit', 'countries', 'patterns'],
            list.map((c) => [
              c.id,
              c.name,
              c.client,
              c.checkDigit.join(', ') || '-',
              c.countries.join(' ') || 'any',
              c.patterns.join('  '),
            ]),
          ),
        );
        process.stdout.write(`${list.length} carriers; client "17track" = tracked through the aggregator\n`);
        return;
      }
      if (sub === 'detect') {
        const n = positionals[0];
        if (!n) fail('carriers detect needs a NUMBER');
        const found = detectCarriers(n).map((c) => ({
          carrier: c.carrier.id,
          name: c.carrier.name,
          pattern: c.pattern.name,
          checkDigit: c.checkDigit,
          client: c.carrier.client,
          aggregatorCode: c.aggregatorCode ?? null,
          trackingUrl: trackingUrl(c.carrier, n),
        }));
        if (values.json) process.stdout.write(`${JSON.stringify(found)}\n`);
        else if (found.length === 0) process.stdout.write(`no carrier format matches ${n}\n`);
        else
          process.stdout.write(
            textTable(
              ['carrier', 'pattern', 'check digit', 'client', 'tracking page'],
              found.map((f) => [f.carrier, f.pattern, f.checkDigit, f.client, f.trackingUrl]),
            ),
          );
        return;
      }
      fail(`unknown carriers command "${sub ?? ''}"`);
      return;
    }
    case 'track': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { carrier: { type: 'string' }, shop: { type: 'string' } },
      });
      const n = positionals[0];
      if (!n) fail('track needs a NUMBER');
      const { ParcelTracker } = await import('../activities/logistics/track.js');
      let credentials = config().carriers.credentials;
      if (values.shop) {
        const { connectMongo, disconnectMongo } = await import('../models/connection.js');
        const { credentialsForShop } = await import('../activities/logistics/carrier-keys.js');
        await connectMongo(cliMongoUri(config()));
        credentials = await credentialsForShop(values.shop, { base: credentials }).finally(() => disconnectMongo());
      }
      const result = await new ParcelTracker(credentials).track(n, values.carrier);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    case 'policies':
    case 'customs': {
      const { runConfigCommand } = await import('./config-commands.js');
      const r = runConfigCommand(cmd, rest);
      if (r.usage) fail(r.usage);
      if (r.stdout) process.stdout.write(r.stdout);
      if (r.stderr) process.stderr.write(r.stderr);
      process.exitCode = r.code;
      return;
    }
    case 'coupons': {
      const { runCouponCommand } = await import('./coupon-commands.js');
      const r = await withCliDatabase(config(), () => runCouponCommand(rest, { progress: (m) => err(`  ${m}`) }));
      if (r.usage) fail(r.usage);
      if (r.stdout) process.stdout.write(r.stdout);
      if (r.stderr) process.stderr.write(r.stderr);
      process.exitCode = r.code;
      return;
    }
    default:
      fail(cmd ? `unknown command "${cmd}"` : 'no command');
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`sora: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
