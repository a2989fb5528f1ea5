/*
 * ts_tls_aead: the record layer's AEAD on reusable OpenSSL cipher contexts.
 *
 * node:crypto makes a new EVP_CIPHER_CTX (cipher fetch, key schedule) for
 * every record and hands back a fresh Buffer for every output: ~7.5 µs of
 * fixed cost per record on our benchmark machine, more than the AES-GCM of a
 * whole 16 KiB record. Here one context per key and direction is keyed once;
 * each record only sets its nonce, and the output goes straight into a buffer
 * the caller owns. OpenSSL does the cryptography (the same OpenSSL that Node
 * links and exports): nothing here implements a cipher.
 *
 * Every length and offset is checked here again, whatever the JavaScript side
 * checked: a bad call returns -2 (and never touches memory out of bounds).
 */
#include <limits.h>
#include <string.h>
#include <node_api.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>

#define NONCE_LENGTH 12
#define TAG_LENGTH 16
#define BAD_CALL (-2)
#define BAD_TAG (-1)

typedef struct {
  EVP_CIPHER_CTX *ctx;
  int encrypt;
} aead_ctx;

static void aead_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  aead_ctx *a = (aead_ctx *)data;
  EVP_CIPHER_CTX_free(a->ctx);
  OPENSSL_cleanse(a, sizeof *a);
  OPENSSL_free(a);
}

/* A Uint8Array argument's bytes, or 0 when it is not one. */
static int bytes_of(napi_env env, napi_value v, unsigned char **data, size_t *length) {
  bool is_typed;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  void *p;
  size_t n;
  if (napi_get_typedarray_info(env, v, &type, &n, &p, NULL, NULL) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  if (n > INT_MAX) return 0;
  *data = (unsigned char *)p;
  *length = n;
  return 1;
}

static napi_value int_value(napi_env env, int n) {
  napi_value v;
  napi_create_int32(env, n, &v);
  return v;
}

static aead_ctx *ctx_of(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return (aead_ctx *)p;
}

/* create(algorithm: 0 AES-128-GCM | 1 AES-256-GCM | 2 ChaCha20-Poly1305, key, encrypt): context | null */
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_value result;
  napi_get_null(env, &result);
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) return result;
  int32_t algorithm;
  bool encrypt;
  unsigned char *key;
  size_t key_length;
  if (napi_get_value_int32(env, argv[0], &algorithm) != napi_ok) return result;
  if (!bytes_of(env, argv[1], &key, &key_length)) return result;
  if (napi_get_value_bool(env, argv[2], &encrypt) != napi_ok) return result;
  const EVP_CIPHER *cipher;
  size_t expected;
  switch (algorithm) {
    case 0: cipher = EVP_aes_128_gcm(); expected = 16; break;
    case 1: cipher = EVP_aes_256_gcm(); expected = 32; break;
    case 2: cipher = EVP_chacha20_poly1305(); expected = 32; break;
    default: return result;
  }
  if (cipher == NULL || key_length != expected) return result;
  aead_ctx *a = OPENSSL_zalloc(sizeof *a);
  if (a == NULL) return result;
  a->encrypt = encrypt ? 1 : 0;
  a->ctx = EVP_CIPHER_CTX_new();
  if (a->ctx == NULL ||
      EVP_CipherInit_ex(a->ctx, cipher, NULL, NULL, NULL, a->encrypt) != 1 ||
      EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_IVLEN, NONCE_LENGTH, NULL) != 1 ||
      EVP_CipherInit_ex(a->ctx, NULL, NULL, key, NULL, a->encrypt) != 1) {
    EVP_CIPHER_CTX_free(a->ctx);
    OPENSSL_free(a);
    return result;
  }
  if (napi_create_external(env, a, aead_finalize, NULL, &result) != napi_ok) {
    EVP_CIPHER_CTX_free(a->ctx);
    OPENSSL_free(a);
    napi_get_null(env, &result);
  }
  return result;
}

/*
 * seal(context, nonce, aad, plaintext, suffix, out, offset): bytes written
 * (plaintext + suffix + tag) or -2. The suffix (TLS 1.3's content type and
 * padding) is encrypted after the plaintext without being copied next to it.
 */
