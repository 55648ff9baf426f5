/**
 * The shop's KB version (`shops.kbVersion`, bumped by every import, kb-import.ts) and the FAQ answers
 * of that version, remembered in this process so that a buyer message does not read them from
 * MongoDB: understanding (kb-index.ts) and rendering (messaging/render.ts) asked for the version
 * and the entry on every message (docs/architecture.md, "MongoDB operations per message").
 *
 * Freshness: the version is read again once it is KB_VERSION_FRESH_MS old (concurrent callers
 * share one read). An import in this process sets the new version at once (noteKbVersion); one in
 * another process (`sora kb import`, a separate import worker) is seen within KB_VERSION_FRESH_MS.
 * Answers are cached per (shop, version, answersRev): FAQ entries change only through an import or
 * a desk add, which bump the version, and machine translations (kb-translate.ts), which bump
 * `shops.answersRev`, so an answer cached under both is that version's answer. This is the same
 * assumption the KB index makes (kbVersion only ever grows).
 */
import { FaqEntryModel } from '../../models/faq-entry.js';
import { ShopModel } from '../../models/shop.js';

/** How long a shop's kbVersion read from MongoDB is used before it is read again. */
export const KB_VERSION_FRESH_MS = 2_000;
/** Shops remembered (versions and answers); past it the memory starts over. */
const SHOPS_KEPT = 1_000;

/** kbVersion and answersRev (machine translations changed, activities/knowledge/kb-translate.ts), read together. */
type Versions = { kb: number; answers: number };
const versions = new Map<string, { version: Promise<Versions>; until: number }>();

type Answers = Record<string, string>;
const answers = new Map<string, { version: string; byId: Map<string, Promise<Answers | null>> }>();

function shopVersions(shopId: string): Promise<Versions> {
  const now = Date.now();
  const known = versions.get(shopId);
  if (known && known.until > now) return known.version;
  if (versions.size >= SHOPS_KEPT) versions.clear();
  const version = ShopModel.findOne({ shopId }, { kbVersion: 1, answersRev: 1 })
    .lean()
    .then((s) => ({ kb: s?.kbVersion ?? 0, answers: s?.answersRev ?? 0 }));
  versions.set(shopId, { version, until: now + KB_VERSION_FRESH_MS });
  version.catch(() => {
    if (versions.get(shopId)?.version === version) versions.delete(shopId);
  });
  return version;
}

/** The shop's kbVersion (0 when it has none or does not exist), at most KB_VERSION_FRESH_MS old. */
export function shopKbVersion(shopId: string): Promise<number> {
  return shopVersions(shopId).then((v) => v.kb);
}

/** An import in this process bumped the shop's version: use it from now on (no stale window here). */
export function noteKbVersion(shopId: string, version: number): void {
  const next = ShopModel.findOne({ shopId }, { answersRev: 1 })
    .lean()
    .then(
      (s) => ({ kb: version, answers: s?.answersRev ?? 0 }),
      () => ({ kb: version, answers: -1 }),
    );
  versions.set(shopId, { version: next, until: Date.now() + KB_VERSION_FRESH_MS });
  answers.delete(shopId); // whatever the number (a re-created database starts again at 1)
}

/** Machine-translated answers changed in this process (kb-translate.ts): re-read them at once. */
export function noteAnswersChanged(shopId: string): void {
  versions.delete(shopId);
  answers.delete(shopId);
}

/** The answers (language → text) of the shop's FAQ entry `questionId` in the current version, or null when there is no such entry. */
export async function faqAnswers(shopId: string, questionId: string): Promise<Answers | null> {
  const v = await shopVersions(shopId);
  const version = `${v.kb}:${v.answers}`;
  let shop = answers.get(shopId);
  if (!shop || shop.version !== version) {
    if (answers.size >= SHOPS_KEPT) answers.clear();
    shop = { version, byId: new Map() };
    answers.set(shopId, shop);
  }
  const cached = shop.byId.get(questionId);
  if (cached) return cached;
  // Machine translations (kb-translate.ts) fill the languages the seller did not write; the seller's always win.
  const read = FaqEntryModel.findOne({ shopId, questionId }, { answers: 1, machineAnswers: 1 })
    .lean()
    .then((e) => {
      if (!e) return null;
      const out: Answers = { ...(e.answers as unknown as Answers) };
      for (const [l, m] of Object.entries((e.machineAnswers ?? {}) as unknown as Record<string, { text?: string }>))
        if (m?.text && !out[l]?.trim()) out[l] = m.text;
      return out;
    });
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
