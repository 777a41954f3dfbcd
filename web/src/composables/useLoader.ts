import { computed, ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError } from '@/api/http'

export interface Loader<T> {
  data: ShallowRef<T | undefined>
  loading: Ref<boolean>
  error: ShallowRef<Error | null>
  /** a 403: the section shows 无权查看 instead of an error */
  forbidden: Ref<boolean>
  run: () => Promise<void>
}

/**
 * One section's read: its own loading, error and data, so a slow or failing service only
 * affects the section that asked it. A newer run supersedes an older one still in flight.
 */
export function useLoader<T>(fetcher: () => Promise<T>, opts: { immediate?: boolean } = {}): Loader<T> {
  const data = shallowRef<T | undefined>()
  const loading = ref(false)
  const error = shallowRef<Error | null>(null)
  let generation = 0

  async function run(): Promise<void> {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const value = await fetcher()
      if (mine === generation) data.value = value
    } catch (e) {
      if (mine === generation) error.value = e instanceof Error ? e : new Error(String(e))
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  const forbidden = computed(() => error.value instanceof ApiError && error.value.forbidden)
  if (opts.immediate !== false) void run()
  return { data, loading, error, forbidden, run }
}
