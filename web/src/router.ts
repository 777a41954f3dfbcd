import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'
import { setAuthLostHandler } from '@/api/http'
import { claims } from '@/api/session'
import { homeFor } from '@/lib/roles'

declare module 'vue-router' {
  interface RouteMeta {
    title: string
    /** needs a logged-in user */
    auth?: boolean
  }
}

// Each page is its own chunk: the public board never loads ECharts, the resident page never
// loads the county table.
export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', name: 'home', redirect: () => homeFor(claims.value), meta: { title: '首页' } },
    { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { title: '登录' } },
    {
      path: '/county',
      name: 'county',
      component: () => import('@/views/CountyView.vue'),
      // Other roles see the page say 无权查看 rather than being sent elsewhere silently.
      meta: { title: '县级总览', auth: true },
    },
    {
      path: '/village/:code(\\d{12})',
      name: 'village',
      component: () => import('@/views/VillageView.vue'),
      props: true,
      meta: { title: '村级治理', auth: true },
    },
    {
      path: '/resident',
      name: 'resident',
      component: () => import('@/views/ResidentView.vue'),
      meta: { title: '村民服务', auth: true },
    },
    { path: '/public', name: 'public', component: () => import('@/views/PublicView.vue'), meta: { title: '村务公开' } },
    {
      path: '/public/:village(\\d{12})',
      name: 'public-village',
      component: () => import('@/views/PublicView.vue'),
      props: true,
      meta: { title: '村务公开' },
    },
    {
      path: '/:rest(.*)*',
      name: 'not-found',
      component: () => import('@/views/NotFoundView.vue'),
      meta: { title: '页面不存在' },
    },
  ],
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach((to: RouteLocationNormalized) => {
  const who = claims.value
  if (to.meta.auth && !who) return { path: '/login', query: { redirect: to.fullPath } }
  if (to.name === 'login' && who && !to.query.redirect) return homeFor(who)
  return true
})

router.afterEach((to) => {
  document.title = `${to.meta.title} · 乡治`
})

setAuthLostHandler(() => {
  const current = router.currentRoute.value
  if (current.meta.auth) void router.push({ path: '/login', query: { redirect: current.fullPath } })
})
