/**
 * `sora operators token create --name N`, `sora operators list [--json]`, `sora operators revoke ID`:
 * the operator API's credentials (models/operator-credential.ts). A token is shown once, at creation;
 * the listing never shows tokens. Returns output instead of printing so tests can call it directly.
 */
import { parseArgs } from 'node:util';
import {
  createOperatorCredential,
  listOperatorCredentials,
  OperatorCredentialError,
  revokeOperatorCredential,
} from '../../models/operator-credential.js';
import { fail, textTable, withCliDatabase } from './support.js';
import type { CommandResult } from './policies.js';

export async function run(args: string[]): Promise<void> {
  const r = await withCliDatabase(() => runOperatorsCommand(args));
  if (r.usage) fail(r.usage);
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.code;
}

/** Needs a connected MongoDB. */
export async function runOperatorsCommand(args: string[]): Promise<CommandResult> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { name: { type: 'string' }, json: { type: 'boolean' } } });
  } catch (e) {
    return { code: 2, usage: (e as Error).message };
  }
  const { values, positionals } = parsed;
  const [sub, sub2] = positionals;
  if (sub === 'token' && sub2 === 'create') {
    if (!values.name) return { code: 2, usage: 'operators token create needs --name NAME' };
    try {
      const c = await createOperatorCredential({ name: values.name });
      return {
        code: 0,
        stdout: values.json
          ? `${JSON.stringify(c)}\n`
          : `created operator credential ${c.id} (${c.name}, ${c.role})\ntoken ${c.token}\n` +
            `It is shown this once only; send it as "Authorization: Bearer <token>" on /operator routes.\n`,
      };
    } catch (e) {
      if (e instanceof OperatorCredentialError) return { code: 1, stderr: `${e.message}\n` };
      throw e;
    }
  }
  if (sub === 'list') {
    const list = await listOperatorCredentials();
    if (values.json) return { code: 0, stdout: `${JSON.stringify(list)}\n` };
    if (!list.length) return { code: 0, stdout: 'no operator credentials (the next start creates one)\n' };
    return {
      code: 0,
      stdout: textTable(
        ['id', 'name', 'role', 'created', 'last used', 'revoked'],
        list.map((c) => [c.id, c.name, c.role, c.createdAt, c.lastUsedAt ?? '-', c.revokedAt ?? '-']),
      ),
    };
  }
  if (sub === 'revoke') {
    const id = sub2;
    if (!id) return { code: 2, usage: 'operators revoke needs an ID (see sora operators list)' };
    const r = await revokeOperatorCredential(id);
    if (r === 'unknown') return { code: 1, stderr: `no operator credential ${id}\n` };
    return { code: 0, stdout: r === 'revoked' ? `revoked ${id}\n` : `${id} was already revoked\n` };
  }
  return { code: 2, usage: `unknown operators command "${[sub, sub2].filter(Boolean).join(' ')}"` };
}
