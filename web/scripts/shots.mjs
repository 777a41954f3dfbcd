// Screenshots and an axe-core pass over every page, as each demo user sees it.
//
//   npm run build && npx vite preview &      (the /api proxy forwards to the gateway on :8000)
//   node scripts/shots.mjs                   (PNGs in /tmp/web-shots, axe findings on stdout)
//
// XZ_WEB (default http://127.0.0.1:4173) and XZ_SHOTS (default /tmp/web-shots) change where;
// XZ_SHOTS_WRITE=1 also raises an issue as the resident and checks it shows in 我的事项;
// XZ_SHOTS_ONLY=county,resident runs only those steps.
// Uses Debian's chromium: playwright's own browser downloads are not needed.
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium } from 'playwright-core'

const require = createRequire(import.meta.url)
const AXE = require.resolve('axe-core/axe.min.js')
const BASE = process.env.XZ_WEB ?? 'http://127.0.0.1:4173'
const OUT = process.env.XZ_SHOTS ?? '/tmp/web-shots'
const WRITE = process.env.XZ_SHOTS_WRITE === '1'
const ONLY = process.env.XZ_SHOTS_ONLY?.split(',')
const VILLAGE = '141121100201'

// `make demo`'s users: the same passwords on every run of the demo loader.
const USERS = {
  admin: ['demo-admin', 'U33PpruEYy_oBp9Tyq2p'],
  township: ['demo-township-141121100', 'lK2FgH5PPmrK3109NSoZ'],
  secretary: [`demo-${VILLAGE}-secretary`, 'ZG6QI5m-RFgUPrWHjo3s'],
  gridWorker: [`demo-${VILLAGE}-grid-worker`, 'reqruW-mSmw0PuGcD6Ki'],
  resident: [`demo-${VILLAGE}-resident-1`, 'TzzpVKZ-C0IvSiOJTtLA'],
}

mkdirSync(OUT, { recursive: true })
const problems = []
let faking = false // while the states step fakes failures, failures are expected

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
})

async function newPage({ width = 1366, height = 900, geolocation, mobile = false } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    ...(mobile ? { isMobile: true, hasTouch: true } : {}),
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...(geolocation ? { geolocation, permissions: ['geolocation'] } : {}),
  })
  const page = await context.newPage()
  page.on('console', (m) => {
    if (faking) return
    // the browser logs every 4xx; the 401s and 403s the pages expect are handled in the page
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) problems.push(`console error on ${page.url()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`))
  page.on('response', (r) => {
    if (r.status() >= 500 && !faking) problems.push(`${r.status()} ${r.url()}`)
  })
  return { context, page }
}

async function shot(page, name) {
  await page.waitForTimeout(400)
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true })
  console.log(`shot ${name}.png`)
}

