declare module 'talisman/metrics/jaro-winkler.js' {
  const jaroWinkler: { similarity(a: string, b: string): number };
  export default jaroWinkler;
}
