import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The gateway: the dev server and `vite preview` forward the API to it, so the app is
// always same-origin with /api as it is when the gateway serves web/dist itself.
const gateway = process.env.XZ_GATEWAY ?? 'http://127.0.0.1:8000'
const proxy = { '/api': { target: gateway, changeOrigin: false } }

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    // Only the Element Plus components a template uses end up in the bundle, with their CSS.
    Components({
      dts: 'src/components.d.ts',
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: { port: 5173, strictPort: true, proxy },
  preview: { port: 4173, strictPort: true, proxy },
  build: {
    outDir: 'dist',
    target: 'es2020',
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        // echarts is large and changes rarely: its own chunk caches across deploys.
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          return undefined
        },
      },
    },
  },
})
