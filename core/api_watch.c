/* api_watch.c — watch streams: the current state as ADDED events (unless
 * a resourceVersion says where to resume), then every change from the bus,
 * as newline-separated JSON events over a chunked response; bookmarks,
 * timeouts, 410 Expired as an ERROR event, Table rows for `kubectl get -w`,
 * and slow consumers cut off rather than buffered without bound. */
#include "api.h"
#include "bus.h"
#include "err.h"
#include "gojson.h"
#include "json.h"
#include "keys.h"
#include "log.h"
#include "loop.h"
#include "plugin_host.h"
#include "store.h"
#include <inttypes.h>
#include <skiff/data.h>
#include <skiff/selector.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_S 1800.0
#define BOOKMARK_INTERVAL_S 30.0
/* a watcher this far behind is cut off; it re-lists */
#define MAX_BUFFERED (4u << 20)

struct watch {
	struct api_req *r;
	struct bus_sub *sub;
	struct ev_timer timeout, bookmark;
	int table, bookmarks;
	int64_t last_rv;
	int dead;  /* ended; freed on the next loop iteration so callers up the stack may still look */
	struct watch *prev, *next;
};

static struct watch *watches;

static void free_later(int revents, void *arg)
{
	(void)revents;
	free(arg);
}

static void watch_end(struct watch *w, int graceful)
{
	if (w->dead)
		return;
	w->dead = 1;
	if (w->sub)
		bus_unsubscribe(w->sub);
	w->sub = NULL;
	ev_timer_stop(sk_ev(), &w->timeout);
	ev_timer_stop(sk_ev(), &w->bookmark);
	if (w->prev)
		w->prev->next = w->next;
	else
		watches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	struct api_req *r = w->r;
	if (r) {
		r->op_gone = NULL;
		r->busy = 0;
		if (graceful && !r->gone)
			http_stream_end(r->http);
		api_req_free(r);
	}
	w->r = NULL;
	ev_once(sk_ev(), -1, 0, 0, free_later, w);
}

static void watch_gone(struct api_req *r)
{
	struct watch *w = r->op;
	w->r->http = NULL;
	watch_end(w, 0);
}

static void send(struct watch *w, const char *frame, size_t len)
{
	if (w->dead || !w->r || w->r->gone)
		return;
	if (http_stream_buffered(w->r->http) > MAX_BUFFERED) {
		LOG_W("watch of %s from %s is too slow: closing it", w->r->res->plural, http_req_remote(w->r->http));
		http_stream_end(w->r->http);
		w->r->http = NULL;
		w->r->gone = 1;
		watch_end(w, 0);
		return;
	}
	/* on failure the close callback ends the watch (w->dead) */
	http_stream_write(w->r->http, frame, len);
}

static void send_json(struct watch *w, const char *type, json_t *obj)
{
	json_t *ev = json_pack("{s:s, s:O}", "type", type, "object", obj);
	char *s = gojson_dumps(ev, 0);
	json_decref(ev);
	if (!s)
		return;
	size_t n = strlen(s);
	char *line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	send(w, line, n + 1);
	free(line);
}

static const char *const type_name[] = {"", "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"};

static void send_object(struct watch *w, int type, json_t *obj)
{
	if (w->dead)
		return;
	if (w->table) {
		json_t *t = api_table(w->r, obj, 1);
		/* later events of a table watch carry rows only, as kube-apiserver does */
		send_json(w, type_name[type], t);
		json_decref(t);
		return;
	}
	json_t *out = api_out(w->r, json_incref(obj));
	send_json(w, type_name[type], out);
	json_decref(out);
}

static void on_event(void *ud, const sk_event *ev)
{
	struct watch *w = ud;
	if (w->dead)
		return; /* ended while history was being replayed to it */
	w->last_rv = ev->revision;
	if (w->table || w->r->alias) {
		send_object(w, ev->type, J(ev->object));
		return;
	}
	size_t len;
	const char *frame = sk_event_json(ev, &len);
	if (frame)
		send(w, frame, len);
}

static void bookmark(struct watch *w, int initial_end)
{
	if (w->dead)
		return;
	char gv[128], rv[24];
	api_group_version(api_shown(w->r), gv, sizeof gv);
	snprintf(rv, sizeof rv, "%" PRId64, w->last_rv);
	json_t *obj = json_pack("{s:s, s:s, s:{s:s}}", "kind", api_shown(w->r)->kind, "apiVersion", gv, "metadata",
	                        "resourceVersion", rv);
	if (initial_end)
		json_object_set_new(json_object_get(obj, "metadata"), "annotations",
		                    json_pack("{s:s}", "k8s.io/initial-events-end", "true"));
	send_json(w, "BOOKMARK", obj);
	json_decref(obj);
}

static void on_bookmark(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	bookmark(t->data, 0);
}

static void on_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	watch_end(t->data, 1);
}

static void send_error(struct watch *w, const sk_err *e)
{
	json_t *st = api_status_of(w->r, e);
	send_json(w, "ERROR", st);
	json_decref(st);
}

