export { SCOPES, type Scope } from './credentials.js';
export { installAccess, type AccessOptions } from './install.js';
export { rotateSigningKey, ensureSigningKey } from './signing-keys.js';
export { accessEnv, accessOptionsOf, externalIssuerComplete } from './config.js';
