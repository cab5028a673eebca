/* chunked.c — a streaming decoder of HTTP/1.1 chunked transfer coding. */
#include "bench.h"

long dechunk_feed(struct dechunk *d, const char *p, size_t n, struct buf *out)
{
	size_t i = 0;
	while (i < n && d->st != DC_DONE) {
		char ch = p[i];
		switch (d->st) {
		case DC_SIZE:
			i++;
			if (ch == '\n') {
				if (!d->digits)
					return -1;
				d->st = d->left ? DC_DATA : DC_TRAILER;
				d->digits = d->ext = d->line_len = 0;
			} else if (ch == ';') {
				d->ext = 1;
			} else if (!d->ext && ch != '\r') {
				int v = ch >= '0' && ch <= '9' ? ch - '0'
				        : (ch | 32) >= 'a' && (ch | 32) <= 'f' ? (ch | 32) - 'a' + 10
				                                               : -1;
				if (v < 0 || d->left > (MAX_BODY >> 4))
					return -1;
				d->left = d->left * 16 + (size_t)v;
				d->digits++;
			}
			break;
		case DC_DATA: {
			size_t k = n - i < d->left ? n - i : d->left;
			if (out->n + k > MAX_BODY)
				return -1;
			buf_add(out, p + i, k);
			i += k;
			d->left -= k;
			if (!d->left)
				d->st = DC_DATA_END;
			break;
		}
		case DC_DATA_END: /* the CRLF after the data */
			i++;
			if (ch == '\n')
				d->st = DC_SIZE;
			break;
		case DC_TRAILER: /* trailer lines up to an empty one */
			i++;
			if (ch == '\n') {
				if (!d->line_len)
					d->st = DC_DONE;
				d->line_len = 0;
			} else if (ch != '\r') {
				d->line_len++;
			}
			break;
		case DC_DONE:
			break;
		}
	}
	return (long)i;
}
