/* tls.c — the API server's PKI (CA, server and admin certificates), its
 * server SSL_CTX, the admin kubeconfig, and the identity in a verified
 * client certificate. */
#include "tls.h"
#include "err.h"
#include "log.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CA_DAYS 3650
#define LEAF_DAYS 365
#define RENEW_WITHIN_S (30L * 86400)
#define MAX_SANS 64
#define MAX_FILE (64 * 1024) /* bigger than any PEM file of ours */
#define MAX_ORGS 32

enum kind { K_CA, K_SERVER, K_CLIENT };

struct san {
	int ip;
	int alen;
	unsigned char addr[16];
	char text[256];
};

struct sans {
	int n;
	struct san v[MAX_SANS];
};

/* ---- errors and files ---- */

static int fail_ssl(sk_err *err, const char *what)
{
	char why[256] = "unknown error";
	unsigned long e = ERR_peek_last_error();
	if (e)
		ERR_error_string_n(e, why, sizeof why);
	ERR_clear_error();
	return sk_fail(err, SK_EIO, "%s: %s", what, why);
}

static void fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return;
	*slash = 0;
	int fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* temp file + rename: a reader (or a crash) never sees half a key */
static int write_atomic(const char *path, const void *data, size_t len, mode_t mode, sk_err *err)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
		return sk_fail(err, SK_EINVALID, "path too long: %s", path);
	int fd = mkostemp(tmp, O_CLOEXEC); /* created 0600: nothing leaks before fchmod */
	if (fd < 0)
		return sk_fail(err, SK_EIO, "cannot create %s: %s", tmp, strerror(errno));
	const char *p = data;
	size_t off = 0;
	int ok = 1;
	while (ok && off < len) {
		ssize_t n = write(fd, p + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			ok = 0;
		else
			off += (size_t)n;
	}
	ok = ok && fchmod(fd, mode) == 0 && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) != 0 && ok) {
		ok = 0;
		saved = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = 0;
		saved = errno;
	}
	if (!ok) {
		unlink(tmp);
		return sk_fail(err, SK_EIO, "cannot write %s: %s", path, strerror(saved));
	}
	fsync_dir_of(path);
	return SK_OK;
}

/* whole file, NUL-terminated; NULL with errno set (EFBIG when too large) */
static char *read_small(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(MAX_FILE + 1);
	size_t n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
	int bad = !buf || ferror(f) || n > MAX_FILE;
	fclose(f);
	if (bad) {
		free(buf);
		errno = buf ? EFBIG : ENOMEM;
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static X509 *load_cert(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	ERR_clear_error();
	return x;
}

static EVP_PKEY *load_key(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	ERR_clear_error();
	return k;
}

/* the key before the certificate: a crash in between leaves a pair that
 * does not match, which the next start notices and re-issues */
static int save_pair(const char *dir, const char *base, X509 *x, EVP_PKEY *k, sk_err *err)
{
	char path[PATH_MAX];
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	int rc = SK_OK;
	if (!kb || !cb || !PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL) || !PEM_write_bio_X509(cb, x)) {
		rc = fail_ssl(err, "cannot encode a certificate");
	} else {
		char *data;
		long n = BIO_get_mem_data(kb, &data);
		snprintf(path, sizeof path, "%s/%s.key", dir, base);
		rc = write_atomic(path, data, (size_t)n, 0600, err);
		if (rc == SK_OK) {
			n = BIO_get_mem_data(cb, &data);
			snprintf(path, sizeof path, "%s/%s.crt", dir, base);
			rc = write_atomic(path, data, (size_t)n, 0644, err);
		}
	}
	BIO_free(kb);
	BIO_free(cb);
	return rc;
}

/* ---- subject alternative names ---- */

/* lenient on purpose: hostnames in the wild carry '_' */
static int dns_name_ok(const char *s)
{
	size_t n = strlen(s), label = 0;
	if (!n || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '.') {
			if (!label)
				return 0;
			label = 0;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		           ch == '-' || ch == '_') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return 1;
}

static int san_equal(const struct san *a, const struct san *b)
{
	if (a->ip != b->ip)
		return 0;
	return a->ip ? a->alen == b->alen && !memcmp(a->addr, b->addr, (size_t)a->alen) : !strcasecmp(a->text, b->text);
}

/* 0 added (or already there, or no room), -1 not an IP address or DNS name */
static int san_add(struct sans *s, const char *name)
{
	struct san v = {0};
	char host[256];
	size_t n = strlen(name);
	if (n >= sizeof host)
		return -1;
	/* "[::1]" as written in URLs and listen addresses */
	if (n > 2 && name[0] == '[' && name[n - 1] == ']') {
		memcpy(host, name + 1, n - 2);
		host[n - 2] = 0;
	} else {
		memcpy(host, name, n + 1);
	}
	if (inet_pton(AF_INET, host, v.addr) == 1) {
		v.ip = 1, v.alen = 4;
	} else if (inet_pton(AF_INET6, host, v.addr) == 1) {
		v.ip = 1, v.alen = 16;
	} else if (dns_name_ok(host)) {
		for (size_t i = 0; host[i]; i++)
			host[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
	} else {
		return -1;
	}
	snprintf(v.text, sizeof v.text, "%s", host);
	for (int i = 0; i < s->n; i++)
		if (san_equal(&s->v[i], &v))
			return 0;
	if (s->n == MAX_SANS) {
		LOG_W("more than %d names for the server certificate: %s left out", MAX_SANS, host);
		return 0;
	}
	s->v[s->n++] = v;
	return 0;
}

static int unspecified(const char *a)
{
	return !*a || !strcmp(a, "0.0.0.0") || !strcmp(a, "::") || !strcmp(a, "[::]");
}

/* a server listening on every address is reached through any of them */
static void san_add_interfaces(struct sans *s)
{
	struct ifaddrs *list;
	if (getifaddrs(&list) != 0)
		return;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		char ip[INET6_ADDRSTRLEN];
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, ip, sizeof ip);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct in6_addr *a = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(a)) /* needs a zone: useless in a URL */
				continue;
			inet_ntop(AF_INET6, a, ip, sizeof ip);
		} else {
			continue;
		}
		san_add(s, ip);
	}
	freeifaddrs(list);
}

