/* child.c — child processes watched by the loop: stdin fed, stdout and
 * stderr captured up to a limit, exit reported once both the process has
 * ended and its output is drained, optional timeout with SIGKILL. */
#include "err.h"
#include "loop.h"
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct buf {
	char *data;
	size_t len, cap;
};

struct child {
	ev_child cw;
	ev_io out_w, err_w, in_w;
	ev_timer timeout;
	sk_plugin *p;
	sk_child_fn fn;
	void *ud;
	struct buf out, err;
	const char *in_data;
	size_t in_len, in_off;
	size_t limit;
	int truncated, status, exited, open_pipes;
	sk_child_output_fn output;
};

static void finish_if_done(struct child *c)
{
	if (!c->exited || c->open_pipes)
		return;
	struct ev_loop *l = sk_ev();
	ev_timer_stop(l, &c->timeout);
	sk_child_result r = {sizeof r, -1, 0, NULL, 0, NULL, 0, c->truncated};
	if (WIFEXITED(c->status))
		r.exit_code = WEXITSTATUS(c->status);
	else if (WIFSIGNALED(c->status))
		r.term_signal = WTERMSIG(c->status);
	r.out = c->out.data;
	r.out_len = c->out.len;
	r.err = c->err.data;
	r.err_len = c->err.len;
	struct call_scope s;
	call_begin(&s, c->p);
	c->fn(c->ud, &r);
	call_end(&s, "a child-process completion");
	free(c->out.data);
	free(c->err.data);
	free(c);
}

static void close_io(struct ev_loop *l, ev_io *w, struct child *c)
{
	ev_io_stop(l, w);
	close(w->fd);
	c->open_pipes--;
}

static void read_into(struct ev_loop *l, ev_io *w, struct child *c, struct buf *b)
{
	char tmp[16384];
	ssize_t n = read(w->fd, tmp, sizeof tmp);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_io(l, w, c);
		finish_if_done(c);
		return;
	}
	if (c->output) {
		struct call_scope s;
		call_begin(&s, c->p);
		c->output(c->ud, b == &c->out ? 1 : 2, tmp, (size_t)n);
		call_end(&s, "child output");
		return;
	}
	size_t keep = (size_t)n;
	if (b->len + keep > c->limit) {
		keep = c->limit > b->len ? c->limit - b->len : 0;
		c->truncated = 1;
	}
	if (keep) {
		if (b->len + keep + 1 > b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 4096;
			while (cap < b->len + keep + 1)
				cap *= 2;
			char *d = realloc(b->data, cap);
			if (!d) {
				c->truncated = 1;
				return;
			}
			b->data = d;
			b->cap = cap;
		}
		memcpy(b->data + b->len, tmp, keep);
		b->len += keep;
		b->data[b->len] = 0;
	}
}

static void on_out(struct ev_loop *l, ev_io *w, int revents)
{
	(void)revents;
	struct child *c = (struct child *)((char *)w - offsetof(struct child, out_w));
	read_into(l, w, c, &c->out);
}

static void on_err(struct ev_loop *l, ev_io *w, int revents)
{
	(void)revents;
	struct child *c = (struct child *)((char *)w - offsetof(struct child, err_w));
	read_into(l, w, c, &c->err);
}

static void on_in(struct ev_loop *l, ev_io *w, int revents)
{
	(void)revents;
	struct child *c = (struct child *)((char *)w - offsetof(struct child, in_w));
	ssize_t n = write(w->fd, c->in_data + c->in_off, c->in_len - c->in_off);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		c->in_off += (size_t)n;
	if (n <= 0 || c->in_off >= c->in_len) {
		close_io(l, w, c);
		finish_if_done(c);
	}
}

static void on_exit_cb(struct ev_loop *l, ev_child *w, int revents)
{
	(void)revents;
	struct child *c = (struct child *)w;
	ev_child_stop(l, w);
	c->status = w->rstatus;
	c->exited = 1;
	/* stdin may still be open if the child never read it */
	if (ev_is_active(&c->in_w))
		close_io(l, &c->in_w, c);
	finish_if_done(c);
}

static void on_timeout(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)revents;
	struct child *c = (struct child *)((char *)w - offsetof(struct child, timeout));
	kill(c->cw.pid, SIGKILL);
}

static int nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int sk_child_spawn(sk_plugin *p, const sk_child_spec *spec, sk_child_fn fn, void *ud, pid_t *pid_out,
                   sk_err *err)
{
	if (!spec || spec->size < offsetof(sk_child_spec, timeout_s) || !spec->argv || !spec->argv[0])
		return sk_fail(err, SK_EINVALID, "child spec without a program");
	/* a caller built without timeout_s has none: do not read past its struct */
	double timeout_s = spec->size >= offsetof(sk_child_spec, timeout_s) + sizeof spec->timeout_s ? spec->timeout_s : 0;
	int has_streams = spec->size >= offsetof(sk_child_spec, new_session) + sizeof spec->new_session;
	sk_child_output_fn output = has_streams ? spec->output : NULL;
	int new_session = has_streams && spec->new_session;
	int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1};
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(er, O_CLOEXEC)) {
		int e = errno;
		for (int i = 0; i < 2; i++) {
			if (in[i] >= 0) close(in[i]);
			if (out[i] >= 0) close(out[i]);
			if (er[i] >= 0) close(er[i]);
		}
		return sk_fail(err, SK_EIO, "cannot create pipes: %s", strerror(e));
	}
	struct child *c = calloc(1, sizeof *c);
	pid_t pid = c ? fork() : -1;
	if (pid < 0) {
		int e = errno;
		free(c);
		for (int i = 0; i < 2; i++) {
			close(in[i]);
			close(out[i]);
			close(er[i]);
		}
		return sk_fail(err, SK_EIO, "cannot start %s: %s", spec->argv[0], strerror(e));
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(er[1], 2);
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (new_session)
			setsid();
		if (spec->cwd && chdir(spec->cwd) != 0)
			_exit(127);
		if (spec->envp)
			execvpe(spec->argv[0], (char *const *)spec->argv, (char *const *)spec->envp);
		else
			execvp(spec->argv[0], (char *const *)spec->argv);
		dprintf(2, "exec %s: %s\n", spec->argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(er[1]);
	nonblock(in[1]);
	nonblock(out[0]);
	nonblock(er[0]);
	struct ev_loop *l = sk_ev();
	c->p = p;
	c->fn = fn;
	c->ud = ud;
	c->limit = spec->capture_limit ? spec->capture_limit : (1u << 20);
	c->output = output;
	c->in_data = spec->stdin_data;
	c->in_len = spec->stdin_data ? spec->stdin_len : 0;
	ev_child_init(&c->cw, on_exit_cb, pid, 0);
	ev_child_start(l, &c->cw);
	ev_io_init(&c->out_w, on_out, out[0], EV_READ);
	ev_io_start(l, &c->out_w);
	ev_io_init(&c->err_w, on_err, er[0], EV_READ);
	ev_io_start(l, &c->err_w);
	c->open_pipes = 2;
	if (c->in_len) {
		ev_io_init(&c->in_w, on_in, in[1], EV_WRITE);
		ev_io_start(l, &c->in_w);
		c->open_pipes++;
	} else {
		close(in[1]);
	}
	ev_timer_init(&c->timeout, on_timeout, timeout_s > 0 ? timeout_s : 0, 0);
	if (timeout_s > 0)
		ev_timer_start(l, &c->timeout);
	if (pid_out)
		*pid_out = pid;
	return SK_OK;
}
