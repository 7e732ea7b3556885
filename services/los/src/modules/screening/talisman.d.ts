// talisman 1.1.4 ships no type declarations. Only the named `similarity` export is declared here (it is
// the same function as the CommonJS default), so this merges with other declarations of the module.
declare module 'talisman/metrics/jaro-winkler.js' {
  /** Jaro-Winkler similarity in 0..1 (1 = identical), prefix scale 0.1, boost threshold 0.7. */
  export function similarity(a: string, b: string): number;
}
