/* Shared by Logwarden's Node-API addons (lw_crc32c, lw_text), each compiled on its own. */
#ifndef LW_NAPI_H
#define LW_NAPI_H
#include <node_api.h>
#include <stdint.h>

/* The bytes of a Buffer / Uint8Array argument; NULL (with a pending TypeError naming `usage`) when it is not one. */
static uint8_t *bytes_of(napi_env env, napi_value v, size_t *len, const char *usage) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  napi_typedarray_type type;
  void *data = NULL;
  napi_value ab;
  size_t off;
  if (!is_ta || napi_get_typedarray_info(env, v, &type, len, &data, &ab, &off) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  return data != NULL ? (uint8_t *)data : (uint8_t *)"";
}

/*
 * The call's first `n` arguments into argv and the bytes of the first (a Uint8Array); NULL with a pending
 * TypeError naming `usage` when there are fewer or the first is not one.
 */
static uint8_t *args_bytes(napi_env env, napi_callback_info info, size_t n, napi_value *argv, size_t *len, const char *usage) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < n) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  return bytes_of(env, argv[0], len, usage);
}
#endif
