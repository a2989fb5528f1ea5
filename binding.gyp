{
  "targets": [
    {
      "target_name": "ts_tls_native",
      "sources": ["native/crypto.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
