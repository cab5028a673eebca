/* https.c — keep-alive HTTP/1.1 clients over TLS (or plain TCP) on loopback. */
#include "bench.h"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

SSL_CTX *tls_ctx(const char *tls_dir)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return NULL;
	if (!tls_dir) { /* only for /readyz while the server may still be making its CA */
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return ctx;
	}
	char ca[PATH_MAX + 16], crt[PATH_MAX + 16], key[PATH_MAX + 16];
	snprintf(ca, sizeof ca, "%s/ca.crt", tls_dir);
	snprintf(crt, sizeof crt, "%s/admin.crt", tls_dir);
	snprintf(key, sizeof key, "%s/admin.key", tls_dir);
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, crt) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		char e[256];
		ERR_error_string_n(ERR_get_error(), e, sizeof e);
		fprintf(stderr, "%s: client TLS from %s: %s\n", bench_name, tls_dir, e);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(ctx), "127.0.0.1");
	return ctx;
}

void conn_close(struct conn *c)
{
	if (c->ssl)
		SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	c->ssl = NULL;
	c->fd = -1;
	c->in.n = 0;
}

void conn_free(struct conn *c)
{
	conn_close(c);
	free(c->in.p);
	free(c->req.p);
	free(c->body.p);
	memset(&c->in, 0, sizeof c->in);
	memset(&c->req, 0, sizeof c->req);
	memset(&c->body, 0, sizeof c->body);
}

int conn_open(struct conn *c, const struct target *t)
{
	c->t = t;
	c->ssl = NULL;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (t->timeout > 0) {
		struct timeval tv = {.tv_sec = (time_t)t->timeout,
		                     .tv_usec = (suseconds_t)((t->timeout - (double)(time_t)t->timeout) * 1e6)};
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)t->port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0)
		goto fail;
	if (t->ctx) {
		c->ssl = SSL_new(t->ctx);
		if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1 || SSL_connect(c->ssl) != 1)
			goto fail;
	}
	return 0;
fail:
	conn_close(c);
	return -1;
}

int conn_write(struct conn *c, const char *p, size_t n)
{
	while (n) {
		ssize_t w;
		if (c->ssl) {
			int r = SSL_write(c->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
			w = r > 0 ? r : -1;
		} else {
			w = send(c->fd, p, n, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t conn_read(struct conn *c, char *to, size_t cap)
{
	if (c->ssl) {
		int r = SSL_read(c->ssl, to, cap > INT_MAX ? INT_MAX : (int)cap);
		if (r > 0)
			return r;
		int e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_ZERO_RETURN)
			return 0;
		errno = e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? EAGAIN : EIO;
		return -1;
	}
	ssize_t r;
	while ((r = recv(c->fd, to, cap, 0)) < 0 && errno == EINTR)
		;
	return r;
}

/* one read's worth more into c->in */
static int conn_fill(struct conn *c)
{
	buf_reserve(&c->in, 16384 + 1);
	ssize_t r = conn_read(c, c->in.p + c->in.n, c->in.cap - c->in.n - 1);
	if (r <= 0)
		return -1;
	c->in.n += (size_t)r;
	c->in.p[c->in.n] = 0;
	return 0;
}

/* the value of header name in the header block, or NULL */
static const char *header(const char *head, size_t len, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	for (const char *l = memchr(head, '\n', len); l && l + 1 < head + len; l = memchr(l + 1, '\n', (size_t)(head + len - l - 1))) {
		const char *s = l + 1;
		if ((size_t)(head + len - s) > nl && !strncasecmp(s, name, nl) && s[nl] == ':') {
			const char *v = s + nl + 1;
			while (*v == ' ')
				v++;
			const char *e = v;
			while (e < head + len && *e != '\r' && *e != '\n')
				e++;
			*vlen = (size_t)(e - v);
			return v;
		}
	}
	return NULL;
}

void request_head(struct conn *c, const char *method, const char *path, size_t blen)
{
	c->req.n = 0;
	buf_printf(&c->req,
	           "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: %s\r\nAccept: application/json\r\n",
	           method, path, c->t->port, bench_name);
	if (blen || !strcmp(method, "POST"))
		buf_printf(&c->req, "Content-Type: application/json\r\nContent-Length: %zu\r\n", blen);
	buf_add(&c->req, "\r\n", 2);
}

int http_do(struct conn *c, const char *method, const char *path, const char *body, size_t blen)
{
	if (c->fd < 0 && conn_open(c, c->t) != 0)
		return -1;
	request_head(c, method, path, blen);
	if (blen)
		buf_add(&c->req, body, blen);
	if (conn_write(c, c->req.p, c->req.n) != 0)
		goto fail;
	char *e;
	while (!(e = c->in.n ? memmem(c->in.p, c->in.n, "\r\n\r\n", 4) : NULL)) {
		if (c->in.n > MAX_HEADER || conn_fill(c) != 0)
			goto fail;
	}
	size_t hend = (size_t)(e - c->in.p) + 4, vl;
	int status = 0;
	if (sscanf(c->in.p, "HTTP/1.%*d %d", &status) != 1)
		goto fail;
	const char *te = header(c->in.p, hend, "Transfer-Encoding", &vl);
	int chunked = te && memmem(te, vl, "chunked", 7);
	const char *cn = header(c->in.p, hend, "Connection", &vl);
	int close_after = cn && vl == 5 && !strncasecmp(cn, "close", 5);
	c->body.n = 0;
	if (c->body.p)
		c->body.p[0] = 0;
	if (chunked) {
		struct dechunk d = {0};
		size_t off = hend;
		for (;;) {
			long k = dechunk_feed(&d, c->in.p + off, c->in.n - off, &c->body);
			if (k < 0)
				goto fail;
			off += (size_t)k;
			if (d.st == DC_DONE)
				break;
			buf_consume(&c->in, off); /* keep the buffer at one read's size */
			off = 0;
			if (conn_fill(c) != 0)
				goto fail;
		}
		buf_consume(&c->in, off);
	} else {
		const char *cl = header(c->in.p, hend, "Content-Length", &vl);
		size_t len = cl ? strtoul(cl, NULL, 10) : 0;
		if (len > MAX_BODY)
			goto fail;
		while (c->in.n < hend + len)
			if (conn_fill(c) != 0)
				goto fail;
		buf_add(&c->body, c->in.p + hend, len);
		buf_consume(&c->in, hend + len);
	}
	if (close_after)
		conn_close(c);
	c->status = status;
	return status;
fail:
	conn_close(c);
	return -1;
}
