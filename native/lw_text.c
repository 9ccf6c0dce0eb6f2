// Byte-class scans for the stream inputs' hot path, as a Node-API addon. Optional: src/util/printable.ts falls
// back to a regular expression over the latin1 text when this addon is absent; the two must agree
// (test/unit/inputs/stream-printable.test.ts).
//
// Exports:
//   printableSpan(buf) → n   length of the longest prefix of buf whose bytes are all printable ASCII
//                             (0x20..0x7f) or LF (0x0a): one call per received chunk instead of a regular
//                             expression per frame.
// Node-API is ABI-stable: one build loads in every Node version from 18 on.
#include <node_api.h>
#include "lw_napi.h"
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static int ok_byte(uint8_t c) { return (c >= 0x20 && c <= 0x7f) || c == 0x0a; }

static size_t printable_span(const uint8_t *p, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  // As signed bytes, 0x20..0x7f are exactly those greater than 0x1f (0x80..0xff are negative).
  const __m128i low = _mm_set1_epi8(0x1f);
  const __m128i lf = _mm_set1_epi8(0x0a);
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
    __m128i good = _mm_or_si128(_mm_cmpgt_epi8(v, low), _mm_cmpeq_epi8(v, lf));
    unsigned mask = (unsigned)_mm_movemask_epi8(good);
    if (mask != 0xffffu) return i + (size_t)__builtin_ctz(~mask & 0xffffu);
  }
#endif
  while (i < n && ok_byte(p[i])) i++;
  return i;
}

static napi_value js_printable_span(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t len;
  const uint8_t *p = args_bytes(env, info, 1, argv, &len, "printableSpan(buf): expected a Uint8Array");
  if (p == NULL) return NULL;
  napi_value out;
  napi_create_double(env, (double)printable_span(p, len), &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "printableSpan", NULL, js_printable_span, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, 1, props);
  return exports;
}

NAPI_MODULE(lw_text, init)
