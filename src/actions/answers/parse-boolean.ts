import type { Outcome } from './answer-fields.ts'
import { comparable, stripSurrounding } from './answer-text.ts'

const TRUE_WORDS = ['true', 'yes', 'ja', 'oui', 'sí', 'wahr', 'vrai', 'verdadero']
const FALSE_WORDS = ['false', 'no', 'nein', 'non', 'falsch', 'faux', 'falso']
// Accepted only as the whole answer: in prose they mean something else ("si" is "if", digits are counts).
const EXACT_ONLY_TRUE = ['si', '1']
const EXACT_ONLY_FALSE = ['0']
// Words that make a prose answer too uncertain to file as a fact.
export const HEDGES = new Set(['not', 'isn\'t', 'isnt', 'aren\'t', 'wasn\'t', 'don\'t', 'doesn\'t', 'didn\'t', 'can\'t', 'cannot', 'never', 'neither', 'nor', 'maybe', 'perhaps', 'possibly', 'probably', 'unclear', 'unknown', 'uncertain', 'depends', 'partly', 'partially', 'nicht', 'kein', 'keine', 'vielleicht', 'pas', 'peut-être', 'quizás'])
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu

/** The words of a text, typographic apostrophes made plain, as hedges and answers are listed. */
export function wordsOf (text: string): string[] {
  return [...text.matchAll(WORD)].map(match => match[0].replace('’', '\''))
}

export function parseBoolean (value: string | number | boolean): Outcome {
  if (typeof value === 'boolean') return { fields: { responseBoolean: value ? 'true' : 'false' } }
  const text = comparable(String(value))
  const bare = stripSurrounding(text)
  if ([...TRUE_WORDS, ...EXACT_ONLY_TRUE].includes(bare)) return { fields: { responseBoolean: 'true' } }
  if ([...FALSE_WORDS, ...EXACT_ONLY_FALSE].includes(bare)) return { fields: { responseBoolean: 'false' } }

  const words = wordsOf(text)
  const saysTrue = words.some(word => TRUE_WORDS.includes(word))
  const saysFalse = words.some(word => FALSE_WORDS.includes(word))
  if (saysTrue && saysFalse) return { problem: 'The answer says both true and false (or yes and no); exactly one is needed.' }
  if (!saysTrue && !saysFalse) return { problem: 'The answer is not true or false.' }
  const hedge = words.find(word => HEDGES.has(word))
  if (hedge !== undefined) return { problem: `The answer is hedged ("${hedge}") instead of a plain true or false.` }
  return { fields: { responseBoolean: saysTrue ? 'true' : 'false' } }
}
