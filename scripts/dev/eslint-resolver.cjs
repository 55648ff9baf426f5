/**
 * ESLint import resolver (interface v2) for this NodeNext TypeScript code base, where `./x.js` in a
 * .ts file means `./x.ts`. eslint-plugin-boundaries classifies every import through it (see
 * `import/resolver` in eslint.config.js); anything else goes to the node resolver. Without it the
 * `.js` specifiers would not resolve and the layer rules would silently see "unknown" files.
 */
const fs = require('node:fs');
const path = require('node:path');
const node = require('eslint-import-resolver-node');

exports.interfaceVersion = 2;

exports.resolve = (source, file, config) => {
  if (source.startsWith('.') && source.endsWith('.js')) {
    const ts = path.resolve(path.dirname(file), `${source.slice(0, -3)}.ts`);
    if (fs.existsSync(ts)) return { found: true, path: ts };
  }
  return node.resolve(source, file, { extensions: ['.ts', '.js', '.mjs', '.cjs'], ...config });
};
