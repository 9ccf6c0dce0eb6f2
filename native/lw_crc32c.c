// CRC32C (Castagnoli) for the disk queue, as a Node-API addon: the SSE4.2 crc32 instruction where the CPU has
// it (chosen at run time), else slice-by-8 tables. Optional: src/queue/disk/crc32c.ts falls back to its own
// JavaScript tables when this addon is absent, and the two must agree bit for bit (test/unit/queue/crc32c.test.ts).
//
// Exports:
//   crc32c(buf, start, end, crc) → uint32   continue a CRC over buf[start, end) (crc 0 to start)
//   sealRun(buf)                 → records  fill the CRC field of each record of a run laid out as in
//                                           src/queue/disk/format.ts (magic u32, crc u32, len u32, seq, at, payload)
// Node-API is ABI-stable: one build loads in every Node version from 18 on.
#include <node_api.h>
#include "lw_napi.h"
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define POLY 0x82f63b78u
#define HDR 24

static uint32_t table[8][256];
static int have_sse42;

static void init_table(void) {
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = b;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
    table[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = table[0][b];
    for (int k = 1; k < 8; k++) {
      c = table[0][c & 0xff] ^ (c >> 8);
      table[k][b] = c;
    }
  }
}

static uint32_t crc_soft(uint32_t crc, const uint8_t *p, size_t n) {
  uint32_t c = ~crc;
  while (n >= 8) {
    uint32_t lo, hi;
    memcpy(&lo, p, 4);
    memcpy(&hi, p + 4, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    lo = __builtin_bswap32(lo);
    hi = __builtin_bswap32(hi);
#endif
    lo ^= c;
    c = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
        table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^ table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const uint8_t *p, size_t n) {
  uint64_t c = (uint32_t)~crc;
  while (n >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    c = __builtin_ia32_crc32di(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = (uint32_t)c;
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return ~c32;
}
#endif

static uint32_t crc(uint32_t init, const uint8_t *p, size_t n) {
#if defined(__x86_64__)
  if (have_sse42) return crc_hw(init, p, n);
#endif
  return crc_soft(init, p, n);
}

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static napi_value js_crc32c(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  size_t len;
  uint8_t *p = args_bytes(env, info, 4, argv, &len, "crc32c(buf, start, end, crc): buf must be a Uint8Array");
  if (p == NULL) return NULL;
  int64_t start, end;
  uint32_t init;
  if (napi_get_value_int64(env, argv[1], &start) != napi_ok || napi_get_value_int64(env, argv[2], &end) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &init) != napi_ok) {
    napi_throw_type_error(env, NULL, "crc32c: start, end and crc must be numbers");
    return NULL;
  }
  if (start < 0 || end < start || (uint64_t)end > len) {
    napi_throw_range_error(env, NULL, "crc32c: range outside the buffer");
    return NULL;
  }
  napi_value out;
  napi_create_uint32(env, crc(init, p + start, (size_t)(end - start)), &out);
  return out;
}

static napi_value js_seal_run(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t len;
  uint8_t *b = args_bytes(env, info, 1, argv, &len, "sealRun(buf): buf must be a Uint8Array");
  if (b == NULL) return NULL;
  uint32_t records = 0;
  for (size_t o = 0; o + HDR <= len;) {
    uint32_t n = rd32(b + o + 8);
    if ((uint64_t)n > len - o - HDR) {
      napi_throw_range_error(env, NULL, "sealRun: a record runs past the end of the buffer");
      return NULL;
    }
    wr32(b + o + 4, crc(0, b + o + 8, (size_t)HDR - 8 + n)); // header after the CRC and payload are contiguous
    o += HDR + (size_t)n;
    records++;
  }
  napi_value out;
  napi_create_uint32(env, records, &out);
  return out;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void) {
  init_table();
#if defined(__x86_64__)
  __builtin_cpu_init();
  have_sse42 = __builtin_cpu_supports("sse4.2");
#endif
}

// Loaded by the main thread and by the disk queues' writer thread: the tables are built once per process.
static napi_value init(napi_env env, napi_value exports) {
  pthread_once(&once, init_once);
  napi_property_descriptor props[] = {
    { "crc32c", NULL, js_crc32c, NULL, NULL, NULL, napi_default, NULL },
    { "sealRun", NULL, js_seal_run, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, 2, props);
  napi_value hw;
  napi_get_boolean(env, have_sse42 != 0, &hw);
  napi_set_named_property(env, exports, "hardware", hw);
  return exports;
}

NAPI_MODULE(lw_crc32c, init)
