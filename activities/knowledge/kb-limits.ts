/**
 * Limits of a FAQ workbook, checked before any real work (config.kbImport: SORA_KB_MAX_*), and the
 * cheap structural check of an `.xlsx`: it must be a zip whose central directory declares at most
 * `maxUnzippedBytes` and a sane number of entries. The directory is read from the end of the file
 * and every entry is then inflated with a hard output cap (zlib maxOutputLength), so a directory
 * that lies about sizes cannot grow the process either. No library parses the file before this.
 */
import { inflateRawSync } from 'node:zlib';

export interface KbLimits {
  /** Largest upload (bytes). */
  maxUploadBytes: number;
  /** Largest total uncompressed size of an .xlsx (bytes). */
  maxUnzippedBytes: number;
  /** Most rows (header included). */
  maxRows: number;
  /** Most characters in one cell. */
  maxCellChars: number;
}

export const DEFAULT_KB_LIMITS: KbLimits = {
  maxUploadBytes: 20 * 1024 ** 2,
  maxUnzippedBytes: 60 * 1024 ** 2,
  maxRows: 20_000,
  maxCellChars: 4000,
};

/** An .xlsx has a few dozen parts; a zip with thousands of entries is not a workbook. */
export const MAX_ZIP_ENTRIES = 2000;

/**
 * A file that cannot be imported as a whole (not a problem of one row): `status` is the HTTP status
 * the operator API answers with (413 too large, 415 not a workbook, 422 unreadable content).
 */
export class KbFileError extends Error {
  constructor(
    readonly status: 413 | 415 | 422,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'KbFileError';
  }
}

const mb = (n: number) => `${(n / 1024 ** 2).toFixed(n < 1024 ** 2 ? 2 : 1)} MB`;

export function checkUploadSize(size: number, limits: KbLimits): void {
  if (size > limits.maxUploadBytes)
    throw new KbFileError(
      413,
      'workbook_too_large',
      `the workbook is ${mb(size)}; the limit is ${mb(limits.maxUploadBytes)} (SORA_KB_MAX_UPLOAD)`,
    );
}

/**
 * Check that `buf` is a zip and bounded once inflated; returns the declared uncompressed total.
 * Throws KbFileError: 415 not a zip, 413 too big once inflated or too many entries, 422 damaged.
 */
export function checkXlsxZip(buf: Buffer, limits: KbLimits): { entries: number; uncompressed: number } {
  if (buf.length < 22 || buf.readUInt32LE(0) !== 0x04034b50)
    throw new KbFileError(
      415,
      'not_an_xlsx',
      'the file is not an .xlsx workbook (an .xlsx is a zip file; this one does not start with a zip header). Save it as Excel Workbook (.xlsx) or CSV UTF-8',
    );
  // End of central directory: 22 bytes + a comment of at most 64 KiB, at the end of the file.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  const damaged = (why: string) => new KbFileError(422, 'damaged_xlsx', `the .xlsx file is damaged or truncated: ${why}`);
  if (eocd < 0) throw damaged('no zip central directory');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff)
    throw new KbFileError(413, 'xlsx_too_large', 'the .xlsx is a ZIP64 archive; workbooks that large are not accepted');
  if (count > MAX_ZIP_ENTRIES)
    throw new KbFileError(413, 'xlsx_too_many_parts', `the .xlsx holds ${count} files; a workbook has far fewer (max ${MAX_ZIP_ENTRIES})`);
  if (cdOffset + cdSize > eocd) throw damaged('the central directory points outside the file');
  let total = 0;
  let p = cdOffset;
  const entries: { method: number; csize: number; usize: number; local: number; name: string }[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== 0x02014b50) throw damaged(`central directory entry ${n + 1} is malformed`);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (usize === 0xffffffff || csize === 0xffffffff)
      throw new KbFileError(413, 'xlsx_too_large', `"${name}" inside the .xlsx is a ZIP64 entry (over 4 GB once inflated)`);
    total += usize;
    if (total > limits.maxUnzippedBytes)
      throw new KbFileError(
        413,
        'xlsx_too_large_uncompressed',
        `the .xlsx inflates to more than ${mb(limits.maxUnzippedBytes)} (at "${name}", declared ${mb(usize)}); the limit is SORA_KB_MAX_UNZIPPED. Is it a zip bomb, or a workbook with images? Export only the FAQ sheet`,
      );
    entries.push({ method, csize, usize, local, name });
    p += 46 + nameLen + extraLen + commentLen;
  }
  // The directory could lie: inflate each entry with a cap at its declared size.
  for (const e of entries) {
    if (e.local + 30 > buf.length || buf.readUInt32LE(e.local) !== 0x04034b50) throw damaged(`"${e.name}" has no local header`);
    const start = e.local + 30 + buf.readUInt16LE(e.local + 26) + buf.readUInt16LE(e.local + 28);
    if (start + e.csize > buf.length) throw damaged(`"${e.name}" is cut short`);
    const data = buf.subarray(start, start + e.csize);
    if (e.method === 0) {
      if (e.csize !== e.usize) throw damaged(`"${e.name}" has inconsistent sizes`);
    } else if (e.method === 8) {
      let out: Buffer;
      try {
        out = inflateRawSync(data, { maxOutputLength: Math.max(1, e.usize) });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ERR_BUFFER_TOO_LARGE' || /maxOutputLength|buffer/i.test(String(err)))
          throw new KbFileError(
            413,
            'xlsx_too_large_uncompressed',
            `"${e.name}" inside the .xlsx inflates past its declared size (${mb(e.usize)}): rejected as a zip bomb`,
          );
        throw damaged(`"${e.name}" cannot be decompressed (${(err as Error).message})`);
      }
      if (out.length !== e.usize) throw damaged(`"${e.name}" inflates to ${out.length} bytes, not the declared ${e.usize}`);
    } else {
      throw new KbFileError(
        415,
        'not_an_xlsx',
        `"${e.name}" uses zip compression method ${e.method}; Excel writes only stored/deflated parts`,
      );
    }
  }
  return { entries: count, uncompressed: total };
}
