import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const es: ActionCopy = {
  actionName: 'Usar un LLM personalizado',
  actionDescription: 'Envía una instrucción, con datos del registro inscrito, al proveedor de IA y al modelo que elijas, y usa la respuesta en las siguientes acciones del flujo de trabajo.',
  actionCardContent: 'Preguntar a {{provider}} · {{model}}'
}

export default es
