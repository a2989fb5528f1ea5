/*
 * ts_tls_native: OpenSSL primitives on reusable contexts, for the hot paths
 * node:crypto makes expensive (a context built, an algorithm fetched and a
 * Buffer allocated per call). Three groups: the record AEAD, HMAC, X25519.
 *
 * The record AEAD.
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
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

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

/*
 * A failure's code. OpenSSL's error queue is per thread and shared with
 * node:crypto, which reports whatever it finds there: every failure here
 * clears it, or the next node:crypto call would throw our stale error.
 */
static napi_value failure(napi_env env, int code) {
  ERR_clear_error();
  return int_value(env, code);
}

static napi_value null_failure(napi_env env) {
  napi_value v;
  ERR_clear_error();
  napi_get_null(env, &v);
  return v;
}

/*
 * Handles are type-tagged: a key handle passed where a cipher context is
 * expected (or anything else) is refused, never reinterpreted.
 */
static const napi_type_tag AEAD_TAG = {0x7473746c73616561ULL, 0x6164636f6e746578ULL};
static const napi_type_tag PKEY_TAG = {0x7473746c7370b6b5ULL, 0x7832353531396b79ULL};

static void *handle_of(napi_env env, napi_value v, const napi_type_tag *tag) {
  bool tagged = false;
  void *p = NULL;
  if (napi_check_object_type_tag(env, v, tag, &tagged) != napi_ok || !tagged) return NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return p;
}

/* An external carrying `data`, tagged; on failure the finalizer is not attached (the caller frees). */
static int make_handle(napi_env env, void *data, napi_finalize finalize, const napi_type_tag *tag, napi_value *result) {
  if (napi_create_external(env, data, finalize, NULL, result) != napi_ok) return 0;
  if (napi_type_tag_object(env, *result, tag) != napi_ok) {
    /* The external owns data now and frees it when collected; it is simply not handed out. */
    return -1;
  }
  return 1;
}

static aead_ctx *ctx_of(napi_env env, napi_value v) {
  return (aead_ctx *)handle_of(env, v, &AEAD_TAG);
}

/*
 * Per Node environment (worker threads each get their own): algorithms
 * fetched once (an implicit fetch per init takes OpenSSL's store lock and
 * searches it), HMAC contexts, the X25519 key generation context.
 */
#define AEAD_ALGORITHMS 3
static const char *const AEAD_NAMES[AEAD_ALGORITHMS] = {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305"};
static const size_t AEAD_KEY_LENGTHS[AEAD_ALGORITHMS] = {16, 32, 32};
#define HMAC_DIGESTS 2
static const char *const HMAC_DIGEST_NAMES[HMAC_DIGESTS] = {"SHA256", "SHA384"};
static const size_t HMAC_LENGTHS[HMAC_DIGESTS] = {32, 48};

typedef struct {
  EVP_MAC *mac;
  EVP_MAC_CTX *hmac[HMAC_DIGESTS];
  EVP_PKEY_CTX *x25519_keygen;
  EVP_CIPHER *ciphers[AEAD_ALGORITHMS];
} instance_data;

static void instance_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  instance_data *d = (instance_data *)data;
  for (int i = 0; i < HMAC_DIGESTS; i++) EVP_MAC_CTX_free(d->hmac[i]);
  EVP_MAC_free(d->mac);
  EVP_PKEY_CTX_free(d->x25519_keygen);
  for (int i = 0; i < AEAD_ALGORITHMS; i++) EVP_CIPHER_free(d->ciphers[i]);
  OPENSSL_free(d);
}

static instance_data *instance(napi_env env) {
  void *p = NULL;
  if (napi_get_instance_data(env, &p) == napi_ok && p != NULL) return (instance_data *)p;
  instance_data *d = OPENSSL_zalloc(sizeof *d);
  if (d == NULL) return NULL;
  if (napi_set_instance_data(env, d, instance_finalize, NULL) != napi_ok) {
    OPENSSL_free(d);
    return NULL;
  }
  return d;
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
  if (algorithm < 0 || algorithm >= AEAD_ALGORITHMS || key_length != AEAD_KEY_LENGTHS[algorithm]) return result;
  instance_data *d = instance(env);
  if (d == NULL) return result;
  if (d->ciphers[algorithm] == NULL) d->ciphers[algorithm] = EVP_CIPHER_fetch(NULL, AEAD_NAMES[algorithm], NULL);
  const EVP_CIPHER *cipher = d->ciphers[algorithm];
  if (cipher == NULL) return null_failure(env);
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
    return null_failure(env);
  }
  int made = make_handle(env, a, aead_finalize, &AEAD_TAG, &result);
  if (made == 0) {
    EVP_CIPHER_CTX_free(a->ctx);
    OPENSSL_free(a);
  }
  return made == 1 ? result : null_failure(env);
}