static int wanted_sans(const char *const *extra, struct sans *s, sk_err *err)
{
	static const char *const fixed[] = {"localhost",
	                                    "kubernetes",
	                                    "kubernetes.default",
	                                    "kubernetes.default.svc",
	                                    "kubernetes.default.svc.cluster.local",
	                                    "127.0.0.1",
	                                    "::1",
	                                    NULL};
	for (int i = 0; fixed[i]; i++)
		san_add(s, fixed[i]);
	char host[256];
	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = 0;
		san_add(s, host); /* an unusable hostname is skipped */
	}
	for (int i = 0; extra && extra[i]; i++) {
		if (unspecified(extra[i]))
			san_add_interfaces(s);
		else if (san_add(s, extra[i]) != 0)
			return sk_fail(err, SK_EINVALID, "'%s' is neither an IP address nor a DNS name", extra[i]);
	}
	return SK_OK;
}

static GENERAL_NAMES *san_names(const struct sans *s)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	for (int i = 0; gens && i < s->n; i++) {
		const struct san *v = &s->v[i];
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_STRING *str = v->ip ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
		int ok = g && str &&
		         (v->ip ? ASN1_OCTET_STRING_set(str, v->addr, v->alen) : ASN1_STRING_set(str, v->text, -1));
		if (ok) {
			GENERAL_NAME_set0_value(g, v->ip ? GEN_IPADD : GEN_DNS, str);
			str = NULL;
			ok = sk_GENERAL_NAME_push(gens, g) > 0;
		}
		ASN1_STRING_free(str);
		if (!ok) {
			GENERAL_NAME_free(g);
			GENERAL_NAMES_free(gens);
			return NULL;
		}
	}
	return gens;
}

static int cert_has_san(X509 *x, const struct san *want)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int found = 0;
	for (int i = 0; gens && !found && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (want->ip && g->type == GEN_IPADD) {
			found = ASN1_STRING_length(g->d.iPAddress) == want->alen &&
			        !memcmp(ASN1_STRING_get0_data(g->d.iPAddress), want->addr, (size_t)want->alen);
		} else if (!want->ip && g->type == GEN_DNS) {
			size_t n = (size_t)ASN1_STRING_length(g->d.dNSName);
			found = n == strlen(want->text) &&
			        !strncasecmp((const char *)ASN1_STRING_get0_data(g->d.dNSName), want->text, n);
		}
	}
	GENERAL_NAMES_free(gens);
	return found;
}

/* ---- issuing ---- */

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

