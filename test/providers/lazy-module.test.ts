import t from 'tap'
import { lazyModule } from '../../providers/lazy-module.ts'

t.test('the module is imported on the first call only, and concurrent first calls share that import', async t => {
  let imports = 0
  const module = { name: 'sdk' }
  const load = lazyModule(async () => {
    imports++
    return module
  })
  t.equal(imports, 0, 'nothing is imported until asked')
  t.equal(load.loaded(), undefined)
  const [first, second] = await Promise.all([load(), load()])
  t.equal(first, module)
  t.equal(second, module)
  t.equal(await load(), module)
  t.equal(imports, 1)
  t.equal(load.loaded(), module, 'loaded() answers once the import has succeeded')
})

t.test('a failed import is not kept: the next call tries again', async t => {
  let attempts = 0
  const load = lazyModule(async () => {
    attempts++
    if (attempts === 1) throw new Error('Cannot find package')
    return 'sdk'
  })
  await t.rejects(load(), /Cannot find package/)
  t.equal(load.loaded(), undefined)
  t.equal(await load(), 'sdk')
  t.equal(attempts, 2)
})

t.test('a loader that throws synchronously rejects instead, and is retried too', async t => {
  let attempts = 0
  const load = lazyModule((): Promise<string> => {
    attempts++
    if (attempts === 1) throw new Error('thrown at once')
    return Promise.resolve('sdk')
  })
  await t.rejects(load(), /thrown at once/)
  t.equal(await load(), 'sdk')
})