/*
 * seal(context, nonce, aad, plaintext, suffix, out, offset): bytes written
 * (plaintext + suffix + tag) or -2. The suffix (TLS 1.3's content type and
 * padding) is encrypted after the plaintext without being copied next to it.
 */
static napi_value seal(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 7) return failure(env, BAD_CALL);
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
    return failure(env, BAD_CALL);
  size_t total = plaintext_length + suffix_length + TAG_LENGTH;
  if (offset < 0 || (uint64_t)offset > out_length || out_length - (size_t)offset < total || total > INT_MAX)
    return failure(env, BAD_CALL);
  unsigned char *o = out + offset;
  int n = 0, written = 0;
  if (EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, 1) != 1) return failure(env, BAD_CALL);
  if (aad_length > 0 && EVP_CipherUpdate(a->ctx, NULL, &n, aad, (int)aad_length) != 1) return failure(env, BAD_CALL);
  if (plaintext_length > 0) {
    if (EVP_CipherUpdate(a->ctx, o, &n, plaintext, (int)plaintext_length) != 1) return failure(env, BAD_CALL);
    written += n;
  }
  if (suffix_length > 0) {
    if (EVP_CipherUpdate(a->ctx, o + written, &n, suffix, (int)suffix_length) != 1) return failure(env, BAD_CALL);
    written += n;
  }
  if (EVP_CipherFinal_ex(a->ctx, o + written, &n) != 1) return failure(env, BAD_CALL);
  written += n;
  if ((size_t)written != plaintext_length + suffix_length) return failure(env, BAD_CALL);
  if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LENGTH, o + written) != 1) return failure(env, BAD_CALL);
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
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 6) return failure(env, BAD_CALL);
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
    return failure(env, BAD_CALL);
  if (input_length < TAG_LENGTH) return failure(env, BAD_TAG);
  size_t plaintext_length = input_length - TAG_LENGTH;
  if (offset < 0 || (uint64_t)offset > out_length || out_length - (size_t)offset < plaintext_length)
    return failure(env, BAD_CALL);
  unsigned char *o = out + offset;
  /* The tag is read before decryption: in place, the plaintext may overwrite nothing of it. */
  unsigned char tag[TAG_LENGTH];
  memcpy(tag, input + plaintext_length, TAG_LENGTH);
  int n = 0, written = 0;
  if (EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, 0) != 1) return failure(env, BAD_CALL);
  if (aad_length > 0 && EVP_CipherUpdate(a->ctx, NULL, &n, aad, (int)aad_length) != 1) return failure(env, BAD_CALL);
  if (plaintext_length > 0) {
    if (EVP_CipherUpdate(a->ctx, o, &n, input, (int)plaintext_length) != 1) return failure(env, BAD_CALL);
    written = n;
  }
  if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LENGTH, tag) != 1) return failure(env, BAD_CALL);
  int ok = EVP_CipherFinal_ex(a->ctx, o + written, &n);
  if (ok != 1) {
    OPENSSL_cleanse(o, plaintext_length);
    return failure(env, BAD_TAG);
  }
  written += n;
  if ((size_t)written != plaintext_length) return failure(env, BAD_CALL);
  return int_value(env, written);
}

/*
 * HMAC (SHA-256, SHA-384) on one EVP_MAC_CTX per digest and per Node
 * environment (worker threads each get their own): 0.3 µs against ~4.5 µs
 * for createHmac, which TLS 1.3's key schedule calls ~20 times a handshake.
 */
static EVP_MAC_CTX *hmac_context(napi_env env, int digest) {
  instance_data *d = instance(env);
  if (d == NULL) return NULL;
  if (d->hmac[digest] != NULL) return d->hmac[digest];
  if (d->mac == NULL) d->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  if (d->mac == NULL) return NULL;
  EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(d->mac);
  if (ctx == NULL) return NULL;
  OSSL_PARAM params[2];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)HMAC_DIGEST_NAMES[digest], 0);
  params[1] = OSSL_PARAM_construct_end();
  if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
    EVP_MAC_CTX_free(ctx);
    return NULL;
  }
  d->hmac[digest] = ctx;
  return ctx;
}

