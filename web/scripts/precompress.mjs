// After vite build: each script and stylesheet of dist/assets also as <name>.gz (gzip -9), which
// the gateway sends to browsers that accept gzip. Compressed once here, never per request.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync, constants } from 'node:zlib'

const dir = new URL('../dist/assets/', import.meta.url).pathname
let raw = 0
let packed = 0
for (const name of readdirSync(dir)) {
  if (!/\.(js|css|svg)$/.test(name)) continue
  const body = readFileSync(join(dir, name))
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION })
  writeFileSync(join(dir, `${name}.gz`), gz)
  raw += body.length
  packed += gz.length
}
console.log(`precompressed dist/assets: ${raw} bytes -> ${packed} bytes gzip`)
