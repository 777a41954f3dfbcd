// Errors arrive as RFC 9457 problem+json. People see the detail; the title is the fallback.

export interface FieldError {
  field?: string
  message?: string
  type?: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  field?: string
  errors?: FieldError[]
  [extra: string]: unknown
}

export function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && ('detail' in body || 'title' in body || 'status' in body)
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: '请求有误',
  401: '登录已失效，请重新登录',
  403: '无权查看',
  404: '未找到',
  409: '数据已被他人修改，请刷新后重试',
  422: '填写的内容有误',
  429: '请求过于频繁，请稍后再试',
  502: '服务暂时不可用',
  503: '服务暂时不可用',
  504: '服务响应超时',
}

/** One line for a person: the detail (or title), else a Chinese phrase for the status. */
export function problemMessage(problem: Problem | null | undefined, status?: number): string {
  const code = problem?.status ?? status
  const text = problem?.detail || problem?.title
  if (text) return text
  if (code !== undefined && STATUS_TEXT[code]) return STATUS_TEXT[code]
  return code !== undefined ? `请求失败（${code}）` : '网络连接失败，请检查网络后重试'
}

/** The form fields a 422 names, without the "body." prefix pydantic adds. */
export function problemFields(problem: Problem | null | undefined): string[] {
  const fields = new Set<string>()
  if (typeof problem?.field === 'string') fields.add(problem.field.replace(/^body\./, ''))
  for (const e of problem?.errors ?? []) {
    if (typeof e.field === 'string') fields.add(e.field.replace(/^body\./, ''))
  }
  return [...fields]
}
