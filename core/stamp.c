/* stamp.c — new uids and timestamps for stored objects. */
#include "stamp.h"
#include "loop.h"
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void stamp_uid(char out[37])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof b) != 1)
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)rand();
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
	         b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void stamp_now(char out[32]) { stamp_after(out, 0); }

void stamp_after(char out[32], int64_t seconds)
{
	time_t t = (time_t)(sk_clock_now_ms() / 1000 + seconds);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
