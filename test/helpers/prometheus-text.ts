/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4), for tests that a scrape parses cleanly:
 * every line is `# HELP`, `# TYPE` or a sample; every sample belongs to a family declared by `# TYPE` before it;
 * label values use only the three escapes the format has; histograms have `_bucket{le}` with `+Inf`, `_sum` and
 * `_count`, and the `+Inf` bucket equals the count. Throws naming the line on the first thing that is wrong.
 */

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Family {
  readonly name: string
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
  help?: string
  readonly samples: Sample[]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

export function parsePrometheusText (text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  /** Families declared with a TYPE line, as opposed to a HELP line only. */
  const declared = new Set<string>()
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a line feed')
  const lines = text.slice(0, -1).split('\n')
  lines.forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line)})`
    // The format ignores empty lines (prom-client puts one between families); nothing else may be blank.
    if (line === '') return
    if (line.startsWith('# HELP ')) {
      const [, name = '', help = ''] = /^# HELP (\S+) ?(.*)$/.exec(line) ?? []
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name in HELP`)
      if (/\\[^\\n]/.test(help.replace(/\\\\/g, ''))) throw new Error(`${where}: bad escape in HELP`)
      const family = families.get(name)
      if (family !== undefined) family.help = help
      else families.set(name, { name, type: 'untyped', help, samples: [] })
      return
    }
    if (line.startsWith('# TYPE ')) {
      const [, name = '', type = ''] = /^# TYPE (\S+) (\S+)$/.exec(line) ?? []
      if (!METRIC_NAME.test(name) || !TYPES.has(type)) throw new Error(`${where}: bad TYPE line`)
      const existing = families.get(name)
      if (existing !== undefined && existing.samples.length > 0) throw new Error(`${where}: TYPE after samples`)
      families.set(name, { name, type: type as Family['type'], ...(existing?.help === undefined ? {} : { help: existing.help }), samples: [] })
      declared.add(name)
      return
    }
    if (line.startsWith('#') || line.trim() === '' || line !== line.trim()) throw new Error(`${where}: neither HELP, TYPE nor a sample`)
    const sample = parseSample(line, where)
    const family = familyOf(sample.name, families)
    if (family === undefined || !declared.has(family.name)) throw new Error(`${where}: sample of ${sample.name} has no TYPE before it`)
    family.samples.push(sample)
  })
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family)
  return families
}

function familyOf (sampleName: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sampleName)
  if (direct !== undefined && direct.type !== 'histogram' && direct.type !== 'summary') return direct
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue
    const family = families.get(sampleName.slice(0, -suffix.length))
    if (family === undefined) continue
    if (family.type === 'histogram' || (family.type === 'summary' && suffix !== '_bucket')) return family
  }
  return direct?.type === 'summary' ? direct : undefined
}

function parseSample (line: string, where: string): Sample {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)
  if (nameMatch === null) throw new Error(`${where}: no metric name`)
  const name = nameMatch[1] ?? ''
  let position = name.length
  const labels: Record<string, string> = {}
  if (line[position] === '{') {
    position++
    while (line[position] !== '}') {
      const labelMatch = /^([^=]+)="/.exec(line.slice(position))
      if (labelMatch === null || !LABEL_NAME.test(labelMatch[1] ?? '')) throw new Error(`${where}: bad label at ${position}`)
      const labelName = labelMatch[1] ?? ''
      if (labelName in labels) throw new Error(`${where}: label ${labelName} twice`)
      position += labelMatch[0].length
      let value = ''
      for (;;) {
        const character = line[position]
        if (character === undefined) throw new Error(`${where}: unterminated label value`)
        position++
        if (character === '"') break
        if (character === '\\') {
          const escaped = line[position]
          position++
          if (escaped === '\\') value += '\\'
          else if (escaped === '"') value += '"'
          else if (escaped === 'n') value += '\n'
          else throw new Error(`${where}: bad escape \\${escaped ?? ''}`)
        } else {
          value += character
        }
      }
      labels[labelName] = value
      if (line[position] === ',') position++
      else if (line[position] !== '}') throw new Error(`${where}: expected , or } at ${position}`)
    }
    position++
  }
  const [, rawValue = '', timestamp] = /^ (\S+)(?: (-?\d+))?$/.exec(line.slice(position)) ?? []
  if (rawValue === '') throw new Error(`${where}: no value`)
  const value = parseValue(rawValue)
  if (value === undefined) throw new Error(`${where}: bad value ${rawValue}`)
  void timestamp
  return { name, labels, value }
}

function parseValue (raw: string): number | undefined {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY
  // prom-client writes `Nan` for a gauge with no sample yet (the event-loop lag right after a start); Prometheus
  // reads floats with Go's ParseFloat, which takes NaN in any case.
  if (raw.toLowerCase() === 'nan') return Number.NaN
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : undefined
}

function checkHistogram (family: Family): void {
  const series = new Map<string, { infinity?: number, sum?: number, count?: number }>()
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels
    const key = JSON.stringify(Object.entries(rest).sort())
    const entry = series.get(key) ?? {}
    series.set(key, entry)
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`)
      if (le === '+Inf') entry.infinity = sample.value
      else if (parseValue(le) === undefined) throw new Error(`${family.name}: bad le ${le}`)
    } else if (sample.name === `${family.name}_sum`) {
      entry.sum = sample.value
    } else if (sample.name === `${family.name}_count`) {
      entry.count = sample.value
    }
  }
  for (const [key, entry] of series) {
    if (entry.infinity === undefined || entry.sum === undefined || entry.count === undefined) throw new Error(`${family.name} ${key}: needs a +Inf bucket, _sum and _count`)
    if (entry.infinity !== entry.count) throw new Error(`${family.name} ${key}: +Inf bucket ${entry.infinity} is not the count ${entry.count}`)
  }
}

/** The value of the one sample of `name` whose labels include `labels`, or undefined; throws when several match. */
export function sampleValue (families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const all = [...families.values()].flatMap(family => family.samples)
  const matching = all.filter(sample => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
  if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}`)
  return matching[0]?.value
}
