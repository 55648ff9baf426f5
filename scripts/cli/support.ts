/** Small pieces the CLI commands share: usage and failure, the configuration, the database they talk to, plain-text tables. */
import { loadConfig, type Config } from '../../infra/config/index.js';
import { forTerminal } from '../../infra/terminal-text.js';
import { openSecretBox, type SecretBox } from '../../infra/secrets/index.js';

export const USAGE = `usage:
  sora start
  sora eval --kb FILE.csv --cases FILE.(csv|jsonl) [--shots N] [--seed S] [--model ID|DIR] [--label-column C]
            [--threshold X] [--min-similarity X] [--pivot-column C] [--align ridge|mean|off]
            [--report FILE.html] [--json]
  sora dataset split --in FILE.csv [--dev 0.2] [--seed 7] [--out DIR]
  sora kb import FILE.(xlsx|csv) --shop ID
  sora kb missed --shop ID [--limit 50] [--json]
  sora import-worker
  sora worker
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
  sora coupons enable|disable --shop ID          coupon in the silence nudge
  sora secrets status [--json]                  where the master key comes from; sealed secrets per key id
  sora secrets migrate                          seal the secrets still stored in plaintext
  sora secrets rotate-key [--settle 2s]         new master key, re-seal every secret, retire the old key
  sora shops create --id ID --name NAME [--default-language en] [--languages en,es,th] [--spanish-variant es|es-419]
                    [--time-zone Asia/Singapore] [--hours "mon-fri 09:00-18:00, sat 10:00-14:00"] [--sla-normal 24h]
                    [--auto-close-days 7] [--return-policy FILE] [--json]
  sora shops update --id ID [same settings] [--no-return-policy]
  sora shops list [--json]
  sora agents add --id ID --name NAME --shops demo,shop-b|'*' [--role agent|admin] [--email E] [--languages en,es] [--capacity 3] [--link]
  sora agents list [--shop ID] [--json]
  sora agents update --id ID [--name N] [--email E] [--role R] [--shops S] [--languages L] [--capacity N]
  sora agents disable|enable --id ID           disable ends their sessions; their API tokens stop working
  sora agents password --id ID                 the new password from stdin (never the command line)
  sora agents link --id ID                     a one-time sign-in link (24 h), shown once
  sora agents token create --id ID --name N | token list [--id ID] | token revoke --id ID TOKEN_ID
  sora shops strategy --shop ID [--nudge on|off] [--nudge-delay 30s] [--nudge-after any|question] [--nudge-max N]
                      [--coupon on|off] [--idle-close 10m] [--nps-delay 30m] [--reset FIELD] [--json]
  sora buyers export --shop ID --buyer ID [--channel C] [--out FILE]
  sora buyers forget --shop ID --buyer ID [--channel C] --yes
  sora operators token create --name NAME [--json]   a new operator API token (shown once)
  sora operators list [--json]                       operator credentials (never their tokens)
  sora operators revoke ID
  sora tickets list [--shop ID] [--status open,pending] [--limit 50] [--json]
  sora tickets show ID | --shop ID --number N [--json]
  sora usage --shop ID --month YYYY-MM [--json|--csv]   billable conversations and the billing estimate
  sora demo seed-month [--shop demo] [--days 30] | clear-month [--shop demo]   the synthetic demo month`;

/** A usage error: the message and the usage on stderr, exit code 2. */
export function fail(msg: string): never {
  process.stderr.write(`sora: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

/** A line on stderr (progress, warnings). */
export const err = (m: string) => process.stderr.write(`${m}\n`);

let loaded: Config | undefined;
/**
 * The configuration, parsed once, when a command first needs it (so `sora carriers detect` works
 * whatever else the environment holds); a ConfigError lists every problem.
 */
export const cliConfig = (): Config => (loaded ??= loadConfig());

let box: SecretBox | undefined;
/**
 * The master key (SORA_MASTER_KEY, else the key file under SORA_HOME, created if missing), opened
 * once for the commands that store or read secrets; a SecretsError says what is wrong with it.
 */
export const cliSecrets = (config: Pick<Config, 'secrets'> = cliConfig()): SecretBox => (box ??= openSecretBox(config.secrets));

/** MONGODB_URI, else the embedded stack's server (SORA_MONGO_PORT, default 27017), database `sora`. */
export function cliMongoUri(config: Pick<Config, 'mongo' | 'stack'> = cliConfig()): string {
  return config.mongo.uri ?? `mongodb://127.0.0.1:${config.stack.mongoPort}/sora`;
}

/** Run `fn` connected to the CLI's database (cliMongoUri); always disconnects. */
export async function withCliDatabase<T>(fn: () => Promise<T>): Promise<T> {
  // Imported here so that commands without a database do not load mongoose.
  const { connectMongo, disconnectMongo } = await import('../../models/connection.js');
  await connectMongo(cliMongoUri());
  try {
    return await fn();
  } finally {
    await disconnectMongo();
  }
}

/**
 * Left-aligned columns separated by two spaces, a dashed rule under the head; lines are right-trimmed.
 * Cells may hold buyer or platform text: terminal escapes and control characters are removed (forTerminal).
 */
export function textTable(head: string[], body: string[][]): string {
  const rows = body.map((r) => r.map((c) => forTerminal(c).replace(/[\t\n]/g, ' ')));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}