void api_watch(struct api_req *r)
{
	sk_err err = {0};
	sk_list_opts lo;
	long long timeout = 0;
	int bookmarks = 0, initial = 0, have_initial = 0;
	char prefix[1100];
	if (api_list_options(r, &lo, &err) != SK_OK) {
		api_reply_error(r, &err);
		return;
	}
	if (query_int(&r->q, "timeoutSeconds", 0, &timeout, &err) != SK_OK ||
	    query_bool(&r->q, "allowWatchBookmarks", 0, &bookmarks, &err) != SK_OK ||
	    query_bool(&r->q, "sendInitialEvents", 0, &initial, &err) != SK_OK ||
	    keys_make(prefix, sizeof prefix, r->res, *r->ns ? r->ns : NULL, *r->name ? r->name : NULL, &err) != SK_OK)
		goto fail;
	have_initial = query_get(&r->q, "sendInitialEvents") != NULL;
	const char *rvs = query_get(&r->q, "resourceVersion");
	int64_t from = rvs && *rvs ? store_parse_rv(rvs) : 0;
	if (from < 0) {
		sk_fail(&err, SK_EBADREQUEST, "invalid resource version \"%s\"", rvs);
		goto fail;
	}
	if (have_initial && initial && from > 0) {
		sk_fail(&err, SK_EBADREQUEST, "sendInitialEvents is only supported with resourceVersion \"\" or \"0\" here");
		goto fail;
	}
	/* a watch of one object (…/pods/NAME?watch=1) is a watch of its key */
	if (*r->name) {
		sk_selector_free((sk_selector *)lo.fields);
		char fs[300];
		snprintf(fs, sizeof fs, "metadata.name=%s", r->name);
		lo.fields = sk_field_selector_parse(fs, NULL);
		keys_make(prefix, sizeof prefix, r->res, *r->ns ? r->ns : NULL, NULL, &err);
	}
	struct watch *w = calloc(1, sizeof *w);
	if (!w) {
		sk_fail(&err, SK_ENOMEM, "out of memory");
		goto fail;
	}
	w->r = r;
	w->table = api_accepts(r, "Table", "meta.k8s.io", "v1") || api_accepts(r, "Table", "meta.k8s.io", "v1beta1");
	w->bookmarks = bookmarks;
	int send_initial = from == 0 && (!have_initial || initial);
	/* the initial state comes from a consistent list; changes follow it */
	json_t *items = NULL;
	if (send_initial) {
		sk_obj *list = NULL;
		sk_list_opts all = lo;
		all.limit = 0;
		all.cont = NULL;
		if (sk_api_list(r->res->group, r->res->plural, *r->ns ? r->ns : NULL, &all, &list, &err) != SK_OK) {
			free(w);
			goto fail;
		}
		from = store_parse_rv(sk_obj_get_str(list, "metadata.resourceVersion"));
		items = json_incref(json_object_get(J(list), "items"));
		sk_obj_unref(list);
	} else if (from == 0) {
		from = store_revision();
	}
	w->last_rv = from;
	const char *ctype = w->table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json";
	r->busy = 1;
	r->op = w;
	r->op_gone = watch_gone;
	if ((w->next = watches))
		watches->prev = w;
	watches = w;
	ev_timer_init(&w->timeout, on_timeout, timeout ? (double)timeout : DEFAULT_TIMEOUT_S, 0);
	ev_timer_init(&w->bookmark, on_bookmark, BOOKMARK_INTERVAL_S, BOOKMARK_INTERVAL_S);
	w->timeout.data = w->bookmark.data = w;
	if (http_stream_start(r->http, 200, ctype) < 0) {
		json_decref(items);
		api_list_options_free(&lo);
		return; /* the close callback ended it */
	}
	/* the initial state goes out before any change that follows it */
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		if (w->dead)
			break;
		send_object(w, SK_EV_ADDED, it);
	}
	json_decref(items);
	items = NULL;
	/* subscribing may replay history at once: the stream is open by now */
	if (!w->dead)
		w->sub = bus_subscribe(sk_core_plugin(), prefix, lo.labels, lo.fields, from, on_event, w, &err);
	api_list_options_free(&lo);
	if (w->dead) {
		/* the client went away during the replay: the subscription was
		 * made after watch_end could see it */
		if (w->sub)
			bus_unsubscribe(w->sub);
		w->sub = NULL;
		return;
	}
	if (!w->sub) {
		/* too old: Kubernetes answers 200 and one ERROR event, then closes */
		json_decref(items);
		send_error(w, &err);
		watch_end(w, 1);
		return;
	}
	if (have_initial && initial && bookmarks)
		bookmark(w, 1);
	ev_timer_start(sk_ev(), &w->timeout);
	if (bookmarks)
		ev_timer_start(sk_ev(), &w->bookmark);
	return;
fail:
	api_list_options_free(&lo);
	api_reply_error(r, &err);
}

void api_watch_stop_all(void)
{
	while (watches)
		watch_end(watches, 1);
}
