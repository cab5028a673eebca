/* test_tls.c — the PKI in a temp data dir (files, modes, names, key usages,
 * re-issuing with the CA kept), the admin kubeconfig, and the HTTP server
 * over TLS on 127.0.0.1: the loop runs on the test thread, OpenSSL clients
 * (set up as kubectl's: CA, host check, h2 offered first) run in threads. */
#include "testutil.h"
#include "http.h"
#include "tls.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#define BIG (8u * 1024 * 1024)

static char *dir;       /* the server's data dir */
static char *other_dir; /* an unrelated PKI: its certificates must not get in */

/* ---- file and certificate helpers ---- */

static char *slurp(const char *d, const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", d, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static int same_file(const char *d, const char *name, const char *before)
{
	char *now = slurp(d, name, NULL);
	int same = now && !strcmp(now, before);
	free(now);
	return same;
}

static int mode_of(const char *d, const char *name)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", d, name);
	if (stat(path, &st) != 0)
		return -1;
	return (int)(st.st_mode & 0777);
}

static X509 *cert(const char *d, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/tls/%s", d, name);
	BIO *b = BIO_new_file(path, "r");
	assert_non_null(b);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(x);
	return x;
}

static EVP_PKEY *key(const char *d, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/tls/%s", d, name);
	BIO *b = BIO_new_file(path, "r");
	assert_non_null(b);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(k);
	return k;
}

static int has_name(X509 *x, const char *name)
{
	if (X509_check_ip_asc(x, name, 0) == 1)
		return 1;
	return X509_check_host(x, name, 0, X509_CHECK_FLAG_NO_WILDCARDS, NULL) == 1;
}

static const char *subject(X509 *x, int nid, int nth, char *buf)
{
	X509_NAME *n = X509_get_subject_name(x);
	int i = -1;
	for (int k = 0; k <= nth; k++)
		if ((i = X509_NAME_get_index_by_NID(n, nid, i)) < 0)
			return NULL;
	ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	snprintf(buf, 128, "%.*s", ASN1_STRING_length(s), (const char *)ASN1_STRING_get0_data(s));
	return buf;
}

static int validity_days(X509 *x)
{
	int days, secs;
	assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)), 1);
	return days;
}

/* chain check as a TLS peer would do it, purpose included */
static int verifies(X509 *ca, X509 *leaf, int purpose)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_add_cert(st, ca);
	X509_STORE_CTX_init(ctx, st, leaf, NULL);
	X509_STORE_CTX_set_purpose(ctx, purpose);
	int ok = X509_verify_cert(ctx) == 1;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}

static int is_p256(EVP_PKEY *k)
{
	char group[32] = "";
	size_t n;
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
	       EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof group, &n) && !strcmp(group, "prime256v1");
}

/* replaces DIR/tls/admin.crt with one from the same CA and key that ends in
 * `days`: what the PKI finds some eleven months after it made it */
static void plant_short_admin(const char *d, int days)
{
	X509 *ca = cert(d, "ca.crt");
	EVP_PKEY *cak = key(d, "ca.key"), *k = key(d, "admin.key");
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400L * 300);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * days);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)"system:masters", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"skiff-admin", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, cak, EVP_sha256()) > 0);
	char path[512];
	snprintf(path, sizeof path, "%s/tls/admin.crt", d);
	BIO *b = BIO_new_file(path, "w");
	PEM_write_bio_X509(b, x);
	BIO_free(b);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(k);
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
	size_t n;
	char *data = slurp(from_dir, name, &n), path[512];
	assert_non_null(data);
	snprintf(path, sizeof path, "%s/%s", to_dir, name);
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, n, f);
	fclose(f);
	free(data);
}

/* ---- the PKI ---- */