/* ca/ca_key NULL: self-signed */
static X509 *issue(enum kind kind, EVP_PKEY *key, const char *cn, const char *org, X509 *ca, EVP_PKEY *ca_key,
                   const struct sans *sans)
{
	X509 *x = X509_new();
	BIGNUM *serial = BN_new();
	X509_NAME *name = X509_NAME_new();
	long days = kind == K_CA ? CA_DAYS : LEAF_DAYS;
	/* random serials, positive and at most 20 octets (RFC 5280) */
	int ok = x && serial && name && X509_set_version(x, 2) &&
	         BN_rand(serial, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
	         BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
	         /* an hour back: a client whose clock is a little behind still accepts it */
	         X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
	         X509_gmtime_adj(X509_getm_notAfter(x), days * 86400L) &&
	         (!org || X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0)) &&
	         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) &&
	         X509_set_subject_name(x, name) && X509_set_issuer_name(x, ca ? X509_get_subject_name(ca) : name) &&
	         X509_set_pubkey(x, key);
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, ca ? ca : x, x, NULL, NULL, 0);
	if (ok && kind == K_CA) {
		ok = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") &&
		     add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign") &&
		     add_ext(x, &ctx, NID_subject_key_identifier, "hash");
	} else if (ok) {
		ok = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
		     add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") &&
		     add_ext(x, &ctx, NID_ext_key_usage, kind == K_SERVER ? "serverAuth" : "clientAuth") &&
		     add_ext(x, &ctx, NID_subject_key_identifier, "hash") &&
		     add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
	}
	if (ok && kind == K_SERVER) {
		GENERAL_NAMES *gens = san_names(sans);
		ok = gens && X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
		GENERAL_NAMES_free(gens);
	}
	ok = ok && X509_sign(x, ca_key ? ca_key : key, EVP_sha256()) > 0;
	BN_free(serial);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int ensure_ca(const char *dir, X509 **ca, EVP_PKEY **key, sk_err *err)
{
	char crt[PATH_MAX], kfile[PATH_MAX];
	snprintf(crt, sizeof crt, "%s/ca.crt", dir);
	snprintf(kfile, sizeof kfile, "%s/ca.key", dir);
	int have_crt = access(crt, F_OK) == 0, have_key = access(kfile, F_OK) == 0;
	if (!have_crt && !have_key) {
		*key = EVP_EC_gen("P-256");
		*ca = *key ? issue(K_CA, *key, "skiff-ca", NULL, NULL, NULL, NULL) : NULL;
		if (!*ca)
			return fail_ssl(err, "cannot make the cluster CA");
		if (save_pair(dir, "ca", *ca, *key, err) != SK_OK)
			return err->code;
		LOG_I("generated the cluster CA in %s", dir);
		return SK_OK;
	}
	/* never replace a CA silently: every client that trusts it would break */
	if (!have_crt || !have_key)
		return sk_fail(err, SK_EINVALID, "%s is missing but %s exists: restore it, or remove both to make a new CA",
		               have_crt ? kfile : crt, have_crt ? crt : kfile);
	*ca = load_cert(crt);
	*key = load_key(kfile);
	if (!*ca || !*key)
		return sk_fail(err, SK_EINVALID, "cannot read %s: not a PEM %s", *ca ? kfile : crt,
		               *ca ? "private key" : "certificate");
	if (X509_check_private_key(*ca, *key) != 1) {
		ERR_clear_error();
		return sk_fail(err, SK_EINVALID, "%s does not belong to %s", kfile, crt);
	}
	chmod(kfile, 0600);
	time_t soon = time(NULL) + RENEW_WITHIN_S;
	if (X509_cmp_time(X509_get0_notAfter(*ca), &soon) <= 0)
		LOG_W("the cluster CA %s expires within 30 days: replace it (remove %s/ca.* and restart)", crt, dir);
	return SK_OK;
}

/* why a leaf certificate needs re-issuing, or NULL when it is fine */
static const char *leaf_stale(X509 *x, EVP_PKEY *k, X509 *ca, const struct sans *want, char *buf, size_t cap)
{
	const char *why = NULL;
	time_t soon = time(NULL) + RENEW_WITHIN_S;
	if (!x || !k)
		why = "none yet";
	else if (X509_check_private_key(x, k) != 1)
		why = "it does not match its key";
	else if (X509_check_issued(ca, x) != X509_V_OK || X509_verify(x, X509_get0_pubkey(ca)) != 1)
		why = "it was not issued by the current CA";
	else if (X509_cmp_time(X509_get0_notAfter(x), &soon) <= 0)
		why = "it expires within 30 days";
	else if (X509_cmp_current_time(X509_get0_notBefore(x)) >= 0)
		why = "it is not valid yet";
	for (int i = 0; !why && want && i < want->n; i++)
		if (!cert_has_san(x, &want->v[i])) {
			snprintf(buf, cap, "it lacks the name %s", want->v[i].text);
			why = buf;
		}
	ERR_clear_error();
	return why;
}

