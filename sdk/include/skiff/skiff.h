/* skiff/skiff.h — everything a plugin may use, in one include.
 *
 * Plugins include this (or the individual headers) and nothing from the
 * core. See sdk/docs/plugin-guide.md.
 */
#ifndef SKIFF_SKIFF_H
#define SKIFF_SKIFF_H
#include <skiff/abi.h>
#include <skiff/obj.h>
#include <skiff/map.h>
#include <skiff/selector.h>
#include <skiff/requests.h>
#include <skiff/events.h>
#include <skiff/base64.h>
#include <skiff/loop.h>
#include <skiff/data.h>
#include <skiff/informer.h>
#include <skiff/plugin.h>
#include <skiff/resource.h>
#include <skiff/validate.h>
#include <skiff/auth.h>
#include <skiff/admission.h>
#include <skiff/controller.h>
#include <skiff/command.h>
#include <skiff/scheduler.h>
#include <skiff/runtime.h>
#include <skiff/network.h>
#include <skiff/volume.h>
#include <skiff/loadbalancer.h>
#include <skiff/datastore.h>
#include <skiff/host.h>

/* Registers n resources (skiff/resource.h), stopping at the first failure. */
static inline int sk_register_resources(sk_plugin *p, const sk_resource_ops *v, size_t n, sk_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int rc = sk_register(p, SK_EXT_RESOURCE, &v[i], NULL, err);
		if (rc != SK_OK)
			return rc;
	}
	return SK_OK;
}
#endif
