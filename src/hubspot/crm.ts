import { AppError, quoteExcerpt } from '../../plugins/errors.ts'
import { HubSpotApiError, asRecord, errorFromAnswer, type HubSpotAnswer } from './hubspot-http.ts'
import type { HubSpotOAuth } from './oauth.ts'

/**
 * Reads CRM record properties with the portal's access token, for prompt placeholders the execution body did not
 * carry.
 */

/** The CRM API's path names for the object types HubSpot sends in executions (`object.objectType`). */
const CRM_OBJECT_PATHS: Readonly<Record<string, string>> = { CONTACT: 'contacts', COMPANY: 'companies', DEAL: 'deals', TICKET: 'tickets' }

/**
 * HubSpot's object type names: CONTACT, COMPANY, DEAL, TICKET, LINE_ITEM…, and custom ones (`2-123456`,
 * `p_widgets`, `p12345_widgets`). Letters, digits, `_` and `-` only, so no `.`, `..` or `/` can make the path
 * another CRM endpoint read with the portal's token.
 */
const OBJECT_TYPE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/
/** HubSpot record ids are numbers (up to 64 bits). */
const RECORD_ID = /^[0-9]{1,20}$/

/** Record properties by name; undefined when the portal has not installed the app (or must re-install). */
export type RecordPropertyRead = (portalId: number, objectType: string, objectId: string, names: readonly string[]) => Promise<Record<string, unknown> | undefined>

/** `CONTACT` → `contacts` and so on; any other type (custom objects: `2-123`, `p_widgets`) passes through lowercased. */
export function crmObjectPath (objectType: string): string {
  return CRM_OBJECT_PATHS[objectType.toUpperCase()] ?? objectType.toLowerCase()
}

export function createRecordPropertyReader (oauth: Pick<HubSpotOAuth, 'hasTokens' | 'withAccessToken' | 'reinstallUrl'>): RecordPropertyRead {
  return async (portalId, objectType, objectId, names) => {
    checkRecordReference(objectType, objectId)
    // Nothing to fetch, but "not installed" must still read as such.
    if (names.length === 0) return await oauth.hasTokens(portalId) ? {} : undefined
    const what = `read ${objectType} ${objectId}`
    // Comma-separated, as HubSpot documents it; names are HubSpot internal names, encoded all the same.
    const path = `/crm/v3/objects/${encodeURIComponent(crmObjectPath(objectType))}/${encodeURIComponent(objectId)}?properties=${names.map(encodeURIComponent).join(',')}`
    let answer: HubSpotAnswer | undefined
    try {
      answer = await oauth.withAccessToken(portalId, what, { method: 'GET', path })
    } catch (error) {
      // A portal that turns out to need a re-install reads as "not installed": the execution then says the app
      // must be installed, which is what the admin has to do.
      if (error instanceof HubSpotApiError && error.reinstallRequired) return undefined
      throw error
    }
    if (answer === undefined) return undefined
    // No such record (deleted, merged): every placeholder from it is reported unresolved, by name.
    if (answer.status === 404) return {}
    if (!answer.ok) {
      const hint = answer.status === 403
        ? ` Check that HUBSPOT_OAUTH_SCOPES includes the CRM read scope for ${crmObjectPath(objectType)} (e.g. crm.objects.${crmObjectPath(objectType)}.read), then install the app again via ${oauth.reinstallUrl}.`
        : ''
      throw errorFromAnswer(`HubSpot refused to ${what} for portal ${portalId} (${answer.description}).${hint}`, answer)
    }
    const properties = asRecord(asRecord(answer.body)?.properties)
    if (properties === undefined) throw new HubSpotApiError(`HubSpot's answer to ${what} has no properties.`, { status: answer.status })
    // Only the names asked for: HubSpot adds hs_object_id, createdate and lastmodifieddate to every answer.
    // Placeholder names are lowercase; HubSpot's internal names are too, compared without case all the same.
    const wanted = new Set(names.map(name => name.toLowerCase()))
    return Object.fromEntries(Object.entries(properties).filter(([name]) => wanted.has(name.toLowerCase())))
  }
}

/** Refuses (INVALID_INPUT) an object type or id that is not HubSpot's: nothing is read for it. */
function checkRecordReference (objectType: string, objectId: string): void {
  const problems = [
    OBJECT_TYPE_NAME.test(objectType) ? '' : `object.objectType ${quoteExcerpt(objectType)} is not a HubSpot object type name (CONTACT, COMPANY, DEAL, TICKET, or a custom one such as 2-123456 or p_widgets: letters, digits, _ and -)`,
    RECORD_ID.test(objectId) ? '' : `object.objectId ${quoteExcerpt(objectId)} is not a numeric record id`
  ].filter(Boolean)
  if (problems.length > 0) throw new AppError('INVALID_INPUT', `${problems.join('; ')}, so no CRM record was read for the prompt's placeholders.`)
}
