/* runstate.h — what a running server publishes about itself in its data
 * dir (run/server.json: pid, listen address, loaded plugins), read by
 * `skiff plugin list`. */
#ifndef SKIFF_CORE_RUNSTATE_H
#define SKIFF_CORE_RUNSTATE_H
#include <jansson.h>
#include <skiff/abi.h>

int runstate_write(const char *data_dir, const char *listen, sk_err *err);
void runstate_remove(const char *data_dir);
/* the state of a live server, or NULL (err says why) */
json_t *runstate_read(const char *data_dir, sk_err *err);

#endif