static void test_pki(void **state)
{
	(void)state;
	char *d = tu_tempdir();
	const char *extra[] = {"10.1.2.3", "API.Example.com", "[fd00::5]", NULL};
	sk_err e = {0};
	if (tls_ensure_pki(d, extra, &e) != SK_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(mode_of(d, "tls"), 0700);
	assert_int_equal(mode_of(d, "tls/ca.key"), 0600);
	assert_int_equal(mode_of(d, "tls/server.key"), 0600);
	assert_int_equal(mode_of(d, "tls/admin.key"), 0600);
	assert_int_equal(mode_of(d, "tls/ca.crt"), 0644);
	assert_int_equal(mode_of(d, "tls/server.crt"), 0644);
	assert_int_equal(mode_of(d, "tls/admin.crt"), 0644);

	char buf[128];
	X509 *ca = cert(d, "ca.crt"), *srv = cert(d, "server.crt"), *adm = cert(d, "admin.crt");
	assert_string_equal(subject(ca, NID_commonName, 0, buf), "skiff-ca");
	assert_int_equal(X509_check_ca(ca), 1);
	assert_int_equal(X509_check_issued(ca, ca), X509_V_OK);
	assert_in_range(validity_days(ca), 3649, 3650);

	const char *names[] = {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
	                       "kubernetes.default.svc.cluster.local", "127.0.0.1", "::1", "10.1.2.3",
	                       "api.example.com", "fd00::5", NULL};
	for (int i = 0; names[i]; i++)
		if (!has_name(srv, names[i]))
			fail_msg("server certificate lacks %s", names[i]);
	char host[256];
	assert_int_equal(gethostname(host, sizeof host), 0);
	assert_true(has_name(srv, host));
	assert_false(has_name(srv, "evil.example.com"));
	assert_false(has_name(srv, "10.1.2.4"));
	assert_int_equal(X509_check_ca(srv), 0);
	assert_true(X509_get_extended_key_usage(srv) & XKU_SSL_SERVER);
	assert_false(X509_get_extended_key_usage(srv) & XKU_SSL_CLIENT);
	assert_in_range(validity_days(srv), 365, 366);
	assert_true(verifies(ca, srv, X509_PURPOSE_SSL_SERVER));
	assert_false(verifies(ca, srv, X509_PURPOSE_SSL_CLIENT));

	assert_string_equal(subject(adm, NID_commonName, 0, buf), "skiff-admin");
	assert_string_equal(subject(adm, NID_organizationName, 0, buf), "system:masters");
	assert_null(subject(adm, NID_organizationName, 1, buf));
	assert_true(X509_get_extended_key_usage(adm) & XKU_SSL_CLIENT);
	assert_false(X509_get_extended_key_usage(adm) & XKU_SSL_SERVER);
	assert_true(verifies(ca, adm, X509_PURPOSE_SSL_CLIENT));
	assert_false(verifies(ca, adm, X509_PURPOSE_SSL_SERVER));
	/* random serials */
	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(srv), X509_get0_serialNumber(adm)), 0);
	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(srv), X509_get0_serialNumber(ca)), 0);
	EVP_PKEY *k = key(d, "server.key");
	assert_true(is_p256(k));
	assert_int_equal(X509_check_private_key(srv, k), 1);
	EVP_PKEY_free(k);
	X509_free(srv);
	X509_free(adm);

	/* a second start changes nothing */
	char *ca_pem = slurp(d, "tls/ca.crt", NULL), *srv_pem = slurp(d, "tls/server.crt", NULL),
	     *adm_pem = slurp(d, "tls/admin.crt", NULL), *key_pem = slurp(d, "tls/server.key", NULL);
	assert_int_equal(tls_ensure_pki(d, extra, &e), SK_OK);
	assert_true(same_file(d, "tls/server.crt", srv_pem));
	assert_true(same_file(d, "tls/server.key", key_pem));
	assert_true(same_file(d, "tls/admin.crt", adm_pem));

	/* a new listen address: the server certificate is re-issued, the CA
	 * and the admin certificate are kept */
	const char *more[] = {"10.9.9.9", NULL};
	assert_int_equal(tls_ensure_pki(d, more, &e), SK_OK);
	assert_false(same_file(d, "tls/server.crt", srv_pem));
	assert_false(same_file(d, "tls/server.key", key_pem));
	assert_true(same_file(d, "tls/ca.crt", ca_pem));
	assert_true(same_file(d, "tls/admin.crt", adm_pem));
	srv = cert(d, "server.crt");
	assert_true(has_name(srv, "10.9.9.9"));
	assert_true(has_name(srv, "kubernetes.default.svc"));
	assert_true(verifies(ca, srv, X509_PURPOSE_SSL_SERVER));
	X509_free(srv);

	/* an admin certificate about to expire is re-issued, for a year */
	plant_short_admin(d, 10);
	assert_int_equal(tls_ensure_pki(d, more, &e), SK_OK);
	adm = cert(d, "admin.crt");
	assert_in_range(validity_days(adm), 365, 366);
	assert_true(verifies(ca, adm, X509_PURPOSE_SSL_CLIENT));
	X509_free(adm);
	/* ... and one with 60 days left is kept */
	plant_short_admin(d, 60);
	char *planted = slurp(d, "tls/admin.crt", NULL);
	assert_int_equal(tls_ensure_pki(d, more, &e), SK_OK);
	assert_true(same_file(d, "tls/admin.crt", planted));
	free(planted);

	/* a server certificate of another CA is replaced */
	copy_file(other_dir, d, "tls/server.crt");
	copy_file(other_dir, d, "tls/server.key");
	assert_int_equal(tls_ensure_pki(d, more, &e), SK_OK);
	srv = cert(d, "server.crt");
	assert_true(verifies(ca, srv, X509_PURPOSE_SSL_SERVER));
	X509_free(srv);
	assert_true(same_file(d, "tls/ca.crt", ca_pem));

	/* a CA without its key is never replaced behind the user's back */
	char path[512];
	snprintf(path, sizeof path, "%s/tls/ca.key", d);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(tls_ensure_pki(d, more, &e), SK_EINVALID);
	assert_non_null(strstr(e.msg, "ca.key"));
	assert_true(same_file(d, "tls/ca.crt", ca_pem));

	/* a name that is neither an address nor a DNS name */
	char *d2 = tu_tempdir();
	const char *bad[] = {"bad name!", NULL};
	assert_int_equal(tls_ensure_pki(d2, bad, &e), SK_EINVALID);
	assert_non_null(strstr(e.msg, "bad name!"));

	X509_free(ca);
	free(ca_pem);
	free(srv_pem);
	free(adm_pem);
	free(key_pem);
	tu_rmrf(d);
	tu_rmrf(d2);
	free(d);
	free(d2);
}

