/** Secrets at rest (README, "Secrets at rest"): master keys, sealing, the key file, log redaction. */
export { SecretBox, SecretsError, isSealed, sealedKeyId, SEALED_PREFIX, type KeyRing, type KeyRingSource } from './box.js';
export { keyIdOf, newMasterKey, parseMasterKey, parseMasterKeyList, KEY_BYTES } from './keys.js';
export { keyFileSource, loadOrCreateKeyFile, readKeyFile, writeKeyFile, type KeyFileState } from './key-file.js';
export { openSecretBox, sharedSecretBox, defaultSecretBox, type SecretsSettings } from './open.js';
export { redact, redactText, isSecretName } from './redact.js';
