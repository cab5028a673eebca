/* server.c — a real `skiff server` on a free loopback port, started and stopped. */
#include "bench.h"
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

char bench_skiff[PATH_MAX];

void server_default_path(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		snprintf(bench_skiff, sizeof bench_skiff, "build/bin/skiff");
		return;
	}
	self[n] = 0;
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	snprintf(bench_skiff, sizeof bench_skiff, "%s/../bin/skiff", self);
}

int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		fatal("cannot find a free port: %s", strerror(errno));
	close(fd);
	return ntohs(a.sin_port);
}

/* its own config: nothing from /etc/skiff changes the figures */
static int write_config(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return -1;
	int bad = fputs(text, f) < 0;
	return fclose(f) != 0 || bad ? -1 : 0;
}

int server_start(struct server *s, const char *dir, const char *config)
{
	char listen[64], *argv[12], config_path[PATH_MAX + 16];
	snprintf(s->dir, sizeof s->dir, "%s", dir);
	snprintf(config_path, sizeof config_path, "%s.yaml", dir);
	if (write_config(config_path, config ? config : "logLevel: info\n") != 0) {
		complain("cannot write %s: %s", config_path, strerror(errno));
		return -1;
	}
	s->t.port = free_port();
	snprintf(listen, sizeof listen, "127.0.0.1:%d", s->t.port);
	int a = 0;
	argv[a++] = bench_skiff;
	argv[a++] = "server";
	argv[a++] = "--config";
	argv[a++] = config_path;
	argv[a++] = "--data-dir";
	argv[a++] = s->dir;
	argv[a++] = "--listen";
	argv[a++] = listen;
	argv[a++] = "--disable-agent"; /* made-up nodes only; a node benchmark configures its own */
	argv[a] = NULL;
	char logpath[PATH_MAX + 32];
	snprintf(logpath, sizeof logpath, "%s.log", dir);
	if (proc_spawn(&s->p, argv, logpath) != 0) {
		complain("cannot start %s: %s", bench_skiff, strerror(errno));
		return -1;
	}
	/* /readyz is public: poll it without the CA, which a first start is still making */
	SSL_CTX *any = tls_ctx(NULL);
	double wait = s->start_timeout > 0 ? s->start_timeout : 60;
	struct target probe = {.port = s->t.port, .ctx = any};
	struct conn c = {.fd = -1, .t = &probe};
	double end = s->p.t_exec + wait;
	s->t_readyz = -1;
	while (now() < end && proc_alive(&s->p)) {
		/* a server that accepts but does not answer must not hold the wait;
		 * a slow one gets all the time left, or it may never finish a handshake */
		probe.timeout = end - now() > 0.1 ? end - now() : 0.1;
		if (http_do(&c, "GET", "/readyz", NULL, 0) == 200) {
			s->t_readyz = now() - s->p.t_exec;
			break;
		}
		usleep(500);
	}
	conn_free(&c);
	SSL_CTX_free(any);
	while (s->t_readyz >= 0 && !atomic_load(&s->p.ready_seen) && now() < end)
		usleep(500);
	if (s->t_readyz < 0 || !atomic_load(&s->p.ready_seen)) {
		complain("the server did not become ready (log %s)", s->p.logpath);
		proc_log_tail(&s->p);
		proc_stop(&s->p); /* nothing outlives a failed start */
		return -1;
	}
	s->t_log = s->p.t_ready_line - s->p.t_exec;
	char tls[PATH_MAX + 8];
	snprintf(tls, sizeof tls, "%s/tls", dir);
	s->t.ctx = tls_ctx(tls);
	if (!s->t.ctx) {
		complain("no client TLS for the server");
		proc_stop(&s->p);
		return -1;
	}
	return 0;
}

int server_stop(struct server *s)
{
	int clean = 1;
	if (s->p.pid && !(clean = proc_stop(&s->p)))
		complain("the server in %s did not stop cleanly (log %s)", s->dir, s->p.logpath);
	if (s->t.ctx)
		SSL_CTX_free(s->t.ctx);
	s->t.ctx = NULL;
	return clean;
}
