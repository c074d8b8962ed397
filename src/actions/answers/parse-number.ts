import type { Outcome } from './answer-fields.ts'

// Not preceded by a letter or digit, so "Q3" or "v2" are not numbers and "40-50" reads as 40 and 50.
const NUMBER_TOKEN = /(?<![\p{L}\p{N}_])[-+\u2212]?\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?/gu

export function parseNumber (value: string | number | boolean): Outcome {
  if (typeof value === 'boolean') return { problem: 'The answer is true or false, not a number.' }
  const tokens = [...String(value).matchAll(NUMBER_TOKEN)].map(match => match[0])
  if (tokens.length === 0) return { problem: 'The answer contains no number.' }
  if (tokens.length > 1) return { problem: `The answer contains more than one number (${tokens.slice(0, 5).join(', ')}); exactly one is needed.` }
  const number = plainDecimal(tokens[0] ?? '')
  return number === undefined ? { problem: `"${tokens[0]}" is not a usable number.` } : { fields: { responseNumber: number } }
}

/** A number token as a plain decimal string, or undefined when its separators make no sense ("1.2.3"). */
function plainDecimal (token: string): string | undefined {
  const negative = /^[-\u2212]/.test(token)
  const [, mantissa = '', exponentText] = /^[-+\u2212]?([\d.,]+)(?:[eE]([-+]?\d+))?$/.exec(token) ?? []
  const exponent = exponentText === undefined ? 0 : Number(exponentText)
  if (Math.abs(exponent) > 100) return undefined
  const split = splitSeparators(mantissa)
  if (split === undefined) return undefined

  let digits = split.integer + split.fraction
  let point = split.integer.length + exponent
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits
    point = 1
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length)
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, '')
  const fraction = withoutTrailingZeros(digits.slice(point))
  const plain = fraction === '' ? integer : `${integer}.${fraction}`
  return negative && /[1-9]/.test(plain) ? `-${plain}` : plain
}

// A scan, not `/0+$/`: that pattern restarts at every zero of a run followed by another digit (quadratic).
function withoutTrailingZeros (digits: string): string {
  let end = digits.length
  while (end > 0 && digits[end - 1] === '0') end--
  return digits.slice(0, end)
}

function splitSeparators (mantissa: string): { integer: string, fraction: string } | undefined {
  const separators = mantissa.match(/[.,]/g) ?? []
  const groups = mantissa.split(/[.,]/)
  if (separators.length === 0) return { integer: mantissa, fraction: '' }
  const last = separators[separators.length - 1]
  const kinds = new Set(separators)
  if (separators.length === 1) {
    const [integer = '', fraction = ''] = groups
    const thousands = last === ',' && fraction.length === 3 && !integer.startsWith('0')
    return thousands ? { integer: integer + fraction, fraction: '' } : { integer, fraction }
  }
  if (kinds.size === 1) {
    return validGrouping(groups) ? { integer: groups.join(''), fraction: '' } : undefined
  }
  if (separators.filter(separator => separator === last).length !== 1) return undefined
  const grouped = groups.slice(0, -1)
  return validGrouping(grouped) ? { integer: grouped.join(''), fraction: groups[groups.length - 1] ?? '' } : undefined
}

function validGrouping (groups: readonly string[]): boolean {
  const [first = '', ...rest] = groups
  return first.length >= 1 && first.length <= 3 && rest.every(group => group.length === 3)
}
