/**
 * Reading seller-edited configuration files (YAML, or JSON which is read by the same parser) with
 * precise error locations: every problem carries its dotted path and, when the file is known, the
 * line and column of the offending value.
 */
import { isCollection, isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { ZodIssue } from 'zod';

export interface ConfigProblem {
  /** Dotted path, e.g. markets.UK.categories.apparel.windowDays ('' = the whole file). */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export class ConfigValidationError extends Error {
  constructor(
    readonly what: string,
    readonly problems: ConfigProblem[],
    readonly file?: string,
  ) {
    super(
      `${file ?? what} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems
          .slice(0, 50)
          .map((p) => `  ${formatLocation(file, p)}${p.path || '(file)'}: ${p.message}`)
          .join('\n') +
        (problems.length > 50 ? `\n  … and ${problems.length - 50} more` : ''),
    );
    this.name = 'ConfigValidationError';
  }
}

function formatLocation(file: string | undefined, p: ConfigProblem): string {
  if (p.line === undefined) return '';
  return `${file ? `${file}:` : 'line '}${p.line}:${p.column ?? 1} `;
}

type Ranged = { range?: [number, number, number] | null };

export type Locate = (path: ReadonlyArray<string | number>) => { line: number; column: number } | undefined;

export interface ParsedFile {
  data: unknown;
  locate: Locate;
}

/** Parse YAML or JSON text; syntax errors become a ConfigValidationError with line and column. */
export function parseStructuredText(text: string, what: string, file?: string): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigValidationError(
      what,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: '', message: e.message.split('\n')[0]!, line: pos.line, column: pos.col };
      }),
      file,
    );
  }
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const locate: Locate = (path) => {
    // A scalar value points at the value; a map or list at its key (the line a person edits);
    // a missing key at the nearest ancestor that exists.
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n);
      const node = doc.getIn(sub, true) as Ranged | undefined;
      if (!node || typeof node !== 'object' || !node.range) continue;
      if (n > 0 && isCollection(node)) {
        const parent = doc.getIn(sub.slice(0, -1), true);
        const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(sub[n - 1])) : undefined;
        const keyRange = (pair?.key as Ranged | undefined)?.range;
        if (keyRange) return at(keyRange[0]);
      }
      return at(node.range[0]);
    }
    return undefined;
  };
  return { data: doc.toJS() ?? {}, locate };
}

export function dotted(path: ReadonlyArray<string | number>): string {
  return path.map(String).join('.');
}

/** Zod issues as problems with paths (and locations when a locator is given). */
export function zodProblems(issues: ZodIssue[], locate?: Locate): ConfigProblem[] {
  return issues.map((i) => {
    let path = i.path;
    let message = i.message;
    if (i.code === 'unrecognized_keys') {
      // Point at the unknown key itself: that is the line a person has to fix.
      path = [...i.path, i.keys[0]!];
      message = `unknown setting${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (check the spelling)`;
    } else if (i.code === 'invalid_type' && i.received === 'undefined') {
      message = 'is required';
    } else if (i.code === 'invalid_enum_value') {
      message = `"${String(i.received)}" is not one of ${i.options.join(', ')}`;
    }
    return { path: dotted(path), message, ...locate?.(path) };
  });
}