/* hmac(digest: 0 SHA-256 | 1 SHA-384, key, data, out): bytes written (32 | 48) or -2. */
static napi_value hmac(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4) return failure(env, BAD_CALL);
  int32_t digest;
  unsigned char *key, *data, *out;
  size_t key_length, data_length, out_length;
  if (napi_get_value_int32(env, argv[0], &digest) != napi_ok || digest < 0 || digest >= HMAC_DIGESTS ||
      !bytes_of(env, argv[1], &key, &key_length) ||
      !bytes_of(env, argv[2], &data, &data_length) ||
      !bytes_of(env, argv[3], &out, &out_length) || out_length < HMAC_LENGTHS[digest])
    return failure(env, BAD_CALL);
  EVP_MAC_CTX *ctx = hmac_context(env, digest);
  if (ctx == NULL) return failure(env, BAD_CALL);
  /* A NULL key means "keep the previous key" to EVP_MAC_init: an empty key must not be NULL. */
  static const unsigned char empty = 0;
  size_t written = 0;
  if (EVP_MAC_init(ctx, key_length > 0 ? key : &empty, key_length, NULL) != 1 ||
      (data_length > 0 && EVP_MAC_update(ctx, data, data_length) != 1) ||
      EVP_MAC_final(ctx, out, &written, out_length) != 1 || written != HMAC_LENGTHS[digest])
    return failure(env, BAD_CALL);
  return int_value(env, (int)written);
}

/*
 * X25519 (RFC 7748) with raw keys: no JWK/DER encoding on either side.
 * x25519Generate(publicOut[32], privateRaw[32]?): private key handle (fresh,
 * or imported from privateRaw: for test vectors), or null.
 */
static void pkey_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  EVP_PKEY_free((EVP_PKEY *)data);
}

/* The key as a JS handle, its public half written to out; null (and the key freed) on failure. */
static napi_value x25519_handle(napi_env env, EVP_PKEY *key, unsigned char *out) {
  napi_value result;
  size_t length = 32;
  if (key == NULL) return null_failure(env);
  if (EVP_PKEY_get_raw_public_key(key, out, &length) != 1 || length != 32) {
    EVP_PKEY_free(key);
    return null_failure(env);
  }
  int made = make_handle(env, key, pkey_finalize, &PKEY_TAG, &result);
  if (made == 0) EVP_PKEY_free(key);
  return made == 1 ? result : null_failure(env);
}

static napi_value x25519_generate(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  unsigned char *out, *raw;
  size_t out_length, raw_length;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || argc > 2 ||
      !bytes_of(env, argv[0], &out, &out_length) || out_length != 32)
    return null_failure(env);
  if (argc == 2) {
    if (!bytes_of(env, argv[1], &raw, &raw_length) || raw_length != 32) return null_failure(env);
    return x25519_handle(env, EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, raw, 32), out);
  }
  instance_data *d = instance(env);
  if (d == NULL) return null_failure(env);
  if (d->x25519_keygen == NULL) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1) {
      EVP_PKEY_CTX_free(ctx);
      return null_failure(env);
    }
    d->x25519_keygen = ctx;
  }
  EVP_PKEY *key = NULL;
  if (EVP_PKEY_keygen(d->x25519_keygen, &key) != 1) return null_failure(env);
  return x25519_handle(env, key, out);
}

/* x25519Derive(privateHandle, peer[32], out[32]): 32, -1 when OpenSSL refuses (e.g. an all-zero result), -2 for a bad call. */
static napi_value x25519_derive(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *p;
  unsigned char *peer, *out;
  size_t peer_length, out_length;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 ||
      (p = handle_of(env, argv[0], &PKEY_TAG)) == NULL ||
      !bytes_of(env, argv[1], &peer, &peer_length) || peer_length != 32 ||
      !bytes_of(env, argv[2], &out, &out_length) || out_length != 32)
    return failure(env, BAD_CALL);
  EVP_PKEY *peer_key = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
  if (peer_key == NULL) return failure(env, BAD_TAG);
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new((EVP_PKEY *)p, NULL);
  size_t length = 32;
  int ok = ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer_key) == 1 &&
           EVP_PKEY_derive(ctx, out, &length) == 1 && length == 32;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(peer_key);
  if (!ok) {
    OPENSSL_cleanse(out, 32);
    return failure(env, BAD_TAG);
  }
  return int_value(env, 32);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
    {"seal", NULL, seal, NULL, NULL, NULL, napi_default, NULL},
    {"open", NULL, open_, NULL, NULL, NULL, napi_default, NULL},
    {"hmac", NULL, hmac, NULL, NULL, NULL, napi_default, NULL},
    {"x25519Generate", NULL, x25519_generate, NULL, NULL, NULL, napi_default, NULL},
    {"x25519Derive", NULL, x25519_derive, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
