import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const ja: ActionCopy = {
  actionName: 'カスタムLLMを使用',
  actionDescription: '登録されたレコードのデータを含むプロンプトを、選択したAIプロバイダーとモデルに送信し、その回答を後続のワークフローアクションで使用します。',
  actionCardContent: '{{provider}} · {{model}} に質問'
}

export default ja