/* ---- the kubeconfig ---- */

/* the base64 value after "key: " on its line, decoded */
static char *decoded(const char *yaml, const char *key_, size_t *len)
{
	const char *p = strstr(yaml, key_);
	assert_non_null(p);
	p += strlen(key_);
	size_t n = strcspn(p, "\n");
	unsigned char *out = malloc(n);
	int got = EVP_DecodeBlock(out, (const unsigned char *)p, (int)n);
	assert_true(got >= 0);
	/* EVP_DecodeBlock counts base64 padding as output bytes */
	if (n >= 1 && p[n - 1] == '=')
		got--;
	if (n >= 2 && p[n - 2] == '=')
		got--;
	*len = (size_t)got;
	return (char *)out;
}

static void check_embedded(const char *yaml, const char *key_, const char *file)
{
	size_t n, fn;
	char *got = decoded(yaml, key_, &n), *want = slurp(dir, file, &fn);
	assert_int_equal(n, fn);
	assert_memory_equal(got, want, n);
	free(got);
	free(want);
}

static void test_kubeconfig(void **state)
{
	(void)state;
	sk_err e = {0};
	if (tls_write_kubeconfig(dir, "https://127.0.0.1:6443", &e) != SK_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(mode_of(dir, "kubeconfig.yaml"), 0600);
	char *y = slurp(dir, "kubeconfig.yaml", NULL);
	assert_non_null(strstr(y, "apiVersion: v1\nkind: Config\n"));
	assert_non_null(strstr(y, "clusters:\n- name: skiff\n  cluster:\n    server: \"https://127.0.0.1:6443\"\n"));
	assert_non_null(strstr(y, "contexts:\n- name: skiff\n  context:\n    cluster: skiff\n    user: skiff-admin\n"));
	assert_non_null(strstr(y, "\ncurrent-context: skiff\n"));
	assert_non_null(strstr(y, "users:\n- name: skiff-admin\n  user:\n"));
	check_embedded(y, "certificate-authority-data: ", "tls/ca.crt");
	check_embedded(y, "client-certificate-data: ", "tls/admin.crt");
	check_embedded(y, "client-key-data: ", "tls/admin.key");
	free(y);
	/* rewritten in place for another address */
	assert_int_equal(tls_write_kubeconfig(dir, "https://[::1]:7443", &e), SK_OK);
	y = slurp(dir, "kubeconfig.yaml", NULL);
	assert_non_null(strstr(y, "    server: \"https://[::1]:7443\"\n"));
	free(y);
	/* nothing that could break out of the YAML string */
	assert_int_equal(tls_write_kubeconfig(dir, "https://x\"\nevil: 1", &e), SK_EINVALID);
	assert_int_equal(tls_write_kubeconfig(dir, "", &e), SK_EINVALID);
	/* no PKI yet */
	char *empty = tu_tempdir();
	assert_int_equal(tls_write_kubeconfig(empty, "https://127.0.0.1:6443", &e), SK_EIO);
	assert_non_null(strstr(e.msg, "ca.crt"));
	assert_int_equal(mode_of(empty, "kubeconfig.yaml"), -1);
	tu_rmrf(empty);
	free(empty);
}

/* ---- the server ---- */

static struct http_server *srv;
static int port, handled;
static char seen_cn[128], seen_orgs[256], remotes[8][64];
static int seen_null_cn, seen_null_orgs;
static struct http_req *big_req;
static size_t big_sent;
static sk_timer *producer;

static unsigned char pattern(size_t i) { return (unsigned char)(i * 31 + (i >> 13)); }

static void produce(void *ud)
{
	(void)ud;
	static char chunk[65536];
	while (big_req && big_sent < BIG && http_stream_buffered(big_req) < 1024 * 1024) {
		size_t n = BIG - big_sent < sizeof chunk ? BIG - big_sent : sizeof chunk;
		for (size_t i = 0; i < n; i++)
			chunk[i] = (char)pattern(big_sent + i);
		if (http_stream_write(big_req, chunk, n) != 0)
			return; /* gone: the close callback cleared big_req */
		big_sent += n;
	}
	if (big_req && big_sent == BIG) {
		http_stream_end(big_req);
		big_req = NULL;
	}
}

static void on_big_close(void *ud, struct http_req *r)
{
	(void)ud;
	(void)r;
	big_req = NULL;
}

static void handler(void *ud, struct http_req *r)
{
	(void)ud;
	if (handled < 8)
		snprintf(remotes[handled], sizeof remotes[0], "%s", http_req_remote(r));
	handled++;
	const char *path = http_req_path(r);
	if (!strcmp(path, "/whoami")) {
		const char *cn = http_req_peer_cn(r);
		const char *const *orgs = http_req_peer_orgs(r);
		seen_null_cn = cn == NULL;
		seen_null_orgs = orgs == NULL;
		snprintf(seen_cn, sizeof seen_cn, "%s", cn ? cn : "-");
		seen_orgs[0] = 0;
		for (int i = 0; orgs && orgs[i]; i++)
			snprintf(seen_orgs + strlen(seen_orgs), sizeof seen_orgs - strlen(seen_orgs), "%s%s", i ? "," : "",
			         orgs[i]);
		char out[512];
		int n = snprintf(out, sizeof out, "cn=%s o=%s", seen_cn, *seen_orgs ? seen_orgs : "-");
		http_respond(r, 200, "text/plain", out, (size_t)n);
	} else if (!strcmp(path, "/big")) {
		http_on_close(r, on_big_close, NULL);
		assert_int_equal(http_stream_start(r, 200, "application/octet-stream"), 0);
		big_req = r;
		big_sent = 0;
		producer = sk_timer_start(NULL, 0.001, 0.001, produce, NULL);
	} else {
		char out[256];
		int n = snprintf(out, sizeof out, "hello %s", path);
		http_respond(r, 200, "text/plain", out, (size_t)n);
	}
}

static void start(const struct http_limits *lim)
{
	sk_err e = {0};
	handled = 0;
	memset(remotes, 0, sizeof remotes);
	srv = http_server_start("127.0.0.1:0", lim, handler, NULL, &e);
	if (!srv)
		fail_msg("%s", e.msg);
	void *ctx = tls_server_ctx(dir, &e);
	if (!ctx)
		fail_msg("%s", e.msg);
	http_server_set_tls(srv, ctx);
	port = http_server_port(srv);
}

static int no_connections(void *ud)
{
	(void)ud;
	return http_server_connections(srv) == 0;
}

static void tick(void *ud) { (void)ud; }

static void stop(void)
{
	sk_timer *t = sk_timer_start(NULL, 0.005, 0.005, tick, NULL);
	sk_loop_run_until(no_connections, NULL, 3);
	sk_timer_stop(t);
	assert_int_equal(http_server_connections(srv), 0);
	http_server_free(srv);
	srv = NULL;
	if (producer)
		sk_timer_stop(producer);
	producer = NULL;
	big_req = NULL;
}

/* ---- clients, each in a thread while the loop runs here ---- */

struct job {
	void (*fn)(struct job *);
	const char *cert_dir; /* client certificate from DIR/tls/admin.*, or none */
	const char *host;     /* the name the server is checked against */
	const char *path;
	int requests;
	int pause_ms; /* before reading the reply */
	/* results */
	int connected, status, replies;
	char *raw; /* everything received */
	size_t len;
	const char *body; /* in raw, after the (last) head */
	double took;
	int close_notify, eof, alpn_http11;
	atomic_int done;
	pthread_t th;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	j->fn(j);
	atomic_store(&j->done, 1);
	return NULL;
}

static int job_done(void *ud) { return atomic_load(&((struct job *)ud)->done); }

static void run(struct job *j)
{
	assert_int_equal(pthread_create(&j->th, NULL, job_main, j), 0);
	/* the client thread cannot wake the loop: poll it */
	sk_timer *t = sk_timer_start(NULL, 0.005, 0.005, tick, NULL);
	/* generous: sanitizer builds on a busy 2-core machine are slow */
	int ok = sk_loop_run_until(job_done, j, 120);
	if (!ok)
		sk_loop_run_until(job_done, j, 60); /* let the client end before failing */
	sk_timer_stop(t);
	if (!atomic_load(&j->done))
		fail_msg("client did not finish (still running)");
	pthread_join(j->th, NULL);
	if (!ok)
		fail_msg("client did not finish within 120 s");
}

static void job_free(struct job *j) { free(j->raw); }

static void got(struct job *j, const char *p, size_t n)
{
	char *b = realloc(j->raw, j->len + n + 1);
	assert_non_null(b);
	j->raw = b;
	memcpy(b + j->len, p, n);
	j->len += n;
	b[j->len] = 0;
}

static int tcp_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A TLS connection that checks the server as kubectl does (the data dir's
 * CA, the host name or address) and offers h2 before http/1.1 as client-go
 * does. NULL when the handshake fails. */
static SSL *tls_open(struct job *j, int *fd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char path[512];
	snprintf(path, sizeof path, "%s/tls/ca.crt", dir);
	SSL_CTX_load_verify_locations(ctx, path, NULL);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_alpn_protos(ctx, (const unsigned char *)"\x02h2\x08http/1.1", 12);
	if (j->cert_dir) {
		snprintf(path, sizeof path, "%s/tls/admin.crt", j->cert_dir);
		assert_int_equal(SSL_CTX_use_certificate_file(ctx, path, SSL_FILETYPE_PEM), 1);
		snprintf(path, sizeof path, "%s/tls/admin.key", j->cert_dir);
		assert_int_equal(SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM), 1);
	}
	SSL *ssl = SSL_new(ctx);
	SSL_CTX_free(ctx); /* the SSL keeps its own reference */
	*fd = tcp_connect();
	SSL_set_fd(ssl, *fd);
	const char *host = j->host ? j->host : "127.0.0.1";
	unsigned char ip[16];
	if (inet_pton(AF_INET, host, ip) == 1) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	} else {
		SSL_set_tlsext_host_name(ssl, host);
		SSL_set1_host(ssl, host);
	}
	if (*fd < 0 || SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		if (*fd >= 0)
			close(*fd);
		ERR_clear_error();
		return NULL;
	}
	j->connected = 1;
	const unsigned char *alpn;
	unsigned alen;
	SSL_get0_alpn_selected(ssl, &alpn, &alen);
	j->alpn_http11 = alen == 8 && !memcmp(alpn, "http/1.1", 8);
	return ssl;
}

