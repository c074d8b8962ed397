import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const es: ActionCopy = {
  actionName: 'Preguntar al asistente de OpenAI',
  actionDescription: 'Ejecuta un asistente de OpenAI guardado con una instrucción y datos del registro inscrito, y usa la respuesta en las siguientes acciones del flujo de trabajo.',
  actionCardContent: 'Preguntar al asistente {{assistant}}',
  inputFields: {
    model: { label: 'Otro modelo', description: 'Déjalo vacío para usar el modelo del asistente.' },
    temperature: { label: 'Otra temperatura', description: 'Déjalo vacío para usar la temperatura del asistente. De 0 a 2.' }
  }
}

export default es
