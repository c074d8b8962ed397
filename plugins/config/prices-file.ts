import { readFileSync } from 'node:fs'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

const Price = Type.Number({ minimum: 0 })

/** PRICES_FILE (contract §2): USD per million tokens, by provider id then model id. */
export const PriceOverridesSchema = Type.Record(
  Type.String({ minLength: 1 }),
  Type.Record(
    Type.String({ minLength: 1 }),
    Type.Object({
      input: Price,
      cachedInput: Type.Optional(Price),
      output: Price,
      /** The batch API's price (economy executions); half of the prices above when absent. */
      batch: Type.Optional(Type.Object({ input: Price, cachedInput: Type.Optional(Price), output: Price }, { additionalProperties: false }))
    }, { additionalProperties: false })
  )
)

export type PriceOverrides = Static<typeof PriceOverridesSchema>

/**
 * Reads and checks the operator's price overrides at boot. Every problem is one line naming the file and the JSON
 * path of the fault, so a typo in one price stops the boot instead of silently costing an execution zero.
 */
export function readPriceOverrides (file: string): PriceOverrides {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`PRICES_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new Error(`PRICES_FILE ${file} is not valid JSON: ${(error as Error).message}`)
  }
  const first = Value.Errors(PriceOverridesSchema, parsed).First()
  if (first !== undefined) throw new Error(`PRICES_FILE ${file}: ${jsonPath(first.path)} ${first.message.toLowerCase()}`)
  return parsed as PriceOverrides
}

/** `/openai/gpt-5/input` → `$.openai["gpt-5"].input`: the form operators find in their editors. */
function jsonPath (pointer: string): string {
  const segments = pointer.split('/').slice(1).map(segment => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
  return '$' + segments.map(segment => /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`).join('')
}