static int ensure_leaf(const char *dir, const char *base, enum kind kind, const char *cn, const char *org,
                       const struct sans *want, X509 *ca, EVP_PKEY *ca_key, sk_err *err)
{
	char crt[PATH_MAX], kfile[PATH_MAX], buf[320];
	snprintf(crt, sizeof crt, "%s/%s.crt", dir, base);
	snprintf(kfile, sizeof kfile, "%s/%s.key", dir, base);
	X509 *x = load_cert(crt);
	EVP_PKEY *k = load_key(kfile);
	const char *why = leaf_stale(x, k, ca, want, buf, sizeof buf);
	X509_free(x);
	EVP_PKEY_free(k);
	if (!why) {
		chmod(kfile, 0600);
		return SK_OK;
	}
	k = EVP_EC_gen("P-256");
	x = k ? issue(kind, k, cn, org, ca, ca_key, want) : NULL;
	int rc = x ? save_pair(dir, base, x, k, err) : fail_ssl(err, "cannot issue a certificate");
	if (rc == SK_OK)
		LOG_I("issued %s (%s)", crt, why);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

int tls_ensure_pki(const char *data_dir, const char *const *extra_sans, sk_err *err)
{
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof dir, "%s/tls", data_dir) >= (int)sizeof dir)
		return sk_fail(err, SK_EINVALID, "data dir path too long");
	if (mkdir(data_dir, 0700) != 0 && errno != EEXIST)
		return sk_fail(err, SK_EIO, "cannot create %s: %s", data_dir, strerror(errno));
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || chmod(dir, 0700) != 0)
		return sk_fail(err, SK_EIO, "cannot create %s: %s", dir, strerror(errno));
	struct sans *want = calloc(1, sizeof *want);
	if (!want)
		return sk_fail(err, SK_ENOMEM, "out of memory");
	X509 *ca = NULL;
	EVP_PKEY *ca_key = NULL;
	int rc = wanted_sans(extra_sans, want, err);
	if (rc == SK_OK)
		rc = ensure_ca(dir, &ca, &ca_key, err);
	if (rc == SK_OK)
		rc = ensure_leaf(dir, "server", K_SERVER, "skiff-apiserver", NULL, want, ca, ca_key, err);
	if (rc == SK_OK)
		rc = ensure_leaf(dir, "admin", K_CLIENT, "skiff-admin", "system:masters", NULL, ca, ca_key, err);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	free(want);
	return rc;
}

/* ---- the server context ---- */

/* HTTP/1.1 only: client-go offers h2 first, and this server does not speak it */
static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg)
{
	(void)ssl;
	(void)arg;
	for (unsigned i = 0; i < inlen;) {
		unsigned n = in[i];
		if (i + 1 + n > inlen)
			break;
		if (n == 8 && !memcmp(in + i + 1, "http/1.1", 8)) {
			*out = in + i + 1;
			*outlen = 8;
			return SSL_TLSEXT_ERR_OK;
		}
		i += 1 + n;
	}
	return SSL_TLSEXT_ERR_NOACK; /* go on without ALPN: HTTP/1.1 is assumed */
}

void *tls_server_ctx(const char *data_dir, sk_err *err)
{
	char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX];
	snprintf(crt, sizeof crt, "%s/tls/server.crt", data_dir);
	snprintf(key, sizeof key, "%s/tls/server.key", data_dir);
	snprintf(ca, sizeof ca, "%s/tls/ca.crt", data_dir);
	ERR_clear_error();
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		fail_ssl(err, "cannot make a TLS context");
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
	                             SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* partial writes and a moving buffer: http.c sends from a buffer that
	 * grows while a write waits; released buffers keep idle watches cheap */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	                          SSL_MODE_RELEASE_BUFFERS);
	const char *what = NULL;
	STACK_OF(X509_NAME) *names = NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20"))
		what = "cannot configure TLS";
	else if (SSL_CTX_use_certificate_chain_file(ctx, crt) != 1)
		what = crt;
	else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)
		what = key;
	else if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 || !(names = SSL_load_client_CA_file(ca)))
		what = ca;
	if (what) {
		char msg[PATH_MAX + 32];
		snprintf(msg, sizeof msg, "TLS setup with %s", what);
		fail_ssl(err, msg);
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* clients see which CA to pick a certificate for (Go's client sends
	 * one only when its issuer is listed) */
	SSL_CTX_set_client_CA_list(ctx, names);
	/* asked for, not required: bearer tokens are the other way in */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	/* resumed sessions with a client certificate need an id context */
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"skiff-api", 9);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	/* fewer reads for pipelined records; http.c feeds what stays buffered */
	SSL_CTX_set_read_ahead(ctx, 1);
	return ctx;
}

