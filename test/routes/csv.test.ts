import t from 'tap'
import { toCsv } from '../../src/routes/csv.ts'

t.test('fields with commas, quotes or line breaks are quoted, quotes doubled; empty for null', async t => {
  t.equal(toCsv(['a', 'b', 'c'], [{ a: 'x,y', b: 'say "hi"', c: null }, { a: 'two\nlines', b: 1.5, c: undefined }]),
    'a,b,c\r\n"x,y","say ""hi""",\r\n"two\nlines",1.5,\r\n')
})
