/* proc.c — child processes: spawn with the output copied to a log, stop, CPU and memory use. */
#include "bench.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 8
static atomic_int children[MAX_CHILDREN]; /* pids; 0 is a free slot */

static void child_track(pid_t pid, int on)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		int want = on ? 0 : pid;
		if (atomic_compare_exchange_strong(&children[i], &want, on ? pid : 0))
			return;
	}
}

/* SIGTERM, then SIGKILL if it has not exited within grace seconds; 1 if it
 * exited by itself with status 0 */
static int reap(pid_t pid, double grace)
{
	int st = 0, clean = 0;
	kill(pid, SIGTERM);
	double end = now() + grace;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			clean = WIFEXITED(st) && WEXITSTATUS(st) == 0;
			break;
		}
		if (r < 0)
			break; /* already reaped elsewhere */
		if (now() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		usleep(2000);
	}
	child_track(pid, 0);
	return clean;
}

void proc_stop_all(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		int pid = atomic_load(&children[i]);
		if (pid > 0)
			reap(pid, 5.0);
	}
}

/* copies the child's output to its log, noting when the server's "ready
 * in" line goes by */
static void *proc_reader(void *arg)
{
	struct proc *p = arg;
	char chunk[4096], line[2048];
	size_t ll = 0;
	ssize_t n;
	while ((n = read(p->out, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR)) {
		double t = now();
		if (n < 0)
			continue;
		if (p->log)
			fwrite(chunk, 1, (size_t)n, p->log);
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] != '\n') {
				if (ll < sizeof line - 1)
					line[ll++] = chunk[i];
				continue;
			}
			line[ll] = 0;
			ll = 0;
			const char *r = strstr(line, " ready in ");
			if (r && !atomic_load(&p->ready_seen)) {
				p->ready_ms = strtod(r + 10, NULL);
				p->t_ready_line = t;
				atomic_store(&p->ready_seen, 1);
			}
		}
	}
	if (p->log)
		fflush(p->log);
	return NULL;
}

int proc_spawn(struct proc *p, char *const argv[], const char *logpath)
{
	int fds[2];
	memset(p, 0, sizeof *p);
	snprintf(p->logpath, sizeof p->logpath, "%s", logpath);
	p->log = fopen(logpath, "ae");
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	p->t_exec = now();
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		/* only async-signal-safe calls until exec */
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the benchmark */
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	p->pid = pid;
	p->out = fds[0];
	child_track(pid, 1);
	if (pthread_create(&p->reader, NULL, proc_reader, p) != 0)
		fatal("cannot start a log reader thread");
	return 0;
}

int proc_stop(struct proc *p)
{
	if (!p->pid)
		return 0;
	int clean = reap(p->pid, 15.0);
	pthread_join(p->reader, NULL);
	close(p->out);
	if (p->log)
		fclose(p->log);
	p->log = NULL;
	p->pid = 0;
	return clean;
}

int proc_alive(struct proc *p)
{
	int st;
	return p->pid && waitpid(p->pid, &st, WNOHANG) == 0;
}

void proc_log_tail(struct proc *p)
{
	if (atomic_load(&bench_stopping))
		return; /* interrupted: a child's end is no news */
	if (p->log)
		fflush(p->log);
	FILE *f = fopen(p->logpath, "re");
	if (!f)
		return;
	char tail[2048];
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, size > (long)sizeof tail - 1 ? size - (long)sizeof tail + 1 : 0, SEEK_SET);
	size_t n = fread(tail, 1, sizeof tail - 1, f);
	tail[n] = 0;
	fclose(f);
	fprintf(stderr, "---- end of %s ----\n%s----\n", p->logpath, tail);
}

double cpu_s(pid_t pid)
{
	if (!pid) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
	}
	char path[64], line[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(line, 1, sizeof line - 1, f);
	fclose(f);
	line[n] = 0;
	/* utime and stime are fields 14 and 15; the name (field 2) may hold spaces */
	char *p = strrchr(line, ')');
	unsigned long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

long proc_status_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t fl = strlen(field);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	long kb = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, field, fl) && line[fl] == ':')
			kb = strtol(line + fl + 1, NULL, 10);
	fclose(f);
	return kb;
}
