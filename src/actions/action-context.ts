import type { Logger } from '../../plugins/logger.ts'
import type { Repositories } from '../../db/repositories/index.ts'
export { connectionKeyContext } from '../../db/secret-contexts.ts'
import type { Keyring } from '../../plugins/keyring/keyring.ts'
import type { ModelCatalogue } from '../../plugins/model-catalogue/model-catalogue.ts'
import type { Settings } from '../../plugins/config/settings.ts'
import type { ProviderRegistry } from '../../providers/registry.ts'
import type { PriceBook } from '../../providers/pricing/price-book.ts'

export type ActionLogger = Logger

/** Everything an action may use, handed in by the route layer; actions never reach for globals or Fastify. */
export interface ActionContext {
  readonly settings: Settings
  readonly repositories: Repositories
  readonly keyring: Keyring
  readonly providers: ProviderRegistry
  readonly modelCatalogue: ModelCatalogue
  readonly prices: PriceBook
  readonly clock: () => number
  readonly log: ActionLogger
}
