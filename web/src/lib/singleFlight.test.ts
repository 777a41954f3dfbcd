import { describe, expect, it } from 'vitest'
import { singleFlight } from './singleFlight'

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('singleFlight', () => {
  it('runs once for calls made while one is in flight', async () => {
    let calls = 0
    const d = deferred<string>()
    const refresh = singleFlight(() => {
      calls++
      return d.promise
    })
    const a = refresh()
    const b = refresh()
    const c = refresh()
    expect(calls).toBe(1)
    d.resolve('token-2')
    expect(await Promise.all([a, b, c])).toEqual(['token-2', 'token-2', 'token-2'])
  })

  it('runs again once the previous call settled', async () => {
    let calls = 0
    const refresh = singleFlight(async () => ++calls)
    expect(await refresh()).toBe(1)
    expect(await refresh()).toBe(2)
  })

  it('shares a failure and recovers after it', async () => {
    let calls = 0
    const d = deferred<number>()
    const refresh = singleFlight(() => (++calls === 1 ? d.promise : Promise.resolve(calls)))
    const a = refresh()
    const b = refresh()
    d.reject(new Error('refresh token used'))
    await expect(a).rejects.toThrow('refresh token used')
    await expect(b).rejects.toThrow('refresh token used')
    expect(await refresh()).toBe(2)
  })

  it('does not start a second call when fn throws synchronously', async () => {
    let calls = 0
    const refresh = singleFlight<number>(() => {
      calls++
      throw new Error('boom')
    })
    await expect(refresh()).rejects.toThrow('boom')
    expect(calls).toBe(1)
  })
})
