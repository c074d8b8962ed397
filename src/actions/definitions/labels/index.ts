/** The shared copy in every label language; the shapes and writing rules are in language-copy.ts. */

import de from './de.ts'
import en from './en.ts'
import es from './es.ts'
import fr from './fr.ts'
import ja from './ja.ts'
import type { LabelLocale } from './label-locales.ts'
import type { LanguageCopy } from './language-copy.ts'
import nl from './nl.ts'
import ptBr from './pt-br.ts'

export { LABEL_LOCALES, type LabelLocale } from './label-locales.ts'
export type { ActionCopy, ActionWords, FieldCopy, LanguageCopy } from './language-copy.ts'

export const COPY: Readonly<Record<LabelLocale, LanguageCopy>> = { en, de, fr, ja, es, 'pt-br': ptBr, nl }
