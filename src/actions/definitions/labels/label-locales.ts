/** The languages HubSpot supports for custom action labels (hubspot.md §1.6). English first: HubSpot requires it and falls back to it. */
export const LABEL_LOCALES = ['en', 'de', 'fr', 'ja', 'es', 'pt-br', 'nl'] as const
export type LabelLocale = typeof LABEL_LOCALES[number]
