import type { LanguageCopy } from './language-copy.ts'

const ptBr: LanguageCopy = {
  appDisplayName: 'Ações de LLM (hospedagem própria)',
  inputFields: {
    provider: { label: 'Provedor de IA', description: 'Mostra os provedores conectados a esta conta da HubSpot.' },
    model: { label: 'Modelo de IA', description: 'Os modelos que esta conta pode usar com o provedor escolhido.' },
    fallbackProvider: { label: 'Provedor de IA alternativo', description: 'Opcional: usado quando o provedor escolhido recusa a chave, fica sem cota ou continua indisponível após novas tentativas.' },
    fallbackModel: { label: 'Modelo de IA alternativo', description: 'O modelo a ser usado com o provedor alternativo.' },
    prompt: { label: 'Instrução', description: 'O que o modelo deve fazer. Use {{input1}} a {{input3}} para os dados do registro abaixo, ou {{propertyName}} para qualquer propriedade do registro inscrito.' },
    temperature: { label: 'Temperatura', description: 'De 0 a 2. Valores baixos geram respostas mais objetivas; valores altos, mais variadas. Modelos sem suporte ignoram esse valor.' },
    reasoningEffort: { label: 'Esforço de raciocínio', description: 'Quanto o modelo pensa antes de responder. Apenas para modelos com suporte.' },
    maxOutputTokens: { label: 'Máximo de tokens de saída', description: 'Limite opcional para o tamanho da resposta.' },
    outputFormat: { label: 'Formato de saída', description: 'Texto, a menos que você escolha outro. Respostas em número, verdadeiro/falso, opção e JSON são verificadas e também preenchem uma saída específica.' },
    choices: { label: 'Opções', description: 'As respostas permitidas, separadas por ponto e vírgula, por exemplo: quente;morno;frio' },
    jsonSchema: { label: 'Esquema JSON', description: 'Opcional, para o formato JSON: um esquema JSON que a resposta deve seguir, por exemplo {"type": "object", "properties": {"score": {"type": "number"}}}.' },
    assistant: { label: 'Assistente', description: 'Um assistente salvo, com modelo, instruções e configurações próprios.' },
    processing: { label: 'Processamento', description: 'Padrão responde na hora. Econômico responde em até 24 horas por cerca de metade do preço, pela API de lotes do provedor. Se o provedor não tiver API de lotes ou se esta conta da HubSpot não tiver instalado o aplicativo via OAuth, a ação é executada como Padrão.' }
  },
  recordData: {
    label: number => `Dados do registro ${number}`,
    description: placeholder => `Texto ou uma propriedade do registro. Use na instrução como ${placeholder}.`
  },
  supportedProviders: names => `Este serviço oferece suporte a: ${names}.`,
  optionLabels: {
    reasoningEffort: { low: 'Baixo', medium: 'Médio', high: 'Alto' },
    outputFormat: { text: 'Texto', number: 'Número', boolean: 'Verdadeiro/falso', choice: 'Uma das opções', json: 'JSON' },
    processing: { standard: 'Padrão (resposta imediata)', economy: 'Econômico (em lotes, cerca de metade do preço, em até 24 horas)' }
  },
  outputFields: {
    response: 'Resposta',
    responseNumber: 'Resposta (número)',
    responseBoolean: 'Resposta (verdadeiro/falso)',
    responseChoice: 'Resposta (opção)',
    responseJson: 'Resposta (JSON)',
    provider: 'Provedor de IA',
    model: 'Modelo de IA',
    inputTokens: 'Tokens de entrada',
    outputTokens: 'Tokens de saída',
    costUsd: 'Custo (USD)',
    errorCode: 'Código de erro',
    errorMessage: 'Mensagem de erro'
  },
  executionRules: {
    PROVIDER_NOT_CONNECTED: 'Este provedor não está conectado a esta conta da HubSpot. Conecte-o na página de administração das ações de LLM ou escolha outro provedor.',
    PROVIDER_UNKNOWN: 'O provedor escolhido não está instalado neste serviço. Escolha outro provedor na ação.',
    MODEL_NOT_ALLOWED: 'O modelo escolhido não é permitido para esta conta. Escolha outro modelo ou permita-o na página de administração.',
    PROVIDER_AUTH: 'O provedor recusou a chave de API salva. Atualize a chave na página de administração.',
    PROVIDER_QUOTA: 'A conta do provedor está sem cota ou sem créditos. Verifique o faturamento com o provedor.',
    PROVIDER_REJECTED: 'O provedor recusou a solicitação: {{errorMessage}}',
    PROVIDER_TIMEOUT: 'O provedor não respondeu a tempo. Tente uma instrução mais curta, um limite de saída menor ou um modelo mais rápido.',
    OUTPUT_FORMAT: 'A resposta não seguiu o formato de saída, nem mesmo na segunda tentativa. Deixe mais claro na instrução qual resposta você espera.',
    TEMPLATE_UNRESOLVED: 'Um marcador da instrução não tem valor para este registro: {{errorMessage}}',
    ASSISTANT_NOT_FOUND: 'O assistente escolhido não existe mais. Escolha outro assistente na ação.',
    INVALID_INPUT: 'As configurações da ação não são válidas: {{errorMessage}}',
    KEY_UNREADABLE: 'O serviço não consegue ler a chave de API salva para este provedor. Peça ao responsável pelo serviço que verifique as chaves de criptografia ou reconecte o provedor na página de administração.',
    BUDGET_EXCEEDED: 'Esta conta da HubSpot gastou seu orçamento mensal de IA, então o modelo não foi chamado. Peça ao responsável pelo serviço que aumente o orçamento ou aguarde o próximo mês.',
    fallback: 'A ação falhou ({{errorCode}}): {{errorMessage}}'
  }
}

export default ptBr
