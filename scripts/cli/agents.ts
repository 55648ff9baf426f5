/**
 * `sora agents add|list|update|disable|enable|password|link|token`: the desk's agents
 * (models/agent-directory.ts: the same validator as /desk/api/agents). Passwords are read from
 * stdin, never from the command line; sign-in links and API tokens are printed once. Returns output
 * instead of printing so tests can call it directly; needs a connected MongoDB.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { AgentInputError, setAgentPassword } from '../../models/agent.js';
import { addAgent, AgentDirectoryError, getAgent, listAgents, updateAgent } from '../../models/agent-directory.js';
import { createAgentToken, listAgentTokens, revokeAgentToken } from '../../models/agent-token.js';
import { deleteAgentSessions } from '../../models/desk-session.js';
import { OperatorCredentialError } from '../../models/operator-credential.js';
import { createSignInLink, signInLinkUrl } from '../../models/sign-in-link.js';
import { deskBaseUrl } from '../desk-bootstrap.js';
import type { CommandResult } from './policies.js';
import { cliConfig, fail, textTable, withCliDatabase } from './support.js';

export const AGENTS_USAGE = `sora agents add --id ID --name NAME --shops demo,shop-b|'*' [--role agent|admin] [--email E] [--languages en,es] [--capacity 3] [--link] [--json]
sora agents list [--shop ID] [--json]
sora agents update --id ID [--name N] [--email E] [--role R] [--shops S] [--languages L] [--capacity N] [--json]
sora agents disable|enable --id ID
sora agents password --id ID            the new password from stdin (asked twice, not echoed, on a terminal)
sora agents link --id ID                a one-time sign-in link (24 h)
sora agents token create --id ID --name NAME [--json]   an API token acting as the agent (shown once)
sora agents token list [--id ID] [--json]
sora agents token revoke --id ID TOKEN_ID`;

export interface AgentsIo {
  /** The new password (`sora agents password`); default: stdin. */
  readPassword?: () => Promise<string>;
  /** Where links point; default: SORA_DESK_URL, else the configured gateway address. */
  baseUrl?: string;
}

export async function run(args: string[]): Promise<void> {
  const r = await withCliDatabase(() => runAgentsCommand(args));
  if (r.usage) fail(r.usage);
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.code;
}

/** A password from stdin: on a terminal asked twice without echo; otherwise the first line. */
export async function readPasswordFromStdin(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let data = '';
    for await (const chunk of stdin) {
      data += String(chunk);
      if (data.includes('\n')) break;
    }
    return data.split(/\r?\n/)[0] ?? '';
  }
  let muted = false;
  const out = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: stdin, output: out, terminal: true });
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      process.stderr.write(q);
      muted = true;
      rl.question('', (a) => {
        muted = false;
        process.stderr.write('\n');
        resolve(a);
      });
    });
  try {
    const a = await ask('New password: ');
    const b = await ask('Repeat it: ');
    if (a !== b) throw new AgentInputError('the two passwords differ');
    return a;
  } finally {
    rl.close();
  }
}