static void tls_close(SSL *ssl, int fd)
{
	SSL_free(ssl);
	close(fd);
	ERR_clear_error();
}

static void parse_reply(struct job *j, size_t from)
{
	const char *head = j->raw ? j->raw + from : "";
	const char *end = strstr(head, "\r\n\r\n");
	if (!strncmp(head, "HTTP/1.1 ", 9))
		j->status = atoi(head + 9);
	j->body = end ? end + 4 : NULL;
}

/* reads to the end of the connection, noting whether it ended cleanly */
static void read_to_end(struct job *j, SSL *ssl)
{
	char buf[16384];
	if (j->pause_ms) /* a slow reader: the server's TLS writes must wait for it */
		usleep((useconds_t)j->pause_ms * 1000);
	for (;;) {
		int n = SSL_read(ssl, buf, sizeof buf);
		if (n <= 0) {
			j->close_notify = SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN;
			break;
		}
		got(j, buf, (size_t)n);
	}
}

/* one request with Connection: close, its reply read to the end */
static void job_get(struct job *j)
{
	int fd;
	SSL *ssl = tls_open(j, &fd);
	if (!ssl)
		return;
	char req[256];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", j->path);
	SSL_write(ssl, req, n);
	read_to_end(j, ssl);
	parse_reply(j, 0);
	tls_close(ssl, fd);
}

