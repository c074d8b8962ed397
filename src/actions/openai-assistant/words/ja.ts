import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const ja: ActionCopy = {
  actionName: 'OpenAIアシスタントに質問',
  actionDescription: '保存済みのOpenAIアシスタントを、登録されたレコードのデータを含むプロンプトで実行し、その回答を後続のワークフローアクションで使用します。',
  actionCardContent: 'アシスタント {{assistant}} に質問',
  inputFields: {
    model: { label: 'モデルの上書き', description: '空欄の場合はアシスタントのモデルを使用します。' },
    temperature: { label: '温度の上書き', description: '空欄の場合はアシスタントの温度を使用します。0〜2。' }
  }
}

export default ja