const OPTIONS = {
  id: { type: 'string' },
  name: { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string' },
  shops: { type: 'string' },
  shop: { type: 'string' },
  languages: { type: 'string' },
  capacity: { type: 'string' },
  link: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const problems = (cmd: string, e: AgentDirectoryError) => e.problems.map((p) => `sora agents ${cmd}: ${p.field}: ${p.problem}\n`).join('');

export async function runAgentsCommand(args: string[], io: AgentsIo = {}): Promise<CommandResult> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    return { code: 2, usage: `${(e as Error).message}\n${AGENTS_USAGE}` };
  }
  const { values, positionals } = parsed;
  const [sub, sub2, sub3] = positionals;
  const base = () => io.baseUrl ?? deskBaseUrl(cliConfig().gateway);
  const linkFor = async (id: string) => {
    const l = await createSignInLink(id);
    return `one-time sign-in link for ${id} (valid until ${l.expiresAt.toISOString()}, works once; shown only now):\n  ${signInLinkUrl(base(), l.token)}\n`;
  };
  const needId = (what: string): string | CommandResult => values.id ?? { code: 2, usage: `agents ${what} needs --id ID\n${AGENTS_USAGE}` };
  try {
    switch (sub) {
      case 'add': {
        if (!values.id || !values.name || !values.shops)
          return { code: 2, usage: `agents add needs --id, --name and --shops\n${AGENTS_USAGE}` };
        const input: Record<string, unknown> = { id: values.id, name: values.name, shopIds: values.shops };
        for (const k of ['email', 'role', 'languages', 'capacity'] as const) if (values[k] !== undefined) input[k] = values[k];
        const a = await addAgent(input);
        const link = values.link ? await linkFor(a.id) : '';
        if (values.json) return { code: 0, stdout: `${JSON.stringify(a)}\n${link}` };
        return {
          code: 0,
          stdout: `added agent ${a.id} (${a.name}, ${a.role}, shops ${a.shopIds.join(',')})\n${link || `They sign in first through a link: sora agents link --id ${a.id}\n`}`,
        };
      }
      case 'list': {
        const list = await listAgents(undefined, values.shop);
        if (values.json) return { code: 0, stdout: `${JSON.stringify(list)}\n` };
        if (!list.length) return { code: 0, stdout: 'no agents (sora agents add …)\n' };
        return {
          code: 0,
          stdout: textTable(
            ['id', 'name', 'role', 'shops', 'languages', 'capacity', 'password', 'status'],
            list.map((a) => [
              a.id,
              a.name,
              a.role,
              a.shopIds.join(','),
              a.languages.join(',') || '-',
              String(a.capacity),
              a.hasPassword ? 'set' : 'not yet',
              a.disabled ? 'DISABLED' : a.presence,
            ]),
          ),
        };
      }
      case 'update': {
        const id = needId('update');
        if (typeof id !== 'string') return id;
        const change: Record<string, unknown> = {};
        for (const k of ['name', 'email', 'role', 'languages', 'capacity'] as const) if (values[k] !== undefined) change[k] = values[k];
        if (values.shops !== undefined) change.shopIds = values.shops;
        if (!Object.keys(change).length) return { code: 2, usage: `agents update: nothing to change\n${AGENTS_USAGE}` };
        const a = await updateAgent(id, change);
        return {
          code: 0,
          stdout: values.json
            ? `${JSON.stringify(a)}\n`
            : `updated agent ${a.id} (${a.role}, shops ${a.shopIds.join(',')}, languages ${a.languages.join(',') || '-'}, capacity ${a.capacity})\n`,
        };
      }
      case 'disable':
      case 'enable': {
        const id = needId(sub);
        if (typeof id !== 'string') return id;
        await updateAgent(id, { disabled: sub === 'disable' });
        return {
          code: 0,
          stdout: sub === 'disable' ? `disabled ${id}: their sessions ended and their API tokens no longer work\n` : `enabled ${id}\n`,
        };
      }
      case 'password': {
        const id = needId('password');
        if (typeof id !== 'string') return id;
        if (!(await getAgent(id))) return { code: 1, stderr: `sora agents password: no agent "${id}"\n` };
        const password = await (io.readPassword ?? readPasswordFromStdin)();
        await setAgentPassword(id, password);
        const ended = await deleteAgentSessions(id);
        return { code: 0, stdout: `password of ${id} set${ended ? `; ${ended} session${ended === 1 ? '' : 's'} ended` : ''}\n` };
      }
      case 'link': {
        const id = needId('link');
        if (typeof id !== 'string') return id;
        const a = await getAgent(id);
        if (!a) return { code: 1, stderr: `sora agents link: no agent "${id}"\n` };
        if (a.disabled) return { code: 1, stderr: `sora agents link: ${id} is disabled (sora agents enable --id ${id})\n` };
        return { code: 0, stdout: await linkFor(id) };
      }
      case 'token': {
        if (sub2 === 'create') {
          if (!values.id || !values.name) return { code: 2, usage: `agents token create needs --id and --name\n${AGENTS_USAGE}` };
          if (!(await getAgent(values.id))) return { code: 1, stderr: `sora agents token create: no agent "${values.id}"\n` };
          const t = await createAgentToken(values.id, values.name);
          return {
            code: 0,
            stdout: values.json
              ? `${JSON.stringify({ ...t, agentId: values.id })}\n`
              : `created API token ${t.id} (${t.name}) acting as agent ${values.id}\ntoken ${t.token}\n` +
                'It is shown this once only; send it as "Authorization: Bearer <token>" on /desk/api routes.\n',
          };
        }
        if (sub2 === 'list') {
          const list = await listAgentTokens(values.id);
          if (values.json) return { code: 0, stdout: `${JSON.stringify(list)}\n` };
          if (!list.length) return { code: 0, stdout: 'no agent API tokens\n' };
          return {
            code: 0,
            stdout: textTable(
              ['id', 'agent', 'name', 'created', 'last used', 'revoked'],
              list.map((t) => [t.id, t.agentId, t.name, t.createdAt, t.lastUsedAt ?? '-', t.revokedAt ?? '-']),
            ),
          };
        }
        if (sub2 === 'revoke') {
          if (!values.id || !sub3) return { code: 2, usage: `agents token revoke needs --id AGENT and the TOKEN_ID\n${AGENTS_USAGE}` };
          const r = await revokeAgentToken(values.id, sub3);
          if (r === 'unknown') return { code: 1, stderr: `sora agents token revoke: agent ${values.id} has no token ${sub3}\n` };
          return { code: 0, stdout: r === 'revoked' ? `revoked ${sub3}\n` : `${sub3} was already revoked\n` };
        }
        return { code: 2, usage: `unknown agents token command "${sub2 ?? ''}"\n${AGENTS_USAGE}` };
      }
      default:
        return { code: 2, usage: `unknown agents command "${sub ?? ''}"\n${AGENTS_USAGE}` };
    }
  } catch (e) {
    if (e instanceof AgentDirectoryError) return { code: 1, stderr: problems(sub!, e) };
    if (e instanceof AgentInputError || e instanceof OperatorCredentialError)
      return { code: 1, stderr: `sora agents ${sub}: ${e.message}\n` };
    throw e;
  }
}
