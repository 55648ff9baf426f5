/** MongoDB's duplicate-key error (E11000): a unique index refused an insert. */
export function isDuplicateKey(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: number }).code === 11000;
}
