import type { LanguageCopy } from './language-copy.ts'

const es: LanguageCopy = {
  appDisplayName: 'Acciones LLM (autoalojadas)',
  inputFields: {
    provider: { label: 'Proveedor de IA', description: 'Muestra los proveedores conectados a esta cuenta de HubSpot.' },
    model: { label: 'Modelo de IA', description: 'Los modelos que esta cuenta puede usar con el proveedor elegido.' },
    fallbackProvider: { label: 'Proveedor de IA de respaldo', description: 'Opcional: se usa cuando el proveedor elegido rechaza la clave, se queda sin cuota o sigue sin estar disponible tras varios reintentos.' },
    fallbackModel: { label: 'Modelo de IA de respaldo', description: 'El modelo que se usará con el proveedor de respaldo.' },
    prompt: { label: 'Instrucción', description: 'Lo que debe hacer el modelo. Usa {{input1}} a {{input3}} para los datos del registro de abajo, o {{propertyName}} para cualquier propiedad del registro inscrito.' },
    temperature: { label: 'Temperatura', description: 'De 0 a 2. Un valor bajo da respuestas más precisas; uno alto, más variadas. Los modelos que no la admiten la ignoran.' },
    reasoningEffort: { label: 'Esfuerzo de razonamiento', description: 'Cuánto piensa el modelo antes de responder. Solo en los modelos que lo admiten.' },
    maxOutputTokens: { label: 'Máximo de tokens de salida', description: 'Límite opcional de la longitud de la respuesta.' },
    outputFormat: { label: 'Formato de salida', description: 'Texto, salvo que elijas otro. Las respuestas de número, verdadero/falso, opción y JSON se comprueban y rellenan además una salida específica.' },
    choices: { label: 'Opciones', description: 'Las respuestas permitidas, separadas por punto y coma, por ejemplo: caliente;templado;frío' },
    jsonSchema: { label: 'Esquema JSON', description: 'Opcional, para el formato JSON: un esquema JSON que la respuesta debe cumplir, por ejemplo {"type": "object", "properties": {"score": {"type": "number"}}}.' },
    assistant: { label: 'Asistente', description: 'Un asistente guardado con su propio modelo, instrucciones y ajustes.' },
    processing: { label: 'Procesamiento', description: 'Estándar responde al momento. Económico responde en un plazo de 24 horas por aproximadamente la mitad del precio, a través de la API por lotes del proveedor. Si el proveedor no tiene API por lotes o esta cuenta de HubSpot no instaló la aplicación mediante OAuth, se ejecuta como Estándar.' }
  },
  recordData: {
    label: number => `Datos del registro ${number}`,
    description: placeholder => `Texto o una propiedad del registro. Úsalo en la instrucción como ${placeholder}.`
  },
  supportedProviders: names => `Este servicio admite: ${names}.`,
  optionLabels: {
    reasoningEffort: { low: 'Bajo', medium: 'Medio', high: 'Alto' },
    outputFormat: { text: 'Texto', number: 'Número', boolean: 'Verdadero/falso', choice: 'Una de las opciones', json: 'JSON' },
    processing: { standard: 'Estándar (respuesta inmediata)', economy: 'Económico (por lotes, aprox. mitad de precio, en un plazo de 24 horas)' }
  },
  outputFields: {
    response: 'Respuesta',
    responseNumber: 'Respuesta (número)',
    responseBoolean: 'Respuesta (verdadero/falso)',
    responseChoice: 'Respuesta (opción)',
    responseJson: 'Respuesta (JSON)',
    provider: 'Proveedor de IA',
    model: 'Modelo de IA',
    inputTokens: 'Tokens de entrada',
    outputTokens: 'Tokens de salida',
    costUsd: 'Coste (USD)',
    errorCode: 'Código de error',
    errorMessage: 'Mensaje de error'
  },
  executionRules: {
    PROVIDER_NOT_CONNECTED: 'Este proveedor no está conectado a esta cuenta de HubSpot. Conéctalo en la página de administración de las acciones LLM o elige otro proveedor.',
    PROVIDER_UNKNOWN: 'El proveedor elegido no está instalado en este servicio. Elige otro proveedor en la acción.',
    MODEL_NOT_ALLOWED: 'El modelo elegido no está permitido para esta cuenta. Elige otro modelo o permítelo en la página de administración.',
    PROVIDER_AUTH: 'El proveedor rechazó la clave de API guardada. Actualiza la clave en la página de administración.',
    PROVIDER_QUOTA: 'La cuenta del proveedor se ha quedado sin cuota o sin crédito. Revisa la facturación con el proveedor.',
    PROVIDER_REJECTED: 'El proveedor rechazó la solicitud: {{errorMessage}}',
    PROVIDER_TIMEOUT: 'El proveedor no respondió a tiempo. Prueba con una instrucción más corta, un límite de salida menor o un modelo más rápido.',
    OUTPUT_FORMAT: 'La respuesta no se ajustaba al formato de salida, ni siquiera en un segundo intento. Indica con más claridad en la instrucción qué respuesta esperas.',
    TEMPLATE_UNRESOLVED: 'Un marcador de la instrucción no tiene valor para este registro: {{errorMessage}}',
    ASSISTANT_NOT_FOUND: 'El asistente elegido ya no existe. Elige otro asistente en la acción.',
    INVALID_INPUT: 'La configuración de la acción no es válida: {{errorMessage}}',
    KEY_UNREADABLE: 'El servicio no puede leer la clave de API guardada para este proveedor. Pide al responsable del servicio que revise sus claves de cifrado o vuelve a conectar el proveedor en la página de administración.',
    BUDGET_EXCEEDED: 'Esta cuenta de HubSpot ha gastado su presupuesto mensual de IA, así que no se llamó al modelo. Pide al responsable del servicio que amplíe el presupuesto o espera al mes que viene.',
    fallback: 'La acción ha fallado ({{errorCode}}): {{errorMessage}}'
  }
}

export default es