void tls_ctx_free(void *ssl_ctx) { SSL_CTX_free(ssl_ctx); }

/* ---- peer identity ---- */

static char *entry_text(const X509_NAME *name, int idx)
{
	unsigned char *u = NULL;
	int n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
	if (n < 0)
		return NULL;
	char *s = memchr(u, 0, (size_t)n) ? NULL : strndup((const char *)u, (size_t)n);
	OPENSSL_free(u);
	return s;
}

int tls_peer_subject(void *ssl, char **cn, char ***orgs)
{
	*cn = NULL;
	*orgs = NULL;
	X509 *peer = SSL_get0_peer_certificate(ssl);
	if (!peer || SSL_get_verify_result(ssl) != X509_V_OK)
		return 0;
	const X509_NAME *name = X509_get_subject_name(peer);
	/* the last CN, as Go's pkix.Name reads it for kube-apiserver */
	int last = -1;
	for (int i = -1; (i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0;)
		last = i;
	char *c = last >= 0 ? entry_text(name, last) : strdup("");
	char *o[MAX_ORGS];
	int n = 0;
	size_t bytes = 0;
	for (int i = -1; c && n < MAX_ORGS && (i = X509_NAME_get_index_by_NID(name, NID_organizationName, i)) >= 0;) {
		if ((o[n] = entry_text(name, i)))
			bytes += strlen(o[n++]) + 1;
	}
	char **block = c ? malloc((size_t)(n + 1) * sizeof(char *) + bytes) : NULL;
	char *p = block ? (char *)(block + n + 1) : NULL;
	for (int i = 0; i < n; i++) {
		if (block) {
			block[i] = strcpy(p, o[i]);
			p += strlen(o[i]) + 1;
		}
		free(o[i]);
	}
	if (!block) {
		free(c);
		return 0;
	}
	block[n] = NULL;
	*cn = c;
	*orgs = block;
	return 1;
}

/* ---- kubeconfig ---- */

static char *file_base64(const char *path, sk_err *err)
{
	size_t n;
	char *data = read_small(path, &n);
	if (!data) {
		sk_fail(err, SK_EIO, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)n);
	else
		sk_fail(err, SK_ENOMEM, "out of memory");
	free(data);
	return out;
}

int tls_write_kubeconfig(const char *data_dir, const char *server_url, sk_err *err)
{
	/* the URL goes into a double-quoted YAML scalar: nothing to escape */
	size_t ulen = strlen(server_url);
	if (!ulen || ulen > 2048)
		return sk_fail(err, SK_EINVALID, "bad server URL for the kubeconfig");
	for (size_t i = 0; i < ulen; i++)
		if ((unsigned char)server_url[i] <= ' ' || (unsigned char)server_url[i] >= 0x7f || server_url[i] == '"' ||
		    server_url[i] == '\\')
			return sk_fail(err, SK_EINVALID, "bad server URL for the kubeconfig: %s", server_url);
	char path[PATH_MAX];
	const char *names[] = {"ca.crt", "admin.crt", "admin.key"};
	char *b64[3] = {NULL, NULL, NULL};
	int rc = SK_OK;
	for (int i = 0; i < 3 && rc == SK_OK; i++) {
		snprintf(path, sizeof path, "%s/tls/%s", data_dir, names[i]);
		if (!(b64[i] = file_base64(path, err)))
			rc = err->code;
	}
	char *text = NULL;
	if (rc == SK_OK && asprintf(&text,
	                            "apiVersion: v1\n"
	                            "kind: Config\n"
	                            "clusters:\n"
	                            "- name: skiff\n"
	                            "  cluster:\n"
	                            "    server: \"%s\"\n"
	                            "    certificate-authority-data: %s\n"
	                            "contexts:\n"
	                            "- name: skiff\n"
	                            "  context:\n"
	                            "    cluster: skiff\n"
	                            "    user: skiff-admin\n"
	                            "current-context: skiff\n"
	                            "preferences: {}\n"
	                            "users:\n"
	                            "- name: skiff-admin\n"
	                            "  user:\n"
	                            "    client-certificate-data: %s\n"
	                            "    client-key-data: %s\n",
	                            server_url, b64[0], b64[1], b64[2]) < 0) {
		text = NULL;
		rc = sk_fail(err, SK_ENOMEM, "out of memory");
	}
	if (rc == SK_OK) {
		snprintf(path, sizeof path, "%s/kubeconfig.yaml", data_dir);
		rc = write_atomic(path, text, strlen(text), 0600, err);
	}
	free(text);
	for (int i = 0; i < 3; i++)
		free(b64[i]);
	return rc;
}
