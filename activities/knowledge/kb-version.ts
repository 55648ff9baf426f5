/**
 * The shop's KB version (`shops.kbVersion`, bumped by every import, kb-import.ts) and the FAQ answers
 * of that version, remembered in this process so that a buyer message does not read them from
 * MongoDB: understanding (kb-index.ts) and rendering (messaging/render.ts) asked for the version
 * and the entry on every message (docs/architecture.md, "MongoDB operations per message").
 *
 * Freshness: the version is read again once it is KB_VERSION_FRESH_MS old (concurrent callers
 * share one read). An import in this process sets the new version at once (noteKbVersion); one in
 * another process (`sora kb import`, a separate import worker) is seen within KB_VERSION_FRESH_MS.
 * Answers are cached per (shop, version): FAQ entries change only through an import, which bumps
 * the version, so an answer cached under a version is that version's answer. This is the same
 * assumption the KB index makes (kbVersion only ever grows).
 */
import { FaqEntryModel } from '../../models/faq-entry.js';
import { ShopModel } from '../../models/shop.js';

/** How long a shop's kbVersion read from MongoDB is used before it is read again. */
export const KB_VERSION_FRESH_MS = 2_000;
/** Shops remembered (versions and answers); past it the memory starts over. */
const SHOPS_KEPT = 1_000;

const versions = new Map<string, { version: Promise<number>; until: number }>();

type Answers = Record<string, string>;
const answers = new Map<string, { version: number; byId: Map<string, Promise<Answers | null>> }>();

/** The shop's kbVersion (0 when it has none or does not exist), at most KB_VERSION_FRESH_MS old. */
export function shopKbVersion(shopId: string): Promise<number> {
  const now = Date.now();
  const known = versions.get(shopId);
  if (known && known.until > now) return known.version;
  if (versions.size >= SHOPS_KEPT) versions.clear();
  const version = ShopModel.findOne({ shopId }, { kbVersion: 1 })
    .lean()
    .then((s) => s?.kbVersion ?? 0);
  versions.set(shopId, { version, until: now + KB_VERSION_FRESH_MS });
  version.catch(() => {
    if (versions.get(shopId)?.version === version) versions.delete(shopId);
  });
  return version;
}

/** An import in this process bumped the shop's version: use it from now on (no stale window here). */
export function noteKbVersion(shopId: string, version: number): void {
  versions.set(shopId, { version: Promise.resolve(version), until: Date.now() + KB_VERSION_FRESH_MS });
  answers.delete(shopId); // whatever the number (a re-created database starts again at 1)
}

/** The answers (language → text) of the shop's FAQ entry `questionId` in the current version, or null when there is no such entry. */
export async function faqAnswers(shopId: string, questionId: string): Promise<Answers | null> {
  const version = await shopKbVersion(shopId);
  let shop = answers.get(shopId);
  if (!shop || shop.version !== version) {
    if (answers.size >= SHOPS_KEPT) answers.clear();
    shop = { version, byId: new Map() };
    answers.set(shopId, shop);
  }
  const cached = shop.byId.get(questionId);
  if (cached) return cached;
  const read = FaqEntryModel.findOne({ shopId, questionId }, { answers: 1 })
    .lean()
    .then((e) => (e ? ({ ...(e.answers as unknown as Answers) } as Answers) : null));
  const byId = shop.byId;
  byId.set(questionId, read);
  // A missing entry or a failed read is not remembered: an entry added by hand is found, a failure retried.
  read.then(
    (a) => {
      if (a === null && byId.get(questionId) === read) byId.delete(questionId);
    },
    () => {
      if (byId.get(questionId) === read) byId.delete(questionId);
    },
  );
  return read;
}
