/**
 * The demo shop's two agents, seeded by `npm start` so handoffs have someone to go to: mia (en, es)
 * and kai (en, th), role agent, no password. When they are created (the first start), a one-time
 * sign-in link for each is returned for the start banner; later: `sora agents link --id mia`.
 */
import { AgentModel } from '../../models/agent.js';
import { createSignInLink, signInLinkUrl } from '../../models/sign-in-link.js';

export const DEMO_AGENTS = [
  { _id: 'mia', name: 'Mia', languages: ['en', 'es'] },
  { _id: 'kai', name: 'Kai', languages: ['en', 'th'] },
] as const;

/** Idempotent; returns the banner lines for the agents created now ('' when none). */
export async function seedDemoAgents(shopId: string, baseUrl: string): Promise<string> {
  const lines: string[] = [];
  for (const a of DEMO_AGENTS) {
    const r = await AgentModel.updateOne(
      { _id: a._id },
      { $setOnInsert: { ...a, languages: [...a.languages], role: 'agent', shopIds: [shopId], capacity: 3 } },
      { upsert: true },
    );
    if (!r.upsertedCount) continue;
    const link = await createSignInLink(a._id);
    lines.push(`   ${a._id.padEnd(6)} ${a.languages.join('/')}  ${signInLinkUrl(baseUrl, link.token)}`);
  }
  if (!lines.length) return '';
  return [
    '',
    ` Demo agents of shop ${shopId} (role agent, no password yet): one-time sign-in links, valid 24 h, shown once`,
    ...lines,
    ' A new link later: sora agents link --id mia',
    '',
  ].join('\n');
}
