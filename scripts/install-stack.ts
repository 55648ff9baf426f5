/** `npm run stack:install`: install the embedded stack into ./.sora (what `npm start` and `npm test` need). */
import { installStack, MissingPrerequisiteError } from './stack/install.js';
import { loadConfig } from '../infra/config/index.js';

try {
  const config = loadConfig();
  installStack({
    temporal: true,
    mongoJavaServer: true,
    models: true,
    multilingual: config.stack.installMultilingual,
    bge: config.stack.installBge,
  });
} catch (e) {
  process.stderr.write(`sora: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof MissingPrerequisiteError ? 1 : 2);
}
