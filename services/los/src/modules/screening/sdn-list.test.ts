import { describe, expect, it } from 'vitest';
import { loadSdnListFromDirectory } from './load-sdn.js';
import { parseDatesOfBirth, parseRemarkCountries, parseSdnList } from './sdn-list.js';

// Verbatim rows of the OFAC SDN CSV (from the watchman v0.60.0 snapshot, see data/sanctions/README.md).
const SDN = [
  '15102,"MORENO, Daniel","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 12 Oct 1972; POB Corozal, Belize; Passport 0291622 (Belize); Linked To: D\'S SUPERMARKET COMPANY LTD."',
  '29702,"LIFSHITS, Artem Mikhaylovich","individual","CYBER2] [ELECTION-EO13848",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 26 Dec 1992; nationality Russia; Gender Male."',
  '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\'."',
  '',
].join('\r\n');
const ALT = ['15102,1,"aka","MORENO, Dani",-0- ', '29702,2,"aka","LIFSHITS, Artyom",-0- '].join('\r\n');
const ADD = ['15102,22453,"50 6th  Ave.","Corozal","Belize",-0- ', '15102,22454,"651 Vista Del Mar","Ladyville","Belize",-0- '].join('\r\n');

describe('parseSdnList', () => {
  const list = parseSdnList({ sdn: SDN, alt: ALT, add: ADD });

  it('reads every record with OFAC nulls as null and entities typed as entity', () => {
    expect(list.entries.map((e) => e.uid)).toEqual(['15102', '29702', '306']);
    const bank = list.entries[2]!;
    expect(bank.type).toBe('entity');
    expect(bank.title).toBeNull();
    expect(bank.datesOfBirth).toEqual([]);
  });

  it('splits multi-program values on "] ["', () => {
    expect(list.entries[1]!.programs).toEqual(['CYBER2', 'ELECTION-EO13848']);
    expect(list.entries[0]!.programs).toEqual(['SDNTK']);
  });

  it('joins aliases and address countries on ent_num and reads DOB and nationality from remarks', () => {
    const moreno = list.entries[0]!;
    expect(moreno.aliases).toEqual([{ name: 'MORENO, Dani', type: 'aka' }]);
    expect(moreno.datesOfBirth).toEqual([{ year: 1972, yearTo: 1972, month: 10, day: 12, approximate: false }]);
    expect(moreno.countries).toEqual(['belize']);
    expect(list.entries[1]!.countries).toEqual(['russia']);
  });

  it('names the snapshot by content', () => {
    expect(list.snapshotId).toMatch(/^ofac-sdn:[0-9a-f]{16}$/);
    expect(parseSdnList({ sdn: SDN, alt: ALT, add: ADD }).snapshotId).toBe(list.snapshotId);
    expect(parseSdnList({ sdn: SDN }).snapshotId).not.toBe(list.snapshotId);
  });

  it('survives garbage without throwing', () => {
    expect(parseSdnList({ sdn: '' }).entries).toEqual([]);
    expect(parseSdnList({ sdn: 'just some text\nno commas' }).entries).toEqual([]);
    expect(parseSdnList({ sdn: '1,"X",individual\u001a' }).entries.map((e) => e.name)).toEqual(['X']);
  });
});

describe('parseDatesOfBirth', () => {
  it('reads the DOB forms OFAC uses', () => {
    expect(parseDatesOfBirth('DOB 25 Aug 1972; alt. DOB 25 Dec 1974; POB Moroni')).toEqual([
      { year: 1972, yearTo: 1972, month: 8, day: 25, approximate: false },
      { year: 1974, yearTo: 1974, month: 12, day: 25, approximate: false },
    ]);
    expect(parseDatesOfBirth('DOB circa 1957')).toEqual([{ year: 1957, yearTo: 1957, approximate: true }]);
    expect(parseDatesOfBirth('DOB 1960 to 1962')).toEqual([{ year: 1960, yearTo: 1962, approximate: false }]);
    expect(parseDatesOfBirth('DOB Jan 1960')).toEqual([{ year: 1960, yearTo: 1960, month: 1, approximate: false }]);
    expect(parseDatesOfBirth(null)).toEqual([]);
  });

  it('reads nationality and citizenship', () => {
    expect(parseRemarkCountries('POB Kuwait; citizen Kuwait; nationality Pakistan.')).toEqual(['kuwait', 'pakistan']);
  });
});

describe('the bundled excerpt', () => {
  const list = loadSdnListFromDirectory();

  it('holds 3,000 individuals with their aliases', () => {
    expect(list.entries).toHaveLength(3000);
    expect(list.entries.every((e) => e.type === 'individual')).toBe(true);
    const khoroshev = list.entries.find((e) => e.uid === '48603')!;
    expect(khoroshev.name).toBe('KHOROSHEV, Dmitry Yuryevich');
    expect(khoroshev.aliases.map((a) => a.name)).toEqual(['KHOROSHEV, Dmitriy Yurevich', 'YURIEVICH, Dmitry', 'KHOROSHEV, Dmitrii Yuryevich']);
    expect(khoroshev.datesOfBirth[0]).toMatchObject({ year: 1993, month: 4, day: 17 });
    expect(list.entries.filter((e) => e.datesOfBirth.length > 0).length).toBeGreaterThan(2500);
  });

  it('fails clearly for a directory without sdn.csv', () => {
    expect(() => loadSdnListFromDirectory('/nonexistent-sanctions-dir')).toThrow(/no sdn.csv/);
  });
});
