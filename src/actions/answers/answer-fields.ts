/** What an answer parser returns, and the typed output fields it fills. */

/** The typed output fields, values as text as HubSpot takes them. Only the one for the format is set. */
export interface OutputFields {
  /** `number`: a plain decimal, `.` as decimal point, no exponent or grouping (`-1234.5`). */
  responseNumber?: string
  /** `boolean`: `true` or `false`. */
  responseBoolean?: 'true' | 'false'
  /** `choice`: one of the choices, spelled exactly as in the `choices` field. */
  responseChoice?: string
  /** `json`: the JSON value, whitespace outside strings removed; numbers keep their exact digits. */
  responseJson?: string
}

export type ParsedAnswer =
  | {
    readonly ok: true
    readonly fields: OutputFields
    /**
     * The text for the `response` output field: `cleanText(answer)`, except that a structured `{"value": …}`
     * wrapper is replaced by its value (`42`, not `{"value":42}`), since the wrapper is ours, not the model's.
     */
    readonly response: string
  }
  | {
    readonly ok: false
    /** One short sentence on what was wrong: quoted in the repair prompt and used as the OUTPUT_FORMAT message. */
    readonly problem: string
  }

/** One parser's verdict: the field it fills, or the problem (quoted in the repair prompt). */
export type Outcome = { fields: OutputFields } | { problem: string }