/* requests one after the other on one connection, each reply read by its
 * Content-Length before the next request goes out */
static void job_keepalive(struct job *j)
{
	int fd;
	SSL *ssl = tls_open(j, &fd);
	if (!ssl)
		return;
	for (int i = 0; i < j->requests; i++) {
		static const char req[] = "GET /n HTTP/1.1\r\nHost: x\r\n\r\n";
		if (SSL_write(ssl, req, sizeof req - 1) <= 0)
			break;
		size_t from = j->len;
		char buf[4096];
		for (;;) {
			const char *end = j->raw ? strstr(j->raw + from, "\r\n\r\n") : NULL;
			const char *cl = j->raw ? strcasestr(j->raw + from, "Content-Length: ") : NULL;
			if (end && cl && j->len >= (size_t)(end + 4 - j->raw) + strtoul(cl + 16, NULL, 10))
				break;
			int n = SSL_read(ssl, buf, sizeof buf);
			if (n <= 0)
				goto out;
			got(j, buf, (size_t)n);
		}
		parse_reply(j, from);
		if (j->status == 200)
			j->replies++;
	}
out:
	tls_close(ssl, fd);
}

/* pipelined requests, one TLS record each and sent together, read to the
 * end of the connection: records the server's TLS has buffered must not
 * wait for the socket to become readable again, the replies come in
 * order, and the server ends with close_notify */
