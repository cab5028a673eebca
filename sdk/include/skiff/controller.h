/* skiff/controller.h — controllers: long-running reconcilers.
 *
 * A controller registers here so that the host starts it once every plugin
 * has initialised and the data is ready, stops it before shutdown, and so
 * that an admin can disable it by name in the config while the rest keep
 * working. A controller usually builds informers and a work queue in start
 * (see skiff/informer.h) and frees them in stop.
 */
#ifndef SKIFF_CONTROLLER_H
#define SKIFF_CONTROLLER_H
#include <skiff/abi.h>

typedef struct sk_controller_ops {
	uint32_t size;
	const char *name;
	int (*start)(void *ud, sk_err *err);
	void (*stop)(void *ud);
} sk_controller_ops;

#endif
#include <skiff/host.h>
