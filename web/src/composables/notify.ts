import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'

/** "操作失败：" and the problem's detail, as the platform's errors read everywhere. */
export function notifyFailure(e: unknown): void {
  const detail = e instanceof Error ? e.message : String(e)
  ElMessage({ type: 'error', message: `操作失败：${detail}`, duration: 6000, showClose: true })
}

export function notifySuccess(message: string): void {
  ElMessage({ type: 'success', message, duration: 3000 })
}
