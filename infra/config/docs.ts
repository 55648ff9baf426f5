/**
 * The README's configuration section, generated from the schema (`npm run docs:config`); a test
 * fails when the README differs from what this renders.
 */
import { CHANNEL_SPECS, type ChannelVarDoc } from './channels.js';
import type { Setting } from './fields.js';
import { SECTIONS } from './schema.js';

export const BEGIN = '<!-- BEGIN config: generated from infra/config by `npm run docs:config`; edit the schema, not this table -->';
export const END = '<!-- END config -->';

const cell = (s: string) => s.replace(/(?<!\\)\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string) => (s === '' ? '' : `\`${s}\``);

function row(name: string, d: Pick<Setting, 'kind' | 'default' | 'defaultNote' | 'description'>): string {
  const dflt = d.defaultNote ?? (d.default !== undefined && d.default !== '' ? code(d.default) : '–');
  return `| \`${name}\` | ${d.kind} | ${cell(dflt)} | ${cell(d.description)} |`;
}

const HEAD = ['| variable | kind | default | meaning |', '|---|---|---|---|'];

/** The Markdown between the markers. */
export function renderConfigDocs(): string {
  const out: string[] = [
    'Environment variables, parsed and validated once at start (`infra/config/`): every problem is',
    'reported at once, naming the variable, before anything starts. Durations accept `1500ms`, `30s`,',
    '`10m`, `24h`, `2d`; booleans `true`/`false` (also `on`/`off`, `yes`/`no`, `1`/`0`); empty counts as unset.',
  ];
  for (const s of SECTIONS) {
    out.push('', `**${s.title}**`, '', ...HEAD);
    for (const [name, setting] of Object.entries(s.settings)) out.push(row(name, setting));
  }
  out.push(
    '',
    "**Channels** (only the enabled channels' variables are read; set-up in [docs/channels/](docs/channels/))",
    '',
    ...HEAD,
    row('SORA_CHANNELS', {
      kind: 'list',
      default: 'webchat',
      description: `enabled channels, comma-separated: ${CHANNEL_SPECS.map((c) => `\`${c.id}\``).join(', ')}`,
    }),
  );
  for (const c of CHANNEL_SPECS) {
    const vars = Object.entries(c.vars) as [string, ChannelVarDoc][];
    if (vars.length === 0) continue;
    out.push('', `\`${c.id}\`: ${c.summary}`, '', ...HEAD);
    for (const [name, d] of vars) out.push(row(name, d));
  }
  return out.join('\n');
}

/** `text` with the section between the markers replaced by `body`; throws when the markers are missing. */
export function replaceSection(text: string, body: string): string {
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) throw new Error(`README.md has no configuration markers (${BEGIN} … ${END})`);
  return `${text.slice(0, b + BEGIN.length)}\n${body}\n${text.slice(e)}`;
}
