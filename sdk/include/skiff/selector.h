/* skiff/selector.h — label selectors, field selectors and quantities.
 *
 * Label selectors follow Kubernetes: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x,y)`, `a` (exists), `!a` (does not exist), `a>1`, `a<1`, joined
 * by commas; or the structured form (`matchLabels`, `matchExpressions`) found
 * in specs. Field selectors are `path=value`, `path==value`, `path!=value`
 * joined by commas, where path is an object path such as `status.phase`.
 *
 * Quantities are Kubernetes resource quantities (`100m`, `1.5Gi`, `2e3`),
 * held exactly to the nano unit.
 *
 * Ownership: parse functions return a selector the caller frees with
 * sk_selector_free. sk_selector_string returns heap memory freed with sk_mem_free.
 */
#ifndef SKIFF_SELECTOR_H
#define SKIFF_SELECTOR_H
#include <skiff/abi.h>

#define SK_SELECTOR_MAX_BYTES 16384

sk_selector *sk_label_selector_parse(const char *text, sk_err *err);
/* from a LabelSelector object ({matchLabels, matchExpressions}); NULL obj
 * selects everything, as Kubernetes does for an absent selector */
sk_selector *sk_label_selector_from_obj(const sk_obj *sel, sk_err *err);
sk_selector *sk_field_selector_parse(const char *text, sk_err *err);
void sk_selector_free(sk_selector *s);
int sk_selector_empty(const sk_selector *s);
/* label selectors test `metadata.labels`; field selectors test paths */
int sk_selector_matches(const sk_selector *s, const sk_obj *object);
/* label selectors only: test a plain map of labels */
int sk_selector_matches_labels(const sk_selector *s, const sk_obj *labels);
char *sk_selector_string(const sk_selector *s);

/* A quantity, exact to 1e-9 of its unit. Treat the fields as opaque. */
typedef struct sk_quantity {
	uint64_t nano_lo;
	int64_t nano_hi;
	uint32_t format; /* SK_QTY_DECIMAL_SI, SK_QTY_BINARY_SI, SK_QTY_DECIMAL_EXP */
	uint32_t reserved;
} sk_quantity;

#define SK_QTY_DECIMAL_SI 0
#define SK_QTY_BINARY_SI 1
#define SK_QTY_DECIMAL_EXP 2

int sk_quantity_parse(const char *text, sk_quantity *q, sk_err *err);
/* value rounded up to a whole unit, saturating at INT64 bounds (Value()) */
int64_t sk_quantity_value(const sk_quantity *q);
/* value in thousandths, rounded up, saturating (MilliValue()) */
int64_t sk_quantity_milli(const sk_quantity *q);
int sk_quantity_cmp(const sk_quantity *a, const sk_quantity *b);
void sk_quantity_add(sk_quantity *acc, const sk_quantity *q);
void sk_quantity_sub(sk_quantity *acc, const sk_quantity *q);
/* canonical form as Kubernetes prints it; returns bytes written */
size_t sk_quantity_format(const sk_quantity *q, char *buf, size_t cap);

#ifndef SKIFF_CORE
#define sk_label_selector_parse (sk__host->label_selector_parse)
#define sk_label_selector_from_obj (sk__host->label_selector_from_obj)
#define sk_field_selector_parse (sk__host->field_selector_parse)
#define sk_selector_free (sk__host->selector_free)
#define sk_selector_empty (sk__host->selector_empty)
#define sk_selector_matches (sk__host->selector_matches)
#define sk_selector_matches_labels (sk__host->selector_matches_labels)
#define sk_selector_string (sk__host->selector_string)
#define sk_quantity_parse (sk__host->quantity_parse)
#define sk_quantity_value (sk__host->quantity_value)
#define sk_quantity_milli (sk__host->quantity_milli)
#define sk_quantity_cmp (sk__host->quantity_cmp)
#define sk_quantity_add (sk__host->quantity_add)
#define sk_quantity_sub (sk__host->quantity_sub)
#define sk_quantity_format (sk__host->quantity_format)
#endif
#endif
#include <skiff/host.h>