static void job_pipelined(struct job *j)
{
	int fd;
	SSL *ssl = tls_open(j, &fd);
	if (!ssl)
		return;
	static const char *const reqs[] = {"GET /a HTTP/1.1\r\nHost: x\r\n\r\n", "GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n",
	                                   "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"};
	/* one segment on the wire: corked while the records are written */
	int one = 1, zero = 0;
	setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof one);
	for (int i = 0; i < 3; i++)
		SSL_write(ssl, reqs[i], (int)strlen(reqs[i]));
	setsockopt(fd, IPPROTO_TCP, TCP_CORK, &zero, sizeof zero);
	read_to_end(j, ssl);
	tls_close(ssl, fd);
}

/* raw bytes in, everything until EOF out */
static void raw_exchange(struct job *j, const char *data, size_t n)
{
	int fd = tcp_connect();
	if (fd < 0)
		return;
	double t0 = sk_monotonic();
	if (n)
		send(fd, data, n, MSG_NOSIGNAL);
	char buf[4096];
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET)) {
			j->eof = 1;
			break;
		}
		if (r < 0)
			break;
		got(j, buf, (size_t)r);
	}
	j->took = sk_monotonic() - t0;
	close(fd);
}

static void job_plain(struct job *j)
{
	static const char req[] = "GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	raw_exchange(j, req, sizeof req - 1);
}