async function axe(page, name) {
  await page.addScriptTag({ path: AXE })
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 3).join(' ')}`),
      count: v.nodes.length,
    }))
  })
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  const minor = result.filter((v) => !bad.includes(v)).map((v) => `${v.id}(${v.impact},${v.count})`)
  console.log(`axe ${name}: ${bad.length} serious/critical${minor.length ? `; minor: ${minor.join(' ')}` : ''}`)
  for (const v of bad) {
    console.log(`  [${v.impact}] ${v.id}: ${v.help} (${v.count})`)
    for (const n of v.nodes) console.log(`      ${n}`)
  }
  return bad.length
}

async function login(page, who) {
  const [username, password] = USERS[who]
  await page.goto(`${BASE}/login`)
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 })
  const role = await page.getByTestId('user-role').textContent()
  console.log(`${who} → ${new URL(page.url()).pathname} (${role})`)
}

async function noHorizontalScroll(page, name) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }))
  if (scroll > client) problems.push(`${name}: horizontal scroll (${scroll} > ${client})`)
}

const steps = {
  async public() {
    const { context, page } = await newPage()
    const sent = []
    page.on('request', (r) => {
      if (r.url().includes('/api/') && r.headers().authorization) sent.push(r.url())
    })
    await page.goto(`${BASE}/public`)
    await page.getByTestId('public-village-select').waitFor()
    await shot(page, 'public-chooser')
    await axe(page, 'public-chooser')
    await page.goto(`${BASE}/public/${VILLAGE}`)
    await page.getByTestId('public-finance').locator('table').first().waitFor({ timeout: 15_000 })
    await shot(page, 'public-village')
    await axe(page, 'public-village')
    const csv = await page.getByTestId('public-finance-csv').getAttribute('href')
    const res = await page.request.get(`${BASE}${csv}`)
    console.log(`csv link ${csv} → ${res.status()} ${res.headers()['content-type']}`)
    if (sent.length) problems.push(`public page sent a token: ${sent.join(', ')}`)
    await context.close()

    const phone = await newPage({ width: 390, height: 844, mobile: true })
    await phone.page.goto(`${BASE}/public/${VILLAGE}`)
    await phone.page.getByTestId('public-notices').locator('table').first().waitFor({ timeout: 15_000 })
    await shot(phone.page, 'public-phone')
    await noHorizontalScroll(phone.page, 'public-phone')
    await phone.context.close()
  },

  async login() {
    const { context, page } = await newPage()
    await page.goto(`${BASE}/login`)
    await page.getByTestId('login-submit').waitFor()
    await shot(page, 'login')
    await axe(page, 'login')
    await page.getByTestId('login-username').fill('nobody')
    await page.getByTestId('login-password').fill('wrong-password')
    await page.getByTestId('login-submit').click()
    await page.getByRole('alert').first().waitFor()
    await shot(page, 'login-failed')
    await context.close()
  },

  async county() {
    const { context, page } = await newPage()
    await login(page, 'admin')
    await page.getByTestId(`county-row-${VILLAGE}`).waitFor({ timeout: 20_000 })
    await page.getByTestId('county-chart-issues').locator('canvas').waitFor({ timeout: 20_000 })
    await page.waitForFunction(() => performance.getEntriesByName('xz-first-chart').length === 1, null, { timeout: 20_000 })
    const mark = await page.evaluate(() => Math.round(performance.getEntriesByName('xz-first-chart')[0].startTime))
    const rows = await page.locator('[data-testid^="county-row-"]').count()
    console.log(`county: ${rows} rows on the page, first chart at ${mark} ms`)
    await page.waitForTimeout(1500) // coverage cells fill in
    await shot(page, 'county')
    await axe(page, 'county')
    console.log(`county total: ${await page.getByTestId('county-table-total').textContent()}`)
    const header = page.locator('th', { hasText: '集体收入' })
    await header.click()
    await header.click()
    const sortedClass = await header.getAttribute('class')
    const codes = await page.locator('[data-testid^="county-row-"]').evaluateAll((els) => els.map((e) => e.dataset.village))
    const incomes = await page.locator('tr.county-row').evaluateAll((trs) => trs.map((tr) => tr.children[7]?.textContent?.trim()))
    console.log(`sorted by income (${/descending/.test(sortedClass) ? 'descending' : sortedClass}): ${codes.slice(0, 3).join(', ')} … ${incomes.slice(0, 3).join(' | ')}`)
    await shot(page, 'county-sorted')
    await page.getByTestId('county-filter').fill('东庄')
    await page.waitForTimeout(300)
    const row = page.getByTestId(`county-row-${VILLAGE}`)
    console.log(`county filter 东庄: ${await page.locator('[data-testid^="county-row-"]').count()} rows; row text: ${(await page.locator('tr', { has: row }).textContent()).replace(/\s+/g, ' ').slice(0, 120)}`)
    await page.getByTestId('county-filter').fill('')
    await page.getByRole('button', { name: /东庄村月度趋势/ }).click()
    await page.locator('.el-drawer [data-testid="village-trend-chart"] canvas').waitFor()
    await shot(page, 'county-trend-drawer')
    await page.keyboard.press('Escape')
    await page.getByTestId('county-filter').fill('东庄')
    await row.click()
    await page.waitForURL(new RegExp(`/village/${VILLAGE}$`))
    await page.getByTestId('village-trend-chart').locator('canvas').waitFor()
    await page.getByTestId('village-name').filter({ hasText: '东庄村' }).waitFor()
    console.log('county → village by row link: ok')
    await context.close()
  },

  async township() {
    const { context, page } = await newPage()
    await login(page, 'township')
    await page.getByTestId(`county-row-${VILLAGE}`).waitFor({ timeout: 20_000 })
    await shot(page, 'county-township')
    await page.goto(`${BASE}/village/141121101201`)
    await page.getByText('无权查看').first().waitFor({ timeout: 20_000 })
    await page.waitForTimeout(1000)
    console.log(`township on another township's village: points-ranking ${await page.getByTestId('points-ranking').count()}`)
    await shot(page, 'village-township-refused')
    await axe(page, 'village-township-refused')
    await context.close()
  },

  async village() {
    const { context, page } = await newPage()
    await login(page, 'secretary')
    await page.getByTestId('village-name').filter({ hasText: '东庄村' }).waitFor({ timeout: 15_000 })
    await page.getByTestId('grid-tree').waitFor({ timeout: 15_000 })
    await page.getByTestId('village-trend-chart').locator('canvas').waitFor({ timeout: 15_000 })
    await shot(page, 'village-grid')
    await axe(page, 'village-grid')
    const tabs = [
      ['issues', 'issue-board'],
      ['points', 'points-ranking'],
      ['economy', 'income-by-source'],
      ['works', 'works-table'],
      ['remediation', 'remediation-table'],
      ['practical', 'practical-table'],
    ]
    for (const [tab, testid] of tabs) {
      await page.getByTestId(`tab-${tab}`).click()
      await page.getByTestId(testid).waitFor({ timeout: 15_000 })
      if (tab === 'economy') await page.getByTestId('income-by-source').locator('canvas').waitFor({ timeout: 15_000 })
      if (tab === 'issues') {
        const n = await page.locator('[data-testid^="issue-"]:not([data-testid="issue-board"])').count()
        console.log(`issue board rows: ${n}`)
      }
      await page.waitForTimeout(500)
      await shot(page, `village-${tab}`)
      await axe(page, `village-${tab}`)
    }
    await context.close()
  },

  async gridWorker() {
    const { context, page } = await newPage()
    await login(page, 'gridWorker')
    await page.getByTestId('grid-tree').waitFor({ timeout: 15_000 })
    await page.getByTestId('tab-issues').click()
    await page.getByTestId('issue-board').waitFor()
    await shot(page, 'village-grid-worker-issues')
    await page.goto(`${BASE}/village/141121100202`)
    await page.getByText('无权查看').first().waitFor({ timeout: 15_000 })
    await page.waitForTimeout(800)
    await shot(page, 'village-other-forbidden')
    await page.goto(`${BASE}/county`)
    await page.getByText('无权查看').first().waitFor({ timeout: 15_000 })
    console.log(`grid worker on /county: ${await page.locator('[data-testid^="county-row-"]').count()} rows`)
    await shot(page, 'county-refused')
    await axe(page, 'county-refused')
    await page.getByTestId('logout').click()
    await page.waitForURL('**/login')
    await context.close()
  },

  // What a page shows when a service is down, fails or is slow (the answers faked in the browser).
  async states() {
    const { context, page } = await newPage()
    await login(page, 'admin')
    faking = true
    await page.route('**/api/v1/counties/*/summary', async (route) => {
      const res = await route.fetch()
      const body = await res.json()
      for (const v of body.villages) delete v.services.livelihood
      await route.fulfill({ response: res, json: { ...body, partial: true, unavailable: ['livelihood'] } })
    })
    await page.goto(`${BASE}/county`)
    await page.getByTestId('partial-warning').waitFor({ timeout: 20_000 })
    console.log(`partial warning: ${await page.getByTestId('partial-warning').textContent()}`)
    await page.getByTestId('county-chart-issues').locator('canvas').waitFor()
    await shot(page, 'county-partial')
    await axe(page, 'county-partial')
    await page.unrouteAll()

    await page.route('**/party/points/rankings*', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ title: 'Service unavailable', status: 503, detail: 'party did not answer (connect timeout)' }),
      }),
    )
    await page.route('**/livelihood/works*', async (route) => {
      await new Promise((r) => setTimeout(r, 5000))
      await route.continue().catch(() => undefined)
    })
    await page.goto(`${BASE}/village/${VILLAGE}?tab=points`)
    await page.getByRole('button', { name: '重试' }).first().waitFor({ timeout: 20_000 })
    await shot(page, 'village-section-error')
    await axe(page, 'village-section-error')
    await page.getByTestId('tab-works').click()
    await page.waitForTimeout(300)
    await shot(page, 'village-section-loading')
    await context.close()
    faking = false
  },

  async resident() {
    const { context, page } = await newPage({ width: 390, height: 844, geolocation: { latitude: 37.4401, longitude: 112.0302 }, mobile: true })
    await login(page, 'resident')
    await page.getByTestId('my-issues').waitFor({ timeout: 20_000 })
    await shot(page, 'resident')
    await noHorizontalScroll(page, 'resident')
    await axe(page, 'resident')
    // the first option of each list, as tests/e2e/test_dashboard.py picks them
    await page.getByTestId('raise-category').click()
    await page.getByRole('option').first().click()
    await page.getByTestId('raise-title').fill('截图脚本：路边垃圾未清运')
    await page.getByTestId('raise-description').fill('网页端截图脚本自动提交，用于检查提交流程')
    await page.getByTestId('raise-grid').click()
    await page.getByRole('option').first().click()
    await page.getByTestId('raise-use-location').click()
    await page.getByText('已定位').waitFor({ timeout: 10_000 })
    console.log(`form: ${await page.getByTestId('raise-category').textContent()} / ${await page.getByTestId('raise-grid').textContent()}`)
    await page.getByTestId('raise-address').fill('东庄村东片1号')
    await shot(page, 'resident-filled')
    await noHorizontalScroll(page, 'resident-filled')
    if (WRITE) {
      await page.getByTestId('raise-submit').click()
      await page.getByText('已提交').first().waitFor({ timeout: 15_000 })
      const id = (await page.getByTestId('raise-done').textContent()).match(/web-[A-Za-z0-9-]+/)?.[0]
      await page.getByTestId(`my-issue-${id}`).waitFor({ timeout: 30_000 })
      console.log(`raised ${id}: shows in 我的事项`)
      await shot(page, 'resident-submitted')
    }
    const confirmable = page.locator('[data-testid^="confirm-"]').filter({ hasText: '确认并评价' })
    if (await confirmable.count()) {
      await confirmable.first().click()
      await page.getByTestId('confirm-submit').waitFor()
      await shot(page, 'resident-confirm-dialog')
      await axe(page, 'resident-confirm-dialog')
      await page.keyboard.press('Escape')
    }
    await context.close()
  },
}

for (const [name, step] of Object.entries(steps)) {
  if (ONLY && !ONLY.includes(name)) continue
  try {
    await step()
  } catch (e) {
    problems.push(`${name}: ${e.message.split('\n')[0]}`)
    console.log(`step ${name} failed: ${e.message.split('\n')[0]}`)
  }
}
await browser.close()

if (problems.length) {
  console.log(`\n${problems.length} problem(s):`)
  for (const p of problems) console.log(`  - ${p}`)
  process.exitCode = 1
} else {
  console.log('\nno problems')
}
