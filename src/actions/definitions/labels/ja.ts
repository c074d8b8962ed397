import type { LanguageCopy } from './language-copy.ts'

const ja: LanguageCopy = {
  appDisplayName: 'LLMアクション（セルフホスト）',
  inputFields: {
    provider: { label: 'AIプロバイダー', description: 'このHubSpotアカウントに接続済みのプロバイダーが表示されます。' },
    model: { label: 'AIモデル', description: '選択したプロバイダーで、このアカウントが使用できるモデルです。' },
    fallbackProvider: { label: '代替AIプロバイダー', description: '任意。選択したプロバイダーがキーを拒否したとき、利用枠を使い切ったとき、または再試行しても応答しないときに使用します。' },
    fallbackModel: { label: '代替AIモデル', description: '代替プロバイダーで使用するモデルです。' },
    prompt: { label: 'プロンプト', description: 'モデルへの指示です。下のレコードデータは {{input1}}〜{{input3}}、登録されたレコードの任意のプロパティは {{propertyName}} で挿入できます。' },
    temperature: { label: '温度', description: '0〜2。低いほど回答が安定し、高いほど多様になります。対応していないモデルでは無視されます。' },
    reasoningEffort: { label: '推論の深さ', description: '回答する前にモデルがどれだけ考えるかを指定します。対応モデルのみ。' },
    maxOutputTokens: { label: '最大出力トークン数', description: '回答の長さの上限（任意）。' },
    outputFormat: { label: '出力形式', description: '既定はテキストです。数値、真偽値、選択肢、JSONの回答は検証され、対応する出力にも入ります。' },
    choices: { label: '選択肢', description: '許可する回答をセミコロン区切りで入力します。例：高;中;低' },
    jsonSchema: { label: 'JSON スキーマ', description: '任意（JSON 形式のとき）。回答が従う JSON スキーマです。例: {"type": "object", "properties": {"score": {"type": "number"}}}' },
    assistant: { label: 'アシスタント', description: 'モデル、指示、設定を保存したアシスタントです。' },
    processing: { label: '処理方式', description: '標準はすぐに回答します。エコノミーはプロバイダーのバッチAPIを通じて、約半額で24時間以内に回答します。プロバイダーにバッチAPIがない場合や、このHubSpotアカウントがOAuthでアプリをインストールしていない場合は、標準として実行されます。' }
  },
  recordData: {
    label: number => `レコードデータ${number}`,
    description: placeholder => `テキストまたはレコードのプロパティ。プロンプト内で ${placeholder} として使用します。`
  },
  supportedProviders: names => `このサービスの対応プロバイダー：${names}。`,
  optionLabels: {
    reasoningEffort: { low: '低', medium: '中', high: '高' },
    outputFormat: { text: 'テキスト', number: '数値', boolean: '真偽値（true/false）', choice: '選択肢のいずれか', json: 'JSON' },
    processing: { standard: '標準（すぐに回答）', economy: 'エコノミー（バッチ、約半額、24時間以内）' }
  },
  outputFields: {
    response: '回答',
    responseNumber: '回答（数値）',
    responseBoolean: '回答（真偽値）',
    responseChoice: '回答（選択肢）',
    responseJson: '回答（JSON）',
    provider: 'AIプロバイダー',
    model: 'AIモデル',
    inputTokens: '入力トークン数',
    outputTokens: '出力トークン数',
    costUsd: 'コスト（USD）',
    errorCode: 'エラーコード',
    errorMessage: 'エラーメッセージ'
  },
  executionRules: {
    PROVIDER_NOT_CONNECTED: 'このプロバイダーはこのHubSpotアカウントに接続されていません。LLMアクションの管理ページで接続するか、別のプロバイダーを選択してください。',
    PROVIDER_UNKNOWN: '選択したプロバイダーはこのサービスにインストールされていません。アクションで別のプロバイダーを選択してください。',
    MODEL_NOT_ALLOWED: '選択したモデルはこのアカウントで許可されていません。別のモデルを選択するか、管理ページで許可してください。',
    PROVIDER_AUTH: '保存されているAPIキーがプロバイダーに拒否されました。管理ページでキーを更新してください。',
    PROVIDER_QUOTA: 'プロバイダーのアカウントで利用枠またはクレジットが不足しています。プロバイダーの請求設定を確認してください。',
    PROVIDER_REJECTED: 'プロバイダーがリクエストを拒否しました：{{errorMessage}}',
    PROVIDER_TIMEOUT: 'プロバイダーから時間内に応答がありませんでした。プロンプトを短くする、出力の上限を下げる、または高速なモデルを選択してください。',
    OUTPUT_FORMAT: '再試行しても回答が出力形式に合いませんでした。期待する回答をプロンプトでより明確に指定してください。',
    TEMPLATE_UNRESOLVED: 'このレコードでは、プロンプトのプレースホルダーに値がありません：{{errorMessage}}',
    ASSISTANT_NOT_FOUND: '選択したアシスタントは存在しません。アクションで別のアシスタントを選択してください。',
    INVALID_INPUT: 'アクションの設定が無効です：{{errorMessage}}',
    KEY_UNREADABLE: 'このプロバイダー用に保存されたAPIキーをサービスが読み取れません。サービスの運用担当者に暗号化キーの確認を依頼するか、管理ページでプロバイダーを再接続してください。',
    BUDGET_EXCEEDED: 'このHubSpotアカウントは今月のAI予算を使い切ったため、モデルは呼び出されませんでした。サービスの運用担当者に予算の引き上げを依頼するか、来月までお待ちください。',
    fallback: 'アクションが失敗しました（{{errorCode}}）：{{errorMessage}}'
  }
}

export default ja