static void job_garbage(struct job *j)
{
	/* a handshake record header followed by nonsense */
	static const char junk[] = "\x16\x03\x01\x00\x08nonsense and more";
	raw_exchange(j, junk, sizeof junk - 1);
}

static void job_silent(struct job *j) { raw_exchange(j, NULL, 0); }

/* de-chunks a chunked body in place; its length, or -1 when malformed or
 * without the terminating chunk */
static long dechunk(char *body, size_t avail)
{
	char *in = body, *out = body, *end = body + avail;
	for (;;) {
		char *after;
		unsigned long n = strtoul(in, &after, 16);
		if (after == in || end - after < 2 || strncmp(after, "\r\n", 2))
			return -1;
		in = after + 2;
		if (!n)
			return out - body;
		if ((size_t)(end - in) < n + 2 || strncmp(in + n, "\r\n", 2))
			return -1;
		memmove(out, in, n);
		out += n;
		in += n + 2;
	}
}

/* ---- server tests ---- */

static void test_client_cert(void **state)
{
	(void)state;
	start(NULL);
	struct job j = {.fn = job_get, .path = "/whoami", .cert_dir = dir};
	run(&j);
	assert_true(j.connected);
	assert_true(j.alpn_http11); /* h2 offered first, not taken */
	assert_int_equal(j.status, 200);
	assert_string_equal(j.body, "cn=skiff-admin o=system:masters");
	assert_false(seen_null_cn);
	assert_false(seen_null_orgs);
	assert_true(j.close_notify);
	job_free(&j);
	stop();
}

static void test_no_client_cert(void **state)
{
	(void)state;
	start(NULL);
	struct job j = {.fn = job_get, .path = "/whoami"};
	run(&j);
	assert_int_equal(j.status, 200);
	assert_string_equal(j.body, "cn=- o=-");
	assert_true(seen_null_cn);
	assert_true(seen_null_orgs);
	job_free(&j);
	stop();
}

/* A certificate from another CA fails the handshake (as Go's
 * VerifyClientCertIfGiven does) rather than falling back to anonymous: the
 * client learns "unknown CA" at once, and no handler ever runs for it. */
static void test_foreign_client_cert(void **state)
{
	(void)state;
	start(NULL);
	struct job j = {.fn = job_get, .path = "/whoami", .cert_dir = other_dir};
	run(&j);
	assert_int_equal(j.status, 0);
	assert_null(j.raw);
	assert_int_equal(handled, 0);
	job_free(&j);
	/* and the server goes on serving */
	struct job ok = {.fn = job_get, .path = "/whoami", .cert_dir = dir};
	run(&ok);
	assert_int_equal(ok.status, 200);
	assert_string_equal(ok.body, "cn=skiff-admin o=system:masters");
	job_free(&ok);
	stop();
}