static napi_value seal(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 7) return int_value(env, BAD_CALL);
  aead_ctx *a = ctx_of(env, argv[0]);
  unsigned char *nonce, *aad, *plaintext, *suffix, *out;
  size_t nonce_length, aad_length, plaintext_length, suffix_length, out_length;
  int64_t offset;
  if (a == NULL || !a->encrypt ||
      !bytes_of(env, argv[1], &nonce, &nonce_length) || nonce_length != NONCE_LENGTH ||
      !bytes_of(env, argv[2], &aad, &aad_length) ||
      !bytes_of(env, argv[3], &plaintext, &plaintext_length) ||
      !bytes_of(env, argv[4], &suffix, &suffix_length) ||
      !bytes_of(env, argv[5], &out, &out_length) ||
      napi_get_value_int64(env, argv[6], &offset) != napi_ok)
    return int_value(env, BAD_CALL);
  size_t total = plaintext_length + suffix_length + TAG_LENGTH;
  if (offset < 0 || (uint64_t)offset > out_length || out_length - (size_t)offset < total || total > INT_MAX)
    return int_value(env, BAD_CALL);
  unsigned char *o = out + offset;
  int n = 0, written = 0;
  if (EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, 1) != 1) return int_value(env, BAD_CALL);
  if (aad_length > 0 && EVP_CipherUpdate(a->ctx, NULL, &n, aad, (int)aad_length) != 1) return int_value(env, BAD_CALL);
  if (plaintext_length > 0) {
    if (EVP_CipherUpdate(a->ctx, o, &n, plaintext, (int)plaintext_length) != 1) return int_value(env, BAD_CALL);
    written += n;
  }
  if (suffix_length > 0) {
    if (EVP_CipherUpdate(a->ctx, o + written, &n, suffix, (int)suffix_length) != 1) return int_value(env, BAD_CALL);
    written += n;
  }
  if (EVP_CipherFinal_ex(a->ctx, o + written, &n) != 1) return int_value(env, BAD_CALL);
  written += n;
  if ((size_t)written != plaintext_length + suffix_length) return int_value(env, BAD_CALL);
  if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LENGTH, o + written) != 1) return int_value(env, BAD_CALL);
  return int_value(env, written + TAG_LENGTH);
}

/*
 * open(context, nonce, aad, ciphertextAndTag, out, offset): plaintext bytes
 * written, -1 when the tag does not verify (the bytes written are wiped), -2
 * for a bad call. `out` may be the input itself (in-place decryption).
 */
static napi_value open_(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 6) return int_value(env, BAD_CALL);
  aead_ctx *a = ctx_of(env, argv[0]);
  unsigned char *nonce, *aad, *input, *out;
  size_t nonce_length, aad_length, input_length, out_length;
  int64_t offset;
  if (a == NULL || a->encrypt ||
      !bytes_of(env, argv[1], &nonce, &nonce_length) || nonce_length != NONCE_LENGTH ||
      !bytes_of(env, argv[2], &aad, &aad_length) ||
      !bytes_of(env, argv[3], &input, &input_length) ||
      !bytes_of(env, argv[4], &out, &out_length) ||
      napi_get_value_int64(env, argv[5], &offset) != napi_ok)
    return int_value(env, BAD_CALL);
  if (input_length < TAG_LENGTH) return int_value(env, BAD_TAG);
  size_t plaintext_length = input_length - TAG_LENGTH;
  if (offset < 0 || (uint64_t)offset > out_length || out_length - (size_t)offset < plaintext_length)
    return int_value(env, BAD_CALL);
  unsigned char *o = out + offset;
  /* The tag is read before decryption: in place, the plaintext may overwrite nothing of it. */
  unsigned char tag[TAG_LENGTH];
  memcpy(tag, input + plaintext_length, TAG_LENGTH);
  int n = 0, written = 0;
  if (EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, 0) != 1) return int_value(env, BAD_CALL);
  if (aad_length > 0 && EVP_CipherUpdate(a->ctx, NULL, &n, aad, (int)aad_length) != 1) return int_value(env, BAD_CALL);
  if (plaintext_length > 0) {
    if (EVP_CipherUpdate(a->ctx, o, &n, input, (int)plaintext_length) != 1) return int_value(env, BAD_CALL);
    written = n;
  }
  if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LENGTH, tag) != 1) return int_value(env, BAD_CALL);
  int ok = EVP_CipherFinal_ex(a->ctx, o + written, &n);
  if (ok != 1) {
    OPENSSL_cleanse(o, plaintext_length);
    return int_value(env, BAD_TAG);
  }
  written += n;
  if ((size_t)written != plaintext_length) return int_value(env, BAD_CALL);
  return int_value(env, written);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
    {"seal", NULL, seal, NULL, NULL, NULL, napi_default, NULL},
    {"open", NULL, open_, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
