import type { ActionWords } from '../../definitions/labels/language-copy.ts'
import de from './de.ts'
import en from './en.ts'
import es from './es.ts'
import fr from './fr.ts'
import ja from './ja.ts'
import nl from './nl.ts'
import ptBr from './pt-br.ts'

/** "Ask OpenAI assistant" in every label language: one file per language, as the shared labels are. */
export const OPENAI_ASSISTANT_WORDS: ActionWords = { en, de, fr, ja, es, 'pt-br': ptBr, nl }
