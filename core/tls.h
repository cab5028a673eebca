/* tls.h — the API server's PKI and TLS settings, as k3s does it: a private
 * CA, a server certificate and an admin client certificate generated under
 * DATA_DIR/tls/ at first start, and an admin kubeconfig that real kubectl
 * and client libraries use unchanged.
 *
 * Files (keys 0600, directory 0700, all written atomically):
 *   tls/ca.crt, ca.key          self-signed CA "skiff-ca", 10 years, kept
 *   tls/server.crt, server.key  serverAuth, SANs for localhost, the
 *                               kubernetes.default names, the hostname,
 *                               127.0.0.1, ::1 and the caller's extras
 *   tls/admin.crt, admin.key    clientAuth, CN=skiff-admin, O=system:masters
 *   kubeconfig.yaml             cluster "skiff", user "skiff-admin"
 * The leaf certificates are re-issued when they expire within 30 days, no
 * longer match their key or the CA, or (server) lack a wanted SAN.
 *
 * The TLS transport itself is in http.c; this file only builds the SSL_CTX
 * and reads a verified peer's identity. Contexts are handed around as
 * void * so that no OpenSSL type leaks into callers that do not need it.
 */
#ifndef SKIFF_CORE_TLS_H
#define SKIFF_CORE_TLS_H
#include <skiff/abi.h>

/* extra_sans: NULL-terminated IP addresses or DNS names (NULL for none); an
 * unspecified address ("0.0.0.0", "::", "") stands for every address of
 * this machine's interfaces. */
int tls_ensure_pki(const char *data_dir, const char *const *extra_sans, sk_err *err);

/* A server SSL_CTX from DATA_DIR/tls: TLS 1.2+, client certificates
 * requested and verified against the CA when offered (a certificate that
 * fails verification fails the handshake), ALPN "http/1.1" only. NULL with
 * err set on failure. The caller owns it (tls_ctx_free, or hand it to
 * http_server_set_tls, which takes it over). */
void *tls_server_ctx(const char *data_dir, sk_err *err);
void tls_ctx_free(void *ssl_ctx);

/* DATA_DIR/kubeconfig.yaml (0600) for server_url with the admin credentials. */
int tls_write_kubeconfig(const char *data_dir, const char *server_url, sk_err *err);

/* The subject of a connection's verified client certificate (ssl: SSL*).
 * Returns 1 and sets *cn (malloc'd; "" when the subject has none) and
 * *orgs (NULL-terminated O values, one malloc'd block: free(*orgs) frees it
 * all); 0 with both NULL when no certificate was offered or it did not
 * verify. */
int tls_peer_subject(void *ssl, char **cn, char ***orgs);

#endif
