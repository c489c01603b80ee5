/**
 * Quantities are indexed in UCUM base units so that a search in mg finds a value stored in g. The
 * unit arithmetic is the NLM's UCUM library; this module adds what an index needs on top of it:
 * one deterministic code per dimension, decimals rounded so that float noise cannot make equal
 * quantities differ, arbitrary units ([iU], [CFU], …) kept comparable with their own prefixed
 * forms, and a cache, as the library parses the code afresh on every call.
 */
import { createRequire } from 'node:module';

interface BaseUnits {
  status: 'succeeded' | 'invalid' | 'failed' | 'error';
  magnitude?: number;
  unitToExp?: Record<string, number>;
  fromUnitIsSpecial?: boolean;
}

interface UcumUtils {
  convertToBaseUnits(code: string, value: number): BaseUnits;
}

interface UcumPackage {
  UcumLhcUtils: { getInstance(): UcumUtils };
}

// The package is CommonJS and ships no type declarations.
const { UcumLhcUtils } = createRequire(import.meta.url)('@lhncbc/ucum-lhc') as UcumPackage;

/** Spellings that are not UCUM but are common enough in laboratory feeds to accept. */
const ALIASES: Record<string, string> = { '[mmHg]': 'mm[Hg]' };

/** UCUM defines [IU] as exactly 1 [iU]; no other arbitrary unit has a second name. */
const ARBITRARY_SYNONYMS: Record<string, string> = { '[IU]': '[iU]' };

/** Candela has no place in clinical data, so it can stand in for an arbitrary unit and carry its exponent through the library's arithmetic. */
const STAND_IN = 'cd';

/** Doubles carry 15–17 significant digits; 15 is the most that always survives a round trip. */
const SIGNIFICANT_DIGITS = 15;

/** FHIR decimal, which allows an exponent. */
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** Bounds the memory an endless stream of distinct (mostly bogus) codes could take. */
const CACHE_LIMIT = 4096;

interface Conversion {
  factor: number;
  code: string;
}

const cache = new Map<string, Conversion | null>();

/** Made on first use: loading the unit tables takes some 20 ms, and getInstance() makes a new object each time. */
let ucum: UcumUtils | undefined;

/** The quantity in UCUM base units, or undefined when the code is not valid UCUM (or has an offset, like Cel, that we do not convert). value is a decimal string. */
export function canonicalQuantity(value: string, code: string): { value: string; code: string } | undefined {
  if (!DECIMAL.test(value)) return undefined;
  const conversion = conversionFor(code);
  if (!conversion) return undefined;
  const converted = Number(value) * conversion.factor;
  return Number.isFinite(converted) ? { value: plainDecimal(converted), code: conversion.code } : undefined;
}

function conversionFor(code: string): Conversion | undefined {
  let conversion = cache.get(code);
  if (conversion === undefined) {
    conversion = convert(ALIASES[code] ?? code) ?? null;
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(code, conversion);
  }
  return conversion ?? undefined;
}

function convert(code: string): Conversion | undefined {
  const utils = (ucum ??= UcumLhcUtils.getInstance());
  const arbitrary = new Set<string>();
  // Annotations are matched too, only so that brackets inside them are left alone.
  const substituted = code.replace(/\{[^}]*\}|\[[^\]]*\]/g, (token) => {
    if (token.startsWith('{') || utils.convertToBaseUnits(token, 1).status !== 'failed') return token;
    arbitrary.add(ARBITRARY_SYNONYMS[token] ?? token);
    return STAND_IN;
  });
  const [arbitraryUnit, ...more] = arbitrary;
  // One stand-in cannot tell two arbitrary units apart, nor an arbitrary unit from a real candela.
  if (more.length > 0 || (arbitraryUnit && code.replace(/\{[^}]*\}/g, '').includes(STAND_IN))) return undefined;

  const result = utils.convertToBaseUnits(substituted, 1);
  if (result.status !== 'succeeded' || result.fromUnitIsSpecial || result.magnitude === undefined) return undefined;
  const exponents = new Map(Object.entries(result.unitToExp ?? {}).filter(([, exponent]) => exponent !== 0));
  if (arbitraryUnit) {
    const exponent = exponents.get(STAND_IN);
    exponents.delete(STAND_IN);
    if (exponent) exponents.set(arbitraryUnit, exponent);
  }
  const atoms = [...exponents]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([atom, exponent]) => (exponent === 1 ? atom : `${atom}${exponent}`));
  return { factor: result.magnitude, code: atoms.length > 0 ? atoms.join('.') : '1' };
}

/** Positional notation, as index values are compared and shown as text and an exponent would only get in the way. */
function plainDecimal(n: number): string {
  if (n === 0) return '0';
  const [mantissa = '', exponent = '0'] = Math.abs(n).toExponential(SIGNIFICANT_DIGITS - 1).split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '');
  const integerDigits = Number(exponent) + 1;
  const text =
    integerDigits <= 0
      ? `0.${'0'.repeat(-integerDigits)}${digits}`
      : integerDigits >= digits.length
        ? digits + '0'.repeat(integerDigits - digits.length)
        : `${digits.slice(0, integerDigits)}.${digits.slice(integerDigits)}`;
  return n < 0 ? `-${text}` : text;
}