static void test_keepalive(void **state)
{
	(void)state;
	start(NULL);
	/* by a DNS name of the certificate this time */
	struct job j = {.fn = job_keepalive, .host = "kubernetes.default.svc", .requests = 5, .cert_dir = dir};
	run(&j);
	assert_true(j.connected);
	assert_int_equal(j.replies, 5);
	assert_int_equal(handled, 5);
	for (int i = 1; i < 5; i++)
		assert_string_equal(remotes[i], remotes[0]);
	job_free(&j);
	/* a name the certificate does not carry is refused by the client */
	struct job bad = {.fn = job_keepalive, .host = "evil.example.com", .requests = 1};
	run(&bad);
	assert_false(bad.connected);
	job_free(&bad);
	stop();
}

static void test_pipelined(void **state)
{
	(void)state;
	start(NULL);
	struct job j = {.fn = job_pipelined};
	run(&j);
	assert_non_null(j.raw);
	const char *a = strstr(j.raw, "hello /a"), *b = strstr(j.raw, "cn=- o=-"), *c = strstr(j.raw, "hello /c");
	assert_true(a && b && c && a < b && b < c);
	assert_non_null(strstr(j.raw, "Connection: close\r\n"));
	assert_true(j.close_notify);
	assert_int_equal(handled, 3);
	job_free(&j);
	stop();
}

static void test_big_stream(void **state)
{
	(void)state;
	start(NULL);
	struct job j = {.fn = job_get, .path = "/big", .pause_ms = 300};
	run(&j);
	assert_int_equal(j.status, 200);
	assert_non_null(strstr(j.raw, "Transfer-Encoding: chunked\r\n"));
	assert_non_null(j.body);
	long n = dechunk((char *)j.body, j.len - (size_t)(j.body - j.raw));
	assert_int_equal(n, BIG);
	for (size_t i = 0; i < BIG; i++)
		if ((unsigned char)j.body[i] != pattern(i))
			fail_msg("byte %zu differs", i);
	assert_true(j.close_notify);
	job_free(&j);
	stop();
}

static void test_plain_http(void **state)
{
	(void)state;
	start(NULL);
	struct job j = {.fn = job_plain};
	run(&j);
	assert_true(j.eof);
	assert_non_null(j.raw);
	assert_memory_equal(j.raw, "HTTP/1.1 400 ", 13);
	assert_non_null(strstr(j.raw, "Client sent an HTTP request to an HTTPS server."));
	job_free(&j);
	struct job g = {.fn = job_garbage};
	run(&g);
	assert_true(g.eof);
	job_free(&g);
	assert_int_equal(handled, 0);
	struct job ok = {.fn = job_get, .path = "/whoami"};
	run(&ok);
	assert_int_equal(ok.status, 200);
	job_free(&ok);
	stop();
}

static void test_handshake_timeout(void **state)
{
	(void)state;
	struct http_limits lim = {.header_timeout_s = 0.3};
	start(&lim);
	struct job j = {.fn = job_silent};
	run(&j);
	assert_true(j.eof);
	if (j.took < 0.25 || j.took >= 2)
		fail_msg("closed after %.2f s", j.took);
	assert_null(j.raw);
	job_free(&j);
	stop();
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
	(void)state;
	sk_err e = {0};
	assert_int_equal(sk_loop_init(0.5, 1, &e), SK_OK);
	dir = tu_tempdir();
	other_dir = tu_tempdir();
	if (tls_ensure_pki(dir, NULL, &e) != SK_OK || tls_ensure_pki(other_dir, NULL, &e) != SK_OK)
		fail_msg("%s", e.msg);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tu_rmrf(dir);
	tu_rmrf(other_dir);
	free(dir);
	free(other_dir);
	sk_loop_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pki),
		cmocka_unit_test(test_kubeconfig),
		cmocka_unit_test(test_client_cert),
		cmocka_unit_test(test_no_client_cert),
		cmocka_unit_test(test_foreign_client_cert),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_big_stream),
		cmocka_unit_test(test_plain_http),
		cmocka_unit_test(test_handshake_timeout),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
