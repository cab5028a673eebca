/* skiff/host.h — the host function table.
 *
 * The host passes this table to a plugin's entry point; the SDK's macros turn
 * calls such as sk_obj_get_str(o, "metadata.name") into calls through it, so
 * a plugin links against nothing of the core. Within ABI major 1 members are
 * only ever appended; `size` tells how much of it a host provides (a host
 * never loads a plugin built for a newer minor, so every member a plugin
 * knows is present).
 *
 * Ownership: the table is owned by the host and lives as long as the plugin.
 */
#ifndef SKIFF_HOST_H
#define SKIFF_HOST_H
#include <skiff/abi.h>
#include <skiff/obj.h>
#include <skiff/map.h>
#include <skiff/selector.h>
#include <skiff/requests.h>
#include <skiff/loop.h>
#include <skiff/data.h>
#include <skiff/informer.h>
#include <skiff/plugin.h>
#include <skiff/resource.h>
#include <skiff/validate.h>

struct sk_resource_amount; /* requests.h */

struct sk_host {
	uint32_t size;
	uint16_t abi_major;
	uint16_t abi_minor;
	const char *host_version;
	/* obj.h */
	void (*mem_free)(void *p);
	sk_obj *(*obj_new_object)(void);
	sk_obj *(*obj_new_array)(void);
	sk_obj *(*obj_new_str)(const char *s);
	sk_obj *(*obj_new_int)(int64_t v);
	sk_obj *(*obj_new_real)(double v);
	sk_obj *(*obj_new_bool)(int v);
	sk_obj *(*obj_new_null)(void);
	sk_obj *(*obj_parse)(const char *json, size_t len, sk_err *err);
	char *(*obj_dump)(const sk_obj *o, int flags);
	sk_obj *(*obj_ref)(sk_obj *o);
	void (*obj_unref)(sk_obj *o);
	sk_obj *(*obj_copy)(const sk_obj *o);
	int (*obj_equal)(const sk_obj *a, const sk_obj *b);
	sk_obj_type (*obj_type_of)(const sk_obj *o);
	sk_obj *(*obj_get)(const sk_obj *o, const char *path);
	const char *(*obj_get_str)(const sk_obj *o, const char *path);
	int64_t (*obj_get_int)(const sk_obj *o, const char *path, int64_t dflt);
	double (*obj_get_real)(const sk_obj *o, const char *path, double dflt);
	int (*obj_get_bool)(const sk_obj *o, const char *path, int dflt);
	int (*obj_set)(sk_obj *o, const char *path, sk_obj *value, sk_err *err);
	int (*obj_set_str)(sk_obj *o, const char *path, const char *v, sk_err *err);
	int (*obj_set_int)(sk_obj *o, const char *path, int64_t v, sk_err *err);
	int (*obj_set_bool)(sk_obj *o, const char *path, int v, sk_err *err);
	int (*obj_del)(sk_obj *o, const char *path);
	size_t (*obj_len)(const sk_obj *o);
	sk_obj *(*obj_at)(const sk_obj *arr, size_t i);
	int (*obj_append)(sk_obj *arr, sk_obj *value);
	int (*obj_foreach)(const sk_obj *o, sk_obj_visit_fn fn, void *ud);
	const char *(*obj_str)(const sk_obj *o);
	int64_t (*obj_int)(const sk_obj *o);
	/* selector.h */
	sk_selector *(*label_selector_parse)(const char *text, sk_err *err);
	sk_selector *(*label_selector_from_obj)(const sk_obj *sel, sk_err *err);
	sk_selector *(*field_selector_parse)(const char *text, sk_err *err);
	void (*selector_free)(sk_selector *s);
	int (*selector_empty)(const sk_selector *s);
	int (*selector_matches)(const sk_selector *s, const sk_obj *object);
	int (*selector_matches_labels)(const sk_selector *s, const sk_obj *labels);
	char *(*selector_string)(const sk_selector *s);
	int (*quantity_parse)(const char *text, sk_quantity *q, sk_err *err);
	int64_t (*quantity_value)(const sk_quantity *q);
	int64_t (*quantity_milli)(const sk_quantity *q);
	int (*quantity_cmp)(const sk_quantity *a, const sk_quantity *b);
	void (*quantity_add)(sk_quantity *acc, const sk_quantity *q);
	void (*quantity_sub)(sk_quantity *acc, const sk_quantity *q);
	size_t (*quantity_format)(const sk_quantity *q, char *buf, size_t cap);
	/* loop.h */
	void (*log)(sk_plugin *p, int level, const char *fmt, ...);
	double (*monotonic)(void);
	int64_t (*clock_now_ms)(void);
	sk_timer *(*timer_start)(sk_plugin *p, double after_s, double repeat_s, sk_timer_fn fn, void *ud);
	void (*timer_stop)(sk_timer *t);
	int (*work_submit)(sk_plugin *p, sk_work_fn work, sk_work_fn done, void *ud, sk_err *err);
	int (*child_spawn)(sk_plugin *p, const sk_child_spec *spec, sk_child_fn fn, void *ud, pid_t *pid, sk_err *err);
	/* data.h */
	int (*api_get)(const char *group, const char *resource, const char *ns, const char *name, sk_obj **out, sk_err *err);
	int (*api_list)(const char *group, const char *resource, const char *ns, const sk_list_opts *opts, sk_obj **out, sk_err *err);
	void (*api_create)(sk_plugin *p, const char *group, const char *resource, const char *ns, sk_obj *obj, sk_write_fn fn, void *ud);
	void (*api_update)(sk_plugin *p, const char *group, const char *resource, const char *ns, sk_obj *obj, sk_write_fn fn, void *ud);
	void (*api_delete)(sk_plugin *p, const char *group, const char *resource, const char *ns, const char *name, int64_t precondition_rv, sk_write_fn fn, void *ud);
	int64_t (*api_revision)(void);
	sk_watch *(*watch_start)(sk_plugin *p, const sk_watch_spec *spec, sk_err *err);
	void (*watch_stop)(sk_watch *w);
	const char *(*event_json)(const sk_event *ev, size_t *len);
	/* informer.h */
	sk_informer *(*informer_new)(sk_plugin *p, const sk_informer_spec *spec, sk_err *err);
	int (*informer_add_index)(sk_informer *inf, const char *name, sk_index_fn fn, void *ud, sk_err *err);
	const sk_obj *(*informer_get)(sk_informer *inf, const char *ns, const char *name);
	size_t (*informer_foreach)(sk_informer *inf, const char *ns, sk_informer_visit_fn fn, void *ud);
	size_t (*informer_by_index)(sk_informer *inf, const char *index, const char *value, sk_informer_visit_fn fn, void *ud);
	size_t (*informer_count)(sk_informer *inf);
	int (*informer_synced)(sk_informer *inf);
	void (*informer_free)(sk_informer *inf);
	sk_queue *(*queue_new)(sk_plugin *p, const sk_queue_spec *spec, sk_err *err);
	void (*queue_add)(sk_queue *q, const char *key);
	void (*queue_add_after)(sk_queue *q, const char *key, double delay_s);
	void (*queue_add_rate_limited)(sk_queue *q, const char *key);
	void (*queue_forget)(sk_queue *q, const char *key);
	int (*queue_retries)(sk_queue *q, const char *key);
	size_t (*queue_len)(sk_queue *q);
	void (*queue_free)(sk_queue *q);
	char *(*object_key)(const sk_obj *obj, char *buf, size_t cap);
	/* plugin.h */
	const sk_obj *(*plugin_settings)(sk_plugin *p);
	const char *(*plugin_name)(sk_plugin *p);
	const char *(*data_dir)(void);
	const char *(*plugin_state_dir)(sk_plugin *p);
	int (*ext_register)(sk_plugin *p, sk_ext_kind kind, const void *ops, void *ops_ud, sk_err *err);
	int (*ext_unregister)(sk_plugin *p, sk_ext_kind kind, const char *name);
	const void *(*ext_find)(sk_ext_kind kind, const char *name, void **ops_ud);
	size_t (*ext_foreach)(sk_ext_kind kind, sk_ext_visit_fn fn, void *ud);
	/* resource.h */
	const sk_resource_ops *(*resource_find)(const char *group, const char *plural);
	void (*cause)(sk_obj *causes, const char *reason, const char *field, const char *fmt, ...);
	int (*types_define)(sk_plugin *p, const char *label, const char *text, size_t len, sk_err *err);
	/* validate.h */
	void (*cause_required)(sk_obj *causes, const char *field, const char *detail);
	void (*cause_forbidden)(sk_obj *causes, const char *field, const char *detail);
	void (*cause_invalid_str)(sk_obj *causes, const char *field, const char *value, const char *fmt, ...);
	void (*cause_invalid_int)(sk_obj *causes, const char *field, int64_t value, const char *fmt, ...);
	void (*cause_invalid_obj)(sk_obj *causes, const char *field, const sk_obj *value, const char *fmt, ...);
	void (*cause_not_supported)(sk_obj *causes, const char *field, const char *value, const char *const *supported);
	void (*cause_duplicate)(sk_obj *causes, const char *field, const char *value);
	void (*cause_too_long)(sk_obj *causes, const char *field, int64_t max_bytes);
	void (*cause_too_many)(sk_obj *causes, const char *field, int64_t actual, int64_t max_items);
	const char *(*check_dns1123_label)(sk_obj *causes, const char *field, const char *value);
	const char *(*check_dns1123_subdomain)(sk_obj *causes, const char *field, const char *value);
	const char *(*check_dns1035_label)(sk_obj *causes, const char *field, const char *value);
	const char *(*check_qualified_name)(sk_obj *causes, const char *field, const char *value);
	const char *(*check_label_value)(sk_obj *causes, const char *field, const char *value);
	const char *(*check_name)(sk_obj *causes, const char *field, const char *name, int rule, int prefix);
	const char *(*check_labels)(sk_obj *causes, const char *field, const sk_obj *labels);
	const char *(*check_annotations)(sk_obj *causes, const char *field, const sk_obj *annotations);
	const char *(*check_label_selector)(sk_obj *causes, const char *field, const sk_obj *selector);
	const char *(*check_nonnegative)(sk_obj *causes, const char *field, int64_t value);
	const char *(*check_positive)(sk_obj *causes, const char *field, int64_t value);
	const char *(*check_quantity_nonnegative)(sk_obj *causes, const char *field, const sk_quantity *q);
	const char *(*check_int_or_percent)(sk_obj *causes, const char *field, const sk_obj *value);
	const char *(*check_port_number)(sk_obj *causes, const char *field, int64_t port);
	const char *(*check_port_name)(sk_obj *causes, const char *field, const char *name);
	const char *(*check_protocol)(sk_obj *causes, const char *field, const char *protocol);
	const char *(*check_ip)(sk_obj *causes, const char *field, const char *value);
	const char *(*check_cidr)(sk_obj *causes, const char *field, const char *value);
	const char *(*check_http_header_name)(sk_obj *causes, const char *field, const char *value);
	const char *(*check_env_var_name)(sk_obj *causes, const char *field, const char *name, int relaxed);
	const char *(*check_config_map_key)(sk_obj *causes, const char *field, const char *key);
	const char *(*check_field_manager)(sk_obj *causes, const char *field, const char *manager);
	/* resource.h: custom resource types */
	int (*types_define_openapi)(sk_plugin *p, const char *owner_key, const char *full_name, const char *gvk,
	                            const sk_obj *openapi_v3_schema, sk_err *err);
	void (*types_forget)(sk_plugin *p, const char *owner_key);
	void (*human_duration)(int64_t seconds, char *buf, size_t cap);
	char *(*clock_rfc3339)(char *out, size_t cap);
	int (*condition_set)(sk_obj *status_obj, const char *type, const char *status, const char *reason,
	                     const char *message);
	void (*api_act)(sk_plugin *p, const char *group, const char *resource, const char *ns, const char *name,
	                const char *subresource, const sk_obj *body, sk_write_fn fn, void *ud);
	/* map.h */
	sk_map *(*map_new)(void);
	void (*map_free)(sk_map *m, void (*free_val)(void *));
	void *(*map_get)(const sk_map *m, const char *key);
	void *(*map_put)(sk_map *m, const char *key, void *value, int *failed);
	void *(*map_del)(sk_map *m, const char *key);
	size_t (*map_len)(const sk_map *m);
	int (*map_foreach)(const sk_map *m, sk_map_visit_fn fn, void *ud);
	/* requests.h */
	int (*pod_requests)(const sk_obj *pod, unsigned flags, struct sk_resource_amount *out, size_t cap);
	int (*quantity_of)(const sk_obj *v, sk_quantity *q);
	sk_obj *(*obj_key)(const sk_obj *o, const char *key);
	/* base64.h */
	unsigned char *(*base64_decode)(const char *text, size_t len, size_t *out_len);
	char *(*base64_encode)(const void *data, size_t len);
	/* ABI 1.0 ends here; later minors append below. */
};

#endif
